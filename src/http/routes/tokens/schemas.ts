import type { IApiToken } from '../../../entities/api-token.ts';
import { z } from '../../schemas.ts';

export const tokenSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'The first characters, to tell tokens apart' }),
    memberId: z.uuid(),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .openapi('ApiToken');

export const toToken = (t: IApiToken) => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  memberId: t.member,
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt ? t.lastUsedAt.toISOString() : null,
  revokedAt: t.revokedAt ? t.revokedAt.toISOString() : null,
});

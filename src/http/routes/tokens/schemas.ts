import type { IApiToken } from '../../../entities/api-token.ts';
import { EX } from '../../examples.ts';
import { z } from '../../schemas.ts';

export const tokenSchema = z
  .object({
    id: z.uuid().openapi({ example: EX.tokenId }),
    name: z.string().openapi({ example: 'CI deploys' }),
    prefix: z.string().openapi({ description: 'The first characters, to tell tokens apart', example: 'pb_j9QBe9' }),
    memberId: z.uuid().openapi({ example: EX.memberId }),
    createdAt: z.iso.datetime().openapi({ example: EX.createdAt }),
    lastUsedAt: z.iso.datetime().nullable().openapi({ example: EX.updatedAt }),
    revokedAt: z.iso.datetime().nullable().openapi({ example: EX.later }),
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

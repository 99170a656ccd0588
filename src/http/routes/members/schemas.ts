import { ROLES, type IMember } from '../../../entities/member.ts';
import { z } from '../../schemas.ts';

export const memberSchema = z
  .object({
    id: z.uuid(),
    displayName: z.string(),
    email: z.string().nullable(),
    role: z.enum(ROLES),
    createdAt: z.iso.datetime(),
  })
  .openapi('Member');

export const toMember = (m: IMember) => ({
  id: m.id,
  displayName: m.displayName,
  email: m.email ?? null,
  role: m.role,
  createdAt: m.createdAt.toISOString(),
});

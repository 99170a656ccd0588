import { ROLES, type IMember } from '../../../entities/member.ts';
import { EX } from '../../examples.ts';
import { z } from '../../schemas.ts';

export const memberSchema = z
  .object({
    id: z.uuid().openapi({ example: EX.memberId }),
    displayName: z.string().openapi({ example: EX.memberName }),
    email: z.string().nullable().openapi({ example: EX.email }),
    role: z.enum(ROLES),
    createdAt: z.iso.datetime().openapi({ example: EX.createdAt }),
  })
  .openapi('Member');

export const toMember = (m: IMember) => ({
  id: m.id,
  displayName: m.displayName,
  email: m.email ?? null,
  role: m.role,
  createdAt: m.createdAt.toISOString(),
});

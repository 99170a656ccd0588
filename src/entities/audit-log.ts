import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { VIAS } from '../context.ts';
import { Workspace } from './workspace.ts';

export const OUTCOMES = ['success', 'refused', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Who did what, through what, with what outcome. Refusals are recorded too. */
export const AuditLog = defineEntity({
  name: 'AuditLog',
  tableName: 'audit_logs',
  indexes: [{ properties: ['workspace', 'id'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    /** Null only for refusals before any workspace is known (wrong link codes from an unlinked chat team). */
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade').nullable(),
    /** The member acting (null for system actions); kept as a plain id so history survives member deletion. */
    actorMemberId: p.uuid().nullable(),
    /** The platform identity when the action came from chat (e.g. slack:T123/U456). */
    actorExternalId: p.string().nullable(),
    via: p.enum(VIAS),
    action: p.string(),
    targetType: p.string(),
    targetId: p.string().nullable(),
    outcome: p.enum(OUTCOMES),
    details: p.json<Record<string, unknown>>().nullable(),
    correlationId: p.string(),
    createdAt: p.datetime().onCreate(() => new Date()),
    /** Set on refusals counted per window (src/audit/refusals.ts): repeats of the same refusal update the entry with this key. */
    dedupeKey: p.string().nullable().unique(),
  },
});
export type IAuditLog = InferEntity<typeof AuditLog>;

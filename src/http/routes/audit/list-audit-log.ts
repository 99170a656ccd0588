import { AuditLog, OUTCOMES } from '../../../entities/audit-log.ts';
import { VIAS } from '../../../context.ts';
import { defineRoute } from '../../route.ts';
import { z } from '../../schemas.ts';
import { EX } from '../../examples.ts';
import { idCursorQuery, idPage, idPageSchema } from '../id-pagination.ts';

const auditSchema = z
  .object({
    id: z.number().int().openapi({ example: 1042 }),
    actorMemberId: z.uuid().nullable().openapi({ example: EX.memberId }),
    actorExternalId: z.string().nullable().openapi({ description: 'The chat user, when the action came from chat', example: 'slack:T024BE7LD:U024BE7LH' }),
    via: z.enum(VIAS),
    action: z.string().openapi({ example: 'connection.pause' }),
    targetType: z.string().openapi({ example: 'connection' }),
    targetId: z.string().nullable().openapi({ example: EX.connectionId }),
    outcome: z.enum(OUTCOMES),
    details: z.record(z.string(), z.unknown()).nullable().openapi({ example: { reason: 'Quarterly maintenance window' } }),
    correlationId: z.string().openapi({ example: EX.correlationId }),
    createdAt: z.iso.datetime().openapi({ example: EX.updatedAt }),
  })
  .openapi('AuditEntry');

export default defineRoute({
  method: 'get',
  path: '/audit-log',
  operationId: 'listAuditLog',
  summary: 'Who did what, through what, with what outcome (refusals included), newest first',
  tag: 'Audit',
  permission: 'audit.read',
  query: idCursorQuery.extend({
    action: z.string().max(100).optional().openapi({ example: 'connection.pause' }),
    outcome: z.enum(OUTCOMES).optional(),
    targetId: z.string().max(100).optional().openapi({ example: EX.connectionId }),
    correlationId: z.string().max(128).optional().openapi({ description: 'Find the entries of one request or job', example: EX.correlationId }),
  }),
  responses: { 200: { description: 'A page of audit entries', schema: idPageSchema(auditSchema) } },
  async handler({ em, auth, query }) {
    const where: Record<string, unknown> = { workspace: auth.workspaceId };
    if (query.cursor) where.id = { $lt: query.cursor };
    if (query.action) where.action = query.action;
    if (query.outcome) where.outcome = query.outcome;
    if (query.targetId) where.targetId = query.targetId;
    if (query.correlationId) where.correlationId = query.correlationId;
    const rows = await em.find(AuditLog, where, { orderBy: { id: 'desc' }, limit: query.limit + 1 });
    return {
      status: 200,
      body: idPage(rows, query.limit, (a) => ({
        id: a.id,
        actorMemberId: a.actorMemberId ?? null,
        actorExternalId: a.actorExternalId ?? null,
        via: a.via,
        action: a.action,
        targetType: a.targetType,
        targetId: a.targetId ?? null,
        outcome: a.outcome,
        details: a.details ?? null,
        correlationId: a.correlationId,
        createdAt: a.createdAt.toISOString(),
      })),
    };
  },
});

import { ConnectionLog, LOG_LEVELS } from '../../../entities/connection-log.ts';
import { Connection } from '../../../entities/connection.ts';
import { notFound } from '../../../errors.ts';
import { defineRoute } from '../../route.ts';
import { idParams, z } from '../../schemas.ts';
import { EX } from '../../examples.ts';
import { idCursorQuery, idPage, idPageSchema } from '../id-pagination.ts';

const logSchema = z
  .object({
    id: z.number().int().openapi({ example: 1042 }),
    level: z.enum(LOG_LEVELS),
    kind: z.string().openapi({ description: 'test, status, sync, refresh, revoke, …', example: 'test' }),
    message: z.string().openapi({ example: 'Test passed in 184 ms: connected as Ada Lovelace.' }),
    data: z.record(z.string(), z.unknown()).nullable().openapi({ example: { latencyMs: 184 } }),
    correlationId: z.string().openapi({ example: EX.correlationId }),
    createdAt: z.iso.datetime().openapi({ example: EX.updatedAt }),
  })
  .openapi('ConnectionLogEntry');

export default defineRoute({
  method: 'get',
  path: '/connections/:id/logs',
  operationId: 'listConnectionLogs',
  summary: "A connection's log (tests, status changes, syncs), newest first",
  tag: 'Connections',
  permission: 'connections.logs.read',
  params: idParams,
  query: idCursorQuery,
  responses: { 200: { description: 'A page of log entries', schema: idPageSchema(logSchema) } },
  async handler({ em, auth, params, query }) {
    const conn = await em.findOne(Connection, { id: params.id, workspace: auth.workspaceId });
    if (!conn) throw notFound('Connection', params.id);
    const rows = await em.find(
      ConnectionLog,
      { connection: conn.id, ...(query.cursor ? { id: { $lt: query.cursor } } : {}) },
      { orderBy: { id: 'desc' }, limit: query.limit + 1 },
    );
    return {
      status: 200,
      body: idPage(rows, query.limit, (l) => ({
        id: l.id,
        level: l.level,
        kind: l.kind,
        message: l.message,
        data: l.data ?? null,
        correlationId: l.correlationId,
        createdAt: l.createdAt.toISOString(),
      })),
    };
  },
});

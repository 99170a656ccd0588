import { ConnectionLog, LOG_LEVELS } from '../../../entities/connection-log.ts';
import { Connection } from '../../../entities/connection.ts';
import { notFound } from '../../../errors.ts';
import { defineRoute } from '../../route.ts';
import { idParams, z } from '../../schemas.ts';
import { idCursorQuery, idPage } from '../id-pagination.ts';

const logSchema = z
  .object({
    id: z.number().int(),
    level: z.enum(LOG_LEVELS),
    kind: z.string(),
    message: z.string(),
    data: z.record(z.string(), z.unknown()).nullable(),
    correlationId: z.string(),
    createdAt: z.iso.datetime(),
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
  responses: { 200: { description: 'A page of log entries', schema: z.object({ data: z.array(logSchema), nextCursor: z.string().nullable() }) } },
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

import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { Connection } from './connection.ts';
import { Workspace } from './workspace.ts';

export const LOG_LEVELS = ['info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A connection's own history: test results, status changes, one line per sync run. */
export const ConnectionLog = defineEntity({
  name: 'ConnectionLog',
  tableName: 'connection_logs',
  indexes: [{ properties: ['connection', 'id'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
    connection: () => p.manyToOne(Connection).mapToPk().deleteRule('cascade'),
    level: p.enum(LOG_LEVELS),
    /** A short machine-readable kind: test, status, sync, refresh, revoke, … */
    kind: p.string(),
    message: p.text(),
    data: p.json<Record<string, unknown>>().nullable(),
    correlationId: p.string(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IConnectionLog = InferEntity<typeof ConnectionLog>;

import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { LOCAL_OBJECTS, SYNC_DIRECTIONS, type MappingEntry, type SyncScope } from '../sync/types.ts';
import { Connection } from './connection.ts';
import { Member } from './member.ts';
import { Workspace } from './workspace.ts';

export const SYNC_FREQUENCIES = ['realtime', 'interval'] as const;
export const DELETE_POLICIES = ['mark', 'propagate', 'ignore'] as const;
export type DeletePolicy = (typeof DELETE_POLICIES)[number];

/** Where a rule's push stands: scanning every local record once, then following the change log. */
export type PushCursor = { kind: 'scan'; bound: string; after: string | null } | { kind: 'log'; xid: string; seq: string };

/** The initial match of a run: the provider read's cursor, and whether staging and resolving are done. */
export type MatchCursor = { runId: string; cursor: unknown; staged: boolean; resolved: boolean };

/**
 * One sync rule: which local object pairs with which provider object on a connection, which way
 * data flows, how often, and how fields map. It also carries the engine's positions (the pull
 * cursor the adapter returned, the push cursor in the change log), each advanced in the same
 * transaction as the records it covers.
 */
export const SyncRule = defineEntity({
  name: 'SyncRule',
  tableName: 'sync_rules',
  indexes: [{ properties: ['connection'] }, { properties: ['nextRunAt'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
    connection: () => p.manyToOne(Connection).mapToPk().deleteRule('cascade'),
    localObject: p.enum(LOCAL_OBJECTS),
    remoteObject: p.string(),
    direction: p.enum(SYNC_DIRECTIONS),
    scope: p.json<SyncScope>().onCreate(() => ({})),
    frequency: p.enum(SYNC_FREQUENCIES).default('interval'),
    intervalSeconds: p.integer().default(300),
    deletePolicy: p.enum(DELETE_POLICIES).default('mark'),
    mapping: p.json<MappingEntry[]>(),
    enabled: p.boolean().default(true),
    /** The adapter's cursor after the last committed page; null means the next pull is a full one. */
    pullCursor: p.json<unknown>().nullable(),
    /** When the first full import finished (it records one `sync_completed` instead of per-record events). */
    initialImportAt: p.datetime().nullable(),
    /** When the last complete full pull finished (mark-and-sweep for feeds without deletes). */
    lastFullPullAt: p.datetime().nullable(),
    pushCursor: p.json<PushCursor>().nullable(),
    /** When the initial match linked the records both sides already had; null until the first run did it. */
    matchedAt: p.datetime().nullable(),
    /** Where the first run's matching read of the provider stands (sync/initial-match.ts). */
    matchCursor: p.json<MatchCursor>().nullable(),
    /** Failed runs in a row; 5 move the connection to errored. */
    consecutiveFailures: p.integer().default(0),
    lastRunAt: p.datetime().nullable(),
    nextRunAt: p.datetime().nullable(),
    createdBy: () => p.manyToOne(Member).mapToPk().nullable().deleteRule('set null'),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type ISyncRule = InferEntity<typeof SyncRule>;

import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { Connection } from './connection.ts';
import { Member } from './member.ts';
import { SyncRule } from './sync-rule.ts';
import { Workspace } from './workspace.ts';

export const SYNC_RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type SyncRunStatus = (typeof SYNC_RUN_STATUSES)[number];
export const SYNC_RUN_TRIGGERS = ['schedule', 'manual', 'webhook'] as const;
export const SYNC_RUN_PHASES = ['match', 'pull', 'sweep', 'push', 'done'] as const;
export type SyncRunPhase = (typeof SYNC_RUN_PHASES)[number];

export type RecordError = { side: 'local' | 'remote'; recordId: string | null; message: string };
/** `name`: the record's title or name after the run, so people can tell which record it was. */
export type ConflictDetail = { localId: string; remoteId: string; name?: string | null; field: string; localValue: unknown; remoteValue: unknown; winner: 'local' | 'remote'; localAt: string; remoteAt: string };
/** Where a run started from chat reports its progress (edited in place). */
export type RunReporter = { platform: string; teamId: string; channelId: string; messageRef?: string | null; lastAt?: string | null };

/**
 * One run of a rule: a chain of short jobs (pull pages, sweep, push batches) with its counts,
 * record-level errors and conflicts. The connection log gets one summary line per run.
 */
export const SyncRun = defineEntity({
  name: 'SyncRun',
  tableName: 'sync_runs',
  indexes: [{ properties: ['connection', 'startedAt'] }, { properties: ['rule', 'status'] }],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
    connection: () => p.manyToOne(Connection).mapToPk().deleteRule('cascade'),
    rule: () => p.manyToOne(SyncRule).mapToPk().nullable().deleteRule('set null'),
    providerSlug: p.string(),
    localObject: p.string(),
    direction: p.string(),
    trigger: p.enum(SYNC_RUN_TRIGGERS),
    /** full: the pull started from no cursor; incremental: from the rule's cursor. */
    mode: p.string().default('incremental'),
    status: p.enum(SYNC_RUN_STATUSES).default('queued'),
    phase: p.enum(SYNC_RUN_PHASES).default('pull'),
    pulled: p.integer().default(0),
    pushed: p.integer().default(0),
    merged: p.integer().default(0),
    linked: p.integer().default(0),
    conflicts: p.integer().default(0),
    errors: p.integer().default(0),
    deleted: p.integer().default(0),
    pages: p.integer().default(0),
    jobs: p.integer().default(0),
    recordErrors: p.json<RecordError[]>().onCreate(() => []),
    conflictDetails: p.json<ConflictDetail[]>().onCreate(() => []),
    /** Field mapping mismatches seen in this run (renamed or removed provider fields). */
    warnings: p.json<string[]>().onCreate(() => []),
    errorCode: p.string().nullable(),
    errorMessage: p.text().nullable(),
    correlationId: p.string(),
    requestedBy: () => p.manyToOne(Member).mapToPk().nullable().deleteRule('set null'),
    reporter: p.json<RunReporter>().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
  },
});
export type ISyncRun = InferEntity<typeof SyncRun>;

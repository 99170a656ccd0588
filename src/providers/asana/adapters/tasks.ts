/**
 * Asana tasks ↔ Patchbay tasks, one project per rule (`scope.project`).
 *
 * Change feed: GET /tasks?project=…&modified_since=… with offset pagination, not the events API.
 * Why:
 * - the events API names what changed but not its values: every changed task costs one more
 *   GET /tasks/{gid} (and Asana's free plans allow 150 requests a minute); a page of GET /tasks
 *   carries the whole records;
 * - its sync tokens expire (412 with a fresh token), and whatever was deleted between the last
 *   good token and the full resync is not in any feed: a mark-and-sweep full pull is needed
 *   anyway. So this feed declares `reportsDeletes: false` and the engine reconciles: after every
 *   complete full pull (the first one, and every SYNC_RECONCILE_HOURS) a linked task the pull
 *   did not see — deleted, or moved out of the project — is handled by the rule's delete policy;
 * - GET /tasks needs the documented `tasks:read` scope only.
 * Asana does not order the answer by `modified_at`, so the cursor only moves to the newest
 * `modified_at` once the whole listing is drained (`since` stays put while paging by `offset`),
 * and the next listing asks again from OVERLAP_MS before it (the engine skips a task already
 * applied at the same modification time).
 *
 * Asana has no idempotency key: a create stores its key as the task's external gid
 * (`external.gid`, OAuth apps only — the only way Patchbay connects Asana), and `findByMarker`
 * reads GET /tasks/external:<gid>, so a create retried after a crash finds the task it made.
 *
 * Rate limits (429 + Retry-After) and auth failures surface from `ctx.http` like every
 * provider's: the engine waits short windows out and pauses the connection for long ones.
 */
import { z } from 'zod';
import { AppError } from '../../../errors.ts';
import type { ObjectAdapter, PullPage, RemoteRecord, SyncScope } from '../../../sync/types.ts';
import { parseProviderResponse } from '../../_shared/parse.ts';
import type { ConnectorContext } from '../../types.ts';
import { TASK_ALIASES, TASK_FIELDS, TASK_OPT_FIELDS, requireGid, taskEnvelope, taskPage, toRecord, toTaskRequest, type AsanaTask } from './records.ts';
import { assigneeEmails } from './users.ts';

/** A drained listing is asked again from this long before its newest `modified_at`. */
export const OVERLAP_MS = 30_000;
/** Asana's largest page (`limit` is 1–100). */
export const MAX_LIMIT = 100;

/**
 * - `since`: the `modified_since` of the listing in progress (null: a full listing);
 * - `offset`: Asana's `next_page.offset` while paging through it;
 * - `max`: the newest `modified_at` seen so far in it, which becomes `since` once it is drained.
 */
export type AsanaCursor = { since: string | null; offset: string | null; max: string | null };
const cursorSchema = z.object({ since: z.iso.datetime().nullable(), offset: z.string().min(1).nullable(), max: z.iso.datetime().nullable() });

function readCursor(cursor: unknown): AsanaCursor {
  if (cursor === null || cursor === undefined) return { since: null, offset: null, max: null };
  const parsed = cursorSchema.safeParse(cursor);
  if (!parsed.success) throw new AppError('sync_cursor_expired', 'The stored Asana cursor is not one this adapter wrote; starting a full pull.');
  return parsed.data;
}

const later = (a: string | null, b: string | null) => (!a ? b : !b ? a : Date.parse(a) >= Date.parse(b) ? a : b);

/** The external gid a create stores its idempotency key under. */
export const markerOf = (idempotencyKey: string) => `patchbay-${idempotencyKey}`;

function projectOf(scope: SyncScope): string {
  const project = scope.project;
  if (!project) throw new AppError('sync_mapping_mismatch', 'An Asana tasks rule needs a project (scope.project); edit the rule.');
  return project;
}

const taskPath = (gid: string) => `/tasks/${encodeURIComponent(gid)}`;

async function records(ctx: ConnectorContext, tasks: readonly AsanaTask[]): Promise<RemoteRecord[]> {
  const emails = await assigneeEmails(ctx, tasks);
  return tasks.map((t) => toRecord(t, emails));
}

async function one(ctx: ConnectorContext, body: unknown, what: string): Promise<RemoteRecord> {
  const task = requireGid(parseProviderResponse(ctx.provider, taskEnvelope, body, what).data, what);
  return (await records(ctx, [task]))[0]!;
}

async function getTask(ctx: ConnectorContext, id: string): Promise<RemoteRecord | null> {
  const res = await ctx.http.request({ url: taskPath(id), query: { opt_fields: TASK_OPT_FIELDS }, allowStatuses: [404] });
  return res.status === 404 ? null : await one(ctx, res.body, 'GET /tasks/{task_gid}');
}

export const tasksAdapter: ObjectAdapter = {
  remoteObject: 'tasks',
  localObject: 'tasks',
  fields: TASK_FIELDS,
  aliases: TASK_ALIASES,
  scope: { key: 'project', label: 'Project', required: true },
  reportsDeletes: false,

  async listChanged(ctx, req): Promise<PullPage> {
    const cur = readCursor(req.cursor);
    const query: Record<string, string | number> = { project: projectOf(req.scope), limit: Math.max(1, Math.min(MAX_LIMIT, req.pageSize)), opt_fields: TASK_OPT_FIELDS };
    if (cur.since) query.modified_since = new Date(Date.parse(cur.since) - OVERLAP_MS).toISOString();
    if (cur.offset) query.offset = cur.offset;
    let res = await ctx.http.request({ url: '/tasks', query, allowStatuses: cur.offset ? [400] : [] });
    let max = cur.max;
    if (res.status === 400) {
      // "An offset token will expire after some time": list again from the start of this listing.
      ctx.logger.warn({ provider: 'asana' }, 'Asana refused the pagination offset; listing again from the start');
      delete query.offset;
      max = null;
      res = await ctx.http.request({ url: '/tasks', query });
    }
    const page = parseProviderResponse(ctx.provider, taskPage, res.body, 'GET /tasks');
    const recs = (await records(ctx, (page.data ?? []).map((t) => requireGid(t, 'GET /tasks')))).sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt));
    max = recs.reduce<string | null>((m, r) => later(m, r.updatedAt), max);
    const offset = page.next_page?.offset ?? null;
    const cursor: AsanaCursor = offset ? { since: cur.since, offset, max } : { since: max ?? cur.since, offset: null, max: null };
    return { records: recs, cursor, hasMore: offset !== null };
  },

  get: (ctx, id) => getTask(ctx, id),

  async create(ctx, fields, opts) {
    const data = { ...toTaskRequest(fields), projects: [projectOf(opts.scope)], external: { gid: markerOf(opts.idempotencyKey) } };
    const res = await ctx.http.request({ method: 'POST', url: '/tasks', query: { opt_fields: TASK_OPT_FIELDS }, body: { data } });
    return await one(ctx, res.body, 'POST /tasks');
  },

  async findByMarker(ctx, idempotencyKey) {
    // `external:<gid>` stands for the task's gid anywhere in the API; the colon stays as written.
    const res = await ctx.http.request({ url: `/tasks/external:${encodeURIComponent(markerOf(idempotencyKey))}`, query: { opt_fields: TASK_OPT_FIELDS }, allowStatuses: [404] });
    return res.status === 404 ? null : await one(ctx, res.body, 'GET /tasks/{task_gid}');
  },

  async update(ctx, id, fields) {
    const data = toTaskRequest(fields);
    if (!Object.keys(data).length) {
      // Nothing writable changed (the engine sends only differences): the task as it is.
      const task = await getTask(ctx, id);
      if (!task) throw new AppError('provider_error', `Asana answered 404 to GET /tasks/{task_gid}: task ${id} no longer exists`, { details: { provider: 'asana', status: 404 } });
      return task;
    }
    const res = await ctx.http.request({ method: 'PUT', url: taskPath(id), query: { opt_fields: TASK_OPT_FIELDS }, body: { data }, idempotent: true });
    return await one(ctx, res.body, 'PUT /tasks/{task_gid}');
  },

  async delete(ctx, id) {
    // Already gone (404) is what a delete wants.
    await ctx.http.request({ method: 'DELETE', url: taskPath(id), allowStatuses: [404] });
  },
};

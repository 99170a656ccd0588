/**
 * Asana tasks ↔ Patchbay tasks, one project per rule (`scope.project`).
 *
 * Change feed, two reads:
 * - deletes from the events API, GET /events?resource=<project>&sync=<token> (Asana's
 *   `getEvents`; `/projects/{gid}/events` is the same call, but only `/events` is in the published
 *   description). An event on a task whose last membership event in the answer is `deleted`, or
 *   `removed` with the project as its parent, becomes a tombstone at the event's `created_at`.
 *   Events come 100 per token at most; `has_more` asks again with the new token before the tasks
 *   are listed. A call without a token answers 412 with a fresh one — a full pull starts with it,
 *   so the events of anything that changes while it lists are read by the next incremental pull.
 *   A stored token Asana answers 412 to has expired: `sync_cursor_expired`, and the engine pulls in
 *   full. What was deleted between the last good token and that full pull is in no feed, so the
 *   adapter declares `fullPullListsAll` (GET /tasks?project= lists the whole project) and the
 *   engine sweeps that full pull: a linked task it did not see is handled by the rule's delete
 *   policy, as a tombstone would have been;
 * - changes from GET /tasks?project=…&modified_since=… with offset pagination, not from the
 *   events' `changed` entries: those name what changed but not its values (one more
 *   GET /tasks/{gid} per task, and Asana's free plans allow 150 requests a minute), while a page of
 *   GET /tasks carries the whole records.
 * Asana does not order the listing by `modified_at`, so the cursor only moves to the newest
 * `modified_at` once the whole listing is drained (`since` stays put while paging by `offset`),
 * and the next listing asks again from OVERLAP_MS before it (the engine skips a task already
 * applied at the same modification time).
 *
 * Scopes: GET /tasks needs `tasks:read`. Neither the published description nor Asana's scope list
 * names a scope for GET /events (it gives none to any `<resource>:read`); see the provider doc.
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
import { TASK_ALIASES, TASK_FIELDS, TASK_OPT_FIELDS, eventsExpired, eventsPage, requireGid, taskEnvelope, taskPage, toRecord, toTaskRequest, type AsanaTask } from './records.ts';
import { assigneeEmails } from './users.ts';

/** A drained listing is asked again from this long before its newest `modified_at`. */
export const OVERLAP_MS = 30_000;
/** Asana's largest page (`limit` is 1–100). */
export const MAX_LIMIT = 100;

/**
 * - `since`: the `modified_since` of the listing in progress (null: a full listing);
 * - `offset`: Asana's `next_page.offset` while paging through it;
 * - `max`: the newest `modified_at` seen so far in it, which becomes `since` once it is drained;
 * - `sync`: the events sync token the next incremental pull reads from.
 * A cursor without `sync` (written before the events API was read) is refused: a full pull, swept.
 */
export type AsanaCursor = { since: string | null; offset: string | null; max: string | null; sync: string };
const cursorSchema = z.object({ since: z.iso.datetime().nullable(), offset: z.string().min(1).nullable(), max: z.iso.datetime().nullable(), sync: z.string().min(1) });

function readCursor(cursor: unknown): AsanaCursor {
  const parsed = cursorSchema.safeParse(cursor);
  if (!parsed.success) throw new AppError('sync_cursor_expired', 'The stored Asana cursor is not one this adapter wrote; starting a full pull.');
  return parsed.data;
}

/** What the events are asked for (each in `opt_fields`' enum): the action, its time, and the task and parent gids. */
export const EVENT_OPT_FIELDS = ['action', 'created_at', 'parent', 'resource'].join(',');

const eventsQuery = (project: string, sync: string | null) => ({ resource: project, opt_fields: EVENT_OPT_FIELDS, ...(sync ? { sync } : {}) });

/**
 * GET /events, 403 and 412 read here. A 403 is not taken as refused credentials (which would move
 * the connection to errored): the rest of the API may well work — no granular scope names the
 * events API, so an app registered with specific scopes may be refused it.
 */
async function getEvents(ctx: ConnectorContext, project: string, sync: string | null) {
  const res = await ctx.http.request({ url: '/events', query: eventsQuery(project, sync), allowStatuses: [403, 412] });
  if (res.status === 403) {
    throw new AppError('provider_error', 'Asana refused GET /events (HTTP 403), which the tasks sync reads deletes from. Asana lists no granular scope for it: the Asana app may need Full permissions (see docs/providers/asana.md).', {
      details: { provider: 'asana', status: 403 },
    });
  }
  return res;
}

/** A fresh sync token: a call without one answers 412 carrying it (a 200 with one is taken too). */
async function freshToken(ctx: ConnectorContext, project: string): Promise<string> {
  const res = await getEvents(ctx, project, null);
  const sync = parseProviderResponse(ctx.provider, eventsExpired, res.body, 'GET /events').sync;
  if (!sync) throw new AppError('provider_error', 'Asana answered GET /events without a sync token', { details: { provider: 'asana', status: res.status } });
  return sync;
}

/**
 * One answer of the events since `sync`: tombstones for the project's tasks that were deleted or
 * removed from it (and not added back later in the same answer), the next token, `has_more`.
 */
async function readEvents(ctx: ConnectorContext, project: string, sync: string): Promise<{ tombstones: RemoteRecord[]; sync: string; hasMore: boolean }> {
  const res = await getEvents(ctx, project, sync);
  if (res.status === 412) {
    throw new AppError('sync_cursor_expired', 'Asana answered 412 to the stored events sync token (it expired); starting a full pull.', { details: { provider: 'asana', status: 412 } });
  }
  const page = parseProviderResponse(ctx.provider, eventsPage, res.body, 'GET /events');
  if (!page.sync) throw new AppError('provider_error', 'Asana answered GET /events without a sync token', { details: { provider: 'asana', status: res.status } });
  // The last membership event of each task wins (events come oldest first).
  const last = new Map<string, { gone: boolean; at: string }>();
  for (const ev of page.data ?? []) {
    const gid = ev.resource?.gid;
    if (!gid || ev.resource?.resource_type !== 'task') continue;
    const inProject = ev.parent?.resource_type === 'project' && ev.parent.gid === project;
    const at = ev.created_at ?? new Date().toISOString();
    if (ev.action === 'deleted' || (ev.action === 'removed' && inProject)) last.set(gid, { gone: true, at });
    else if (ev.action === 'undeleted' || (ev.action === 'added' && inProject)) last.set(gid, { gone: false, at });
  }
  const tombstones = [...last].filter(([, v]) => v.gone).map(([id, v]): RemoteRecord => ({ id, updatedAt: v.at, deleted: true, fields: {} }));
  tombstones.sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt));
  return { tombstones, sync: page.sync, hasMore: page.has_more === true };
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
  reportsDeletes: true,
  fullPullListsAll: true,

  async listChanged(ctx, req): Promise<PullPage> {
    const project = projectOf(req.scope);
    let cur: AsanaCursor;
    let tombstones: RemoteRecord[] = [];
    if (req.cursor === null || req.cursor === undefined) {
      // A full pull: the token first, so whatever changes while it lists is in the next events.
      cur = { since: null, offset: null, max: null, sync: await freshToken(ctx, project) };
    } else {
      cur = readCursor(req.cursor);
      if (!cur.offset) {
        // An incremental listing starts with the deletes since the token.
        const events = await readEvents(ctx, project, cur.sync);
        cur = { ...cur, sync: events.sync };
        tombstones = events.tombstones;
        if (events.hasMore) return { records: tombstones, cursor: cur, hasMore: true };
      }
    }
    const query: Record<string, string | number> = { project, limit: Math.max(1, Math.min(MAX_LIMIT, req.pageSize)), opt_fields: TASK_OPT_FIELDS };
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
    const cursor: AsanaCursor = offset ? { since: cur.since, offset, max, sync: cur.sync } : { since: max ?? cur.since, offset: null, max: null, sync: cur.sync };
    // Tombstones first: a task the listing still shows in the project is there (the last version wins).
    return { records: [...tombstones, ...recs], cursor, hasMore: offset !== null };
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

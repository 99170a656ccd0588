/**
 * What the Sandbox's two adapters share: its change feed (`updated_since`, an opaque keyset
 * cursor, tombstones), and create/get/update/delete over its REST paths.
 *
 * The pull cursor the engine stores is `{ since, next }` (see `SandboxCursor`).
 */
import { z } from 'zod';
import { AppError } from '../../../errors.ts';
import type { ObjectAdapter, PullPage, RemoteRecord } from '../../../sync/types.ts';
import { parseProviderResponse } from '../../_shared/parse.ts';
import type { ConnectorContext } from '../../types.ts';

/** On resume from `since`, ask again for this much before it: a change committed late is never missed (the engine de-duplicates by id and updatedAt). */
export const OVERLAP_MS = 5_000;
/** The Sandbox's largest page. */
export const MAX_LIMIT = 500;

/**
 * - `next`: the Sandbox's own cursor, while a pull is paging through the feed (exact, no overlap);
 * - `since`: the newest `updated_at` seen once the feed was drained;
 * - `readAt`: when the Sandbox answered the last page (its `Date` header). A change still
 *   uncommitted then has an `updated_at` after `readAt − OVERLAP_MS`, so the next pull asks for
 *   `updated_since = min(since, readAt − OVERLAP_MS)` — not `since − OVERLAP_MS`, which re-read
 *   a whole bulk import made within 5 s (100,000 seeded tasks) on every later poll.
 *   Without `readAt` (cursors stored before it), `since − OVERLAP_MS`.
 */
export type SandboxCursor = { since: string | null; next: string | null; readAt?: string | null };

export const cursorSchema = z.object({ since: z.iso.datetime().nullable(), next: z.string().min(1).nullable(), readAt: z.iso.datetime().nullable().optional() });

/** The next pull's `updated_since` for a drained feed. */
export function resumeFrom(cur: SandboxCursor): string | null {
  if (!cur.since) return null;
  const since = Date.parse(cur.since);
  const from = cur.readAt ? Math.min(since, Date.parse(cur.readAt) - OVERLAP_MS) : since - OVERLAP_MS;
  return new Date(from).toISOString();
}

/** The answer's `Date` header (whole seconds, rounded down: never later than the Sandbox's clock). */
function answeredAt(headers: Headers): string | null {
  const at = Date.parse(headers.get('date') ?? '');
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}

const recordSchema = z.object({ id: z.string(), updated_at: z.string(), deleted: z.boolean().optional() }).loose();
const pageSchema = z.object({ data: z.array(recordSchema), next_cursor: z.string().nullable() });
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

const HIDDEN = new Set(['id', 'updated_at', 'deleted', 'deleted_at']);

export function toRemote(r: z.infer<typeof recordSchema>): RemoteRecord {
  if (r.deleted) return { id: r.id, updatedAt: r.updated_at, deleted: true, fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (!HIDDEN.has(k)) fields[k] = v;
  return { id: r.id, updatedAt: r.updated_at, fields };
}

function readCursor(cursor: unknown): SandboxCursor {
  if (cursor === null || cursor === undefined) return { since: null, next: null };
  const parsed = cursorSchema.safeParse(cursor);
  if (!parsed.success) throw new AppError('sync_cursor_expired', 'The stored Sandbox cursor is not one this adapter wrote; starting a full pull.');
  return parsed.data;
}

const later = (a: string | null, b: string | null) => (!a ? b : !b ? a : Date.parse(a) >= Date.parse(b) ? a : b);

type Spec = Pick<ObjectAdapter, 'remoteObject' | 'localObject' | 'fields' | 'aliases'> & { path: string; scope?: ObjectAdapter['scope'] };

/** Only the fields the Sandbox accepts in a write (never read-only ones such as created_at). */
function writable(spec: Spec, fields: Record<string, unknown>): Record<string, unknown> {
  const names = new Set(spec.fields.filter((f) => !f.readOnly).map((f) => f.name));
  return Object.fromEntries(Object.entries(fields).filter(([k, v]) => names.has(k) && v !== undefined));
}

export function sandboxAdapter(spec: Spec): ObjectAdapter {
  const what = (method: string, suffix = '') => `${method} ${spec.path}${suffix}`;
  const asRecord = (ctx: ConnectorContext, body: unknown, label: string) => toRemote(parseProviderResponse(ctx.provider, recordSchema, body, label));
  return {
    remoteObject: spec.remoteObject,
    localObject: spec.localObject,
    fields: spec.fields,
    aliases: spec.aliases,
    ...(spec.scope ? { scope: spec.scope } : {}),
    reportsDeletes: true,

    async listChanged(ctx, req): Promise<PullPage> {
      const cur = readCursor(req.cursor);
      const query: Record<string, string | number> = { limit: Math.max(1, Math.min(MAX_LIMIT, req.pageSize)) };
      if (cur.next) query.cursor = cur.next;
      else if (cur.since) query.updated_since = resumeFrom(cur)!;
      if (spec.scope && req.scope[spec.scope.key]) query[spec.scope.key] = req.scope[spec.scope.key]!;
      const res = await ctx.http.request({ url: spec.path, query, allowStatuses: [400] });
      if (res.status === 400) {
        const err = errorSchema.safeParse(res.body);
        if (err.success && err.data.error.code === 'invalid_cursor') throw new AppError('sync_cursor_expired', `Patchbay Sandbox refused the cursor: ${err.data.error.message}`);
        throw new AppError('provider_error', `Patchbay Sandbox answered 400 to ${what('GET')}: ${err.success ? err.data.error.message : 'bad request'}`, { details: { provider: 'sandbox', status: 400 } });
      }
      const page = parseProviderResponse(ctx.provider, pageSchema, res.body, what('GET'));
      const records = page.data.map(toRemote);
      const newest = records.reduce<string | null>((acc, r) => later(acc, r.updatedAt), cur.since);
      return { records, cursor: { since: newest, next: page.next_cursor, readAt: answeredAt(res.headers) } satisfies SandboxCursor, hasMore: page.next_cursor !== null };
    },

    async get(ctx, id) {
      const res = await ctx.http.request({ url: `${spec.path}/${encodeURIComponent(id)}`, allowStatuses: [404] });
      return res.status === 404 ? null : asRecord(ctx, res.body, what('GET', '/{id}'));
    },

    async create(ctx, fields, opts) {
      // The Sandbox answers the first record again for a retried key, so a retry cannot duplicate.
      const res = await ctx.http.request({ method: 'POST', url: spec.path, body: writable(spec, fields), headers: { 'idempotency-key': opts.idempotencyKey }, idempotent: true });
      return asRecord(ctx, res.body, what('POST'));
    },

    async update(ctx, id, fields) {
      const res = await ctx.http.request({ method: 'PATCH', url: `${spec.path}/${encodeURIComponent(id)}`, body: writable(spec, fields), idempotent: true });
      return asRecord(ctx, res.body, what('PATCH', '/{id}'));
    },

    async delete(ctx, id) {
      // Already gone is what a delete wants.
      await ctx.http.request({ method: 'DELETE', url: `${spec.path}/${encodeURIComponent(id)}`, allowStatuses: [404] });
    },
  };
}

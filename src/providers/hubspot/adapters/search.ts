/**
 * HubSpot's CRM search as a change feed: `POST /crm/v3/objects/contacts/search` filtered on
 * `lastmodifieddate GTE <ms>`, sorted ascending, paged with `after`.
 *
 * The trap: one search can page through at most 10,000 results; asking for more answers 400
 * ("limited to 10,000 total results", https://developers.hubspot.com/docs/guides/api/crm/search).
 * A window therefore never pages past it: before the next page would cross the limit, the search
 * restarts from the newest `lastmodifieddate` seen (GTE again), and the records at that boundary
 * already returned are dropped by id.
 *
 * The pull cursor the engine stores is a `SearchCursor` (below).
 */
import { z } from 'zod';
import { AppError } from '../../../errors.ts';

/** Results one search may page through (HubSpot's documented limit). */
export const SEARCH_WINDOW = 10_000;
/**
 * The page size asked for. The v3 description says "up to 200"; HubSpot's guide long said 100, and
 * the engine's pages are about this size anyway: 100 is accepted under both.
 */
export const MAX_SEARCH_LIMIT = 100;
/**
 * Once drained, the next pull asks again for this much before the newest change seen (bounded by
 * when HubSpot answered): the search index trails writes by a few seconds, and a change indexed
 * late must not be skipped. The engine skips records already applied at the same time.
 */
export const OVERLAP_MS = 30_000;

/**
 * - `from`: the current window's lower bound (GTE, ISO), null for a full pull from the beginning;
 * - `after`: HubSpot's paging token inside the window (null: first page of the window);
 * - `count`: results already returned by this window (the 10,000 limit counts them);
 * - `newest` / `seen`: the newest `lastmodifieddate` seen and the ids seen at exactly that time
 *   (dropped when a restarted window returns them again);
 * - `drained`: the last window ended; the next pull opens a new one from `newest`;
 * - `readAt`: HubSpot's `Date` when it answered the last page.
 */
export type SearchCursor = {
  from: string | null;
  after: string | null;
  count: number;
  newest: string | null;
  seen: string[];
  drained: boolean;
  readAt: string | null;
};

const iso = z.iso.datetime();
export const searchCursorSchema = z.strictObject({
  from: iso.nullable(),
  after: z.string().min(1).nullable(),
  count: z.number().int().min(0),
  newest: iso.nullable(),
  seen: z.array(z.string()),
  drained: z.boolean(),
  readAt: iso.nullable(),
});

export function readSearchCursor(cursor: unknown): SearchCursor {
  if (cursor === null || cursor === undefined) return { from: null, after: null, count: 0, newest: null, seen: [], drained: false, readAt: null };
  const parsed = searchCursorSchema.safeParse(cursor);
  if (!parsed.success) throw new AppError('sync_cursor_expired', 'The stored HubSpot cursor is not one this adapter wrote; starting a full pull.');
  return parsed.data;
}

/** The window the next search asks for: the stored one, or a new one after a drained feed. */
export function nextWindow(cur: SearchCursor): { from: string | null; after: string | null; count: number } {
  if (!cur.drained) return { from: cur.from, after: cur.after, count: cur.count };
  if (!cur.newest) return { from: cur.from, after: null, count: 0 };
  const newest = Date.parse(cur.newest);
  const bound = cur.readAt ? Math.min(newest, Date.parse(cur.readAt) - OVERLAP_MS) : newest - OVERLAP_MS;
  return { from: new Date(bound).toISOString(), after: null, count: 0 };
}

/** The search body for a window (HubSpot wants the time as epoch milliseconds). */
export function searchBody(window: { from: string | null; after: string | null }, properties: readonly string[], limit: number) {
  return {
    filterGroups: window.from ? [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(Date.parse(window.from)) }] }] : [],
    // The v3 description types `sorts` items as strings, but HubSpot only honours the object form
    // its search guide documents (a string sort is ignored: HubSpot/hubspot-api-nodejs#14, #559).
    sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
    properties: [...properties],
    limit,
    // Required by the description; "0" is the first result.
    after: window.after ?? '0',
  };
}

type Seen = { id: string; updatedAt: string };

/**
 * After one page: the records to hand on (the boundary's repeats dropped) and the cursor to store.
 * `next` is HubSpot's `paging.next.after`, absent on the window's last page.
 */
export function advance<R extends Seen>(cur: SearchCursor, window: { from: string | null; count: number }, results: R[], next: string | undefined, limit: number, readAt: string | null): { records: R[]; cursor: SearchCursor; hasMore: boolean } {
  const repeat = new Set(cur.seen);
  const records = results.filter((r) => !(r.updatedAt === cur.newest && repeat.has(r.id)));
  let newest = cur.newest;
  let seen = cur.seen;
  for (const r of results) {
    if (!newest || Date.parse(r.updatedAt) > Date.parse(newest)) [newest, seen] = [r.updatedAt, [r.id]];
    else if (r.updatedAt === newest && !seen.includes(r.id)) seen = [...seen, r.id];
  }
  const count = window.count + results.length;
  if (next === undefined) return { records, cursor: { from: window.from, after: null, count, newest, seen, drained: true, readAt }, hasMore: false };
  if (count + limit <= SEARCH_WINDOW) return { records, cursor: { from: window.from, after: next, count, newest, seen, drained: false, readAt }, hasMore: true };
  // The next page would cross the 10,000-result limit: restart from the newest time seen.
  if (!newest || (window.from && Date.parse(newest) <= Date.parse(window.from))) {
    throw new AppError(
      'provider_error',
      `More than ${SEARCH_WINDOW.toLocaleString('en')} HubSpot contacts share lastmodifieddate ${newest ?? window.from}; HubSpot's search cannot page past them.`,
      { details: { provider: 'hubspot' } },
    );
  }
  return { records, cursor: { from: newest, after: null, count: 0, newest, seen, drained: false, readAt }, hasMore: true };
}

/**
 * HubSpot allows 5 search requests per second per account (search is exempt from the ten-secondly
 * limit and has its own): searches of one account are spaced at least `minIntervalMs` apart in this
 * process, so a fast pull does not earn a 429. (Other processes pulling the same account are not
 * coordinated; their 429s are paced by the session like any rate limit.)
 */
export const searchPacer = {
  minIntervalMs: 200,
  next: new Map<string, number>(),
  async wait(account: string): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next.get(account) ?? 0);
    this.next.set(account, at + this.minIntervalMs);
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  },
};

/**
 * Fixed-window counters in PostgreSQL (`rate_limit_counters`), shared by every process: the API
 * rate limits, wrong link codes and de-duplicated refusals count here. One upsert per hit; the
 * window starts on the database clock, so processes on different hosts agree on it.
 */
import type pg from 'pg';

export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

export type WindowCount = {
  key: string;
  /** Hits in the current window, this one included. */
  count: number;
  /** Seconds until the window ends (at least 1). */
  resetInSeconds: number;
};

const WINDOW_START = `to_timestamp(floor(extract(epoch from now()) / $2::int) * $2::int)`;
const RESET_IN = `greatest(1, ceil(extract(epoch from (window_start + make_interval(secs => $2::int) - now()))))::int`;

/** Counts one hit on each key (keys sorted, so concurrent callers lock rows in one order). */
export async function hitCounters(db: Queryable, keys: string[], windowSeconds: number): Promise<WindowCount[]> {
  if (!keys.length) return [];
  const sorted = [...new Set(keys)].sort();
  const { rows } = await db.query<{ key: string; count: number; reset_in: number }>(
    `insert into rate_limit_counters as c (key, window_start, count)
       select k, ${WINDOW_START}, 1 from unnest($1::text[]) as k order by k
     on conflict (key) do update set
       count = case when c.window_start = excluded.window_start then c.count + 1 else 1 end,
       ref = case when c.window_start = excluded.window_start then c.ref else null end,
       window_start = excluded.window_start
     returning key, count, ${RESET_IN} as reset_in`,
    [sorted, windowSeconds],
  );
  return rows.map((r) => ({ key: r.key, count: r.count, resetInSeconds: r.reset_in }));
}

/** Reads the current window's counts without counting (missing or stale keys count 0). */
export async function peekCounters(db: Queryable, keys: string[], windowSeconds: number): Promise<WindowCount[]> {
  const { rows } = await db.query<{ key: string; count: number; reset_in: number }>(
    `select key, count, ${RESET_IN} as reset_in from rate_limit_counters where key = any($1::text[]) and window_start = ${WINDOW_START}`,
    [keys, windowSeconds],
  );
  return keys.map((key) => {
    const r = rows.find((x) => x.key === key);
    return { key, count: r?.count ?? 0, resetInSeconds: r?.reset_in ?? windowSeconds };
  });
}

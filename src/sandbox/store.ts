/**
 * The Sandbox's data, in raw SQL on the `sandbox` schema: accounts and their API keys (only
 * SHA-256 hashes stored), and the records of each object with keyset change feeds and tombstones.
 * Timestamps are the server's clock at millisecond precision; an update always moves `updated_at`
 * forward, so (id, updated_at) names one version of a record.
 */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { newId, param, selectList, toJson, type ObjectSpec, type Row } from './objects.ts';

export type Db = Pick<pg.Pool, 'query' | 'connect'>;

export class SandboxError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'SandboxError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const NOW = `date_trunc('milliseconds', clock_timestamp())`;
/** Strictly later than the row's last version, even within the same millisecond. */
const BUMP = `greatest(${NOW}, updated_at + interval '1 millisecond')`;

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export type Account = { id: string; name: string; throttled_until: Date | null };

/** A new account with one API key; the key is returned once and only its hash is kept. */
export async function createAccount(db: Db, name: string): Promise<{ account: Account; key: string }> {
  const id = newId('acc');
  const key = `sbx_${randomBytes(24).toString('base64url')}`;
  const client = await db.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query<Account>('insert into sandbox.accounts (id, name) values ($1, $2) returning id, name, throttled_until', [id, name]);
    await client.query('insert into sandbox.api_keys (id, account_id, key_hash) values ($1, $2, $3)', [newId('key'), id, hashKey(key)]);
    await client.query('commit');
    return { account: rows[0]!, key };
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

export async function accountForKey(db: Db, key: string): Promise<(Account & { key_id: string }) | null> {
  const { rows } = await db.query<Account & { key_id: string }>(
    'select a.id, a.name, a.throttled_until, k.id as key_id from sandbox.api_keys k join sandbox.accounts a on a.id = k.account_id where k.key_hash = $1',
    [hashKey(key)],
  );
  return rows[0] ?? null;
}

export async function findAccount(db: Db, id: string): Promise<Account | null> {
  const { rows } = await db.query<Account>('select id, name, throttled_until from sandbox.accounts where id = $1', [id]);
  return rows[0] ?? null;
}

/** The newest account (what the CLI uses when none is named), and how many there are. */
export async function newestAccount(db: Db): Promise<{ account: Account | null; count: number }> {
  const { rows } = await db.query<Account & { count: string }>(
    'select id, name, throttled_until, count(*) over () as count from sandbox.accounts order by created_at desc, id desc limit 1',
  );
  return { account: rows[0] ?? null, count: Number(rows[0]?.count ?? 0) };
}

/** Every request of the account answers 429 until then (0 seconds lifts it). */
export async function throttleAccount(db: Db, accountId: string, seconds: number): Promise<Date | null> {
  const { rows } = await db.query<{ throttled_until: Date | null }>(
    `update sandbox.accounts set throttled_until = case when $2::int > 0 then now() + make_interval(secs => $2::int) end where id = $1 returning throttled_until`,
    [accountId, seconds],
  );
  if (!rows[0]) throw new SandboxError(404, 'not_found', `No sandbox account '${accountId}'.`);
  return rows[0].throttled_until;
}

/** Keyset position: base64url of `<updated_at ISO>|<id>`. */
export function encodeCursor(updatedAt: Date, id: string): string {
  return Buffer.from(`${updatedAt.toISOString()}|${id}`).toString('base64url');
}

const CURSOR_AT = /^(?!0000)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Only what encodeCursor writes: a forged position would otherwise reach `timestamptz` (a 500). */
export function decodeCursor(cursor: string): { updatedAt: string; id: string } {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const [at, id] = parts;
  const exact = (t: string) => !Number.isNaN(Date.parse(t)) && new Date(t).toISOString() === t;
  if (parts.length !== 2 || !at || !id || !CURSOR_AT.test(at) || !exact(at) || !/^[a-z]{3}_[0-9a-f]{1,64}$/.test(id)) {
    throw new SandboxError(400, 'invalid_cursor', 'The cursor is not one this API gave out; start again without it.');
  }
  return { updatedAt: at, id };
}

export type ListQuery = { updatedSince?: string; cursor?: string; limit: number; project?: string };

/** One page of the change feed, oldest change first, tombstones included. */
export async function listRecords(db: Db, spec: ObjectSpec, accountId: string, q: ListQuery) {
  const after = q.cursor ? decodeCursor(q.cursor) : null;
  const project = spec.columns.includes('project') ? (q.project ?? null) : null;
  const { rows } = await db.query<Row>(
    `select ${selectList(spec)} from sandbox.${spec.name}
      where account_id = $1
        and ($2::timestamptz is null or updated_at >= $2)
        and ($3::timestamptz is null or (updated_at, id) > ($3, $4))
        ${project !== null ? 'and project = $6' : 'and $6::text is null'}
      order by updated_at, id limit $5`,
    [accountId, q.updatedSince ?? null, after?.updatedAt ?? null, after?.id ?? null, q.limit + 1, project],
  );
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { data: page.map((r) => toJson(spec, r)), next_cursor: rows.length > q.limit && last ? encodeCursor(last.updated_at, last.id) : null };
}

export async function getRecord(db: Db, spec: ObjectSpec, accountId: string, id: string): Promise<Record<string, unknown>> {
  const { rows } = await db.query<Row>(`select ${selectList(spec)} from sandbox.${spec.name} where account_id = $1 and id = $2`, [accountId, id]);
  if (!rows[0]) throw notFound(spec, id);
  return toJson(spec, rows[0]);
}

const notFound = (spec: ObjectSpec, id: string) => new SandboxError(404, 'not_found', `No ${spec.singular} '${id}'.`);

const placeholder = (spec: ObjectSpec, column: string, n: number) => (spec.casts[column] ? `$${n}::${spec.casts[column]}` : `$${n}`);

/**
 * Creates a record. With an idempotency key, the first request's record is answered again for the
 * same key and body (`replayed: true`); another body with the same key is a 422.
 */
export async function createRecord(
  db: Db,
  spec: ObjectSpec,
  accountId: string,
  fields: Record<string, unknown>,
  idempotencyKey?: string,
): Promise<{ record: Record<string, unknown>; replayed: boolean }> {
  const id = newId(spec.prefix);
  const cols = spec.columns.filter((c) => fields[c] !== undefined);
  const values = cols.map((c) => param(spec, c, fields[c]));
  const sql = `insert into sandbox.${spec.name} (account_id, id, ${cols.map((c) => `"${c}"`).join(', ')}${cols.length ? ', ' : ''}created_at, updated_at)
    values ($1, $2, ${cols.map((c, i) => placeholder(spec, c, i + 3)).join(', ')}${cols.length ? ', ' : ''}${NOW}, ${NOW}) returning ${selectList(spec)}`;
  if (!idempotencyKey) {
    const { rows } = await db.query<Row>(sql, [accountId, id, ...values]);
    return { record: toJson(spec, rows[0]!), replayed: false };
  }
  const hash = createHash('sha256').update(`${spec.name}\n${JSON.stringify(fields)}`).digest('hex');
  const client = await db.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query<Row>(sql, [accountId, id, ...values]);
    // A concurrent request with the same key waits here for the first to commit, then conflicts.
    const claimed = await client.query(
      'insert into sandbox.idempotency_keys (account_id, key, object, request_hash, record_id) values ($1, $2, $3, $4, $5) on conflict do nothing',
      [accountId, idempotencyKey, spec.name, hash, id],
    );
    if (claimed.rowCount === 1) {
      await client.query('commit');
      return { record: toJson(spec, rows[0]!), replayed: false };
    }
    await client.query('rollback');
    const prior = await db.query<{ object: string; request_hash: string; record_id: string }>(
      'select object, request_hash, record_id from sandbox.idempotency_keys where account_id = $1 and key = $2',
      [accountId, idempotencyKey],
    );
    const p = prior.rows[0]!;
    if (p.object !== spec.name || p.request_hash !== hash) {
      throw new SandboxError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used with a different request.');
    }
    return { record: await getRecord(db, spec, accountId, p.record_id), replayed: true };
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Changes the fields given; a deleted or unknown record is a 404. No change, no new version. */
export async function updateRecord(db: Db, spec: ObjectSpec, accountId: string, id: string, fields: Record<string, unknown>): Promise<{ record: Record<string, unknown>; changed: boolean }> {
  const cols = spec.columns.filter((c) => fields[c] !== undefined);
  if (cols.length) {
    const sets = cols.map((c, i) => `"${c}" = ${placeholder(spec, c, i + 3)}`);
    const differs = cols.map((c, i) => `"${c}" is distinct from ${placeholder(spec, c, i + 3)}`).join(' or ');
    const { rows } = await db.query<Row>(
      `update sandbox.${spec.name} set ${sets.join(', ')}, updated_at = ${BUMP}
        where account_id = $1 and id = $2 and deleted_at is null and (${differs}) returning ${selectList(spec)}`,
      [accountId, id, ...cols.map((c) => param(spec, c, fields[c]))],
    );
    if (rows[0]) return { record: toJson(spec, rows[0]), changed: true };
  }
  const record = await getRecord(db, spec, accountId, id);
  if (record.deleted) throw notFound(spec, id);
  return { record, changed: false };
}

/** Tombstones a record (a delete of a deleted record is a no-op; an unknown id is a 404). */
export async function deleteRecord(db: Db, spec: ObjectSpec, accountId: string, id: string): Promise<{ changed: boolean }> {
  const { rows } = await db.query<{ changed: boolean }>(
    `with upd as (update sandbox.${spec.name} set deleted_at = ${NOW}, updated_at = ${BUMP}
                   where account_id = $1 and id = $2 and deleted_at is null returning id)
     select true as changed from upd
     union all select false from sandbox.${spec.name} where account_id = $1 and id = $2 and not exists (select 1 from upd)`,
    [accountId, id],
  );
  if (!rows[0]) throw notFound(spec, id);
  return { changed: rows[0].changed };
}

/**
 * Postgres advisory locks: the one way Patchbay serialises work across processes (server and
 * workers) without a row to lock — token refreshes, chat installations, migrations.
 */
import type pg from 'pg';

/**
 * Runs `fn` holding a session advisory lock on its own pooled connection (handed to `fn`, which
 * may also use any other connection meanwhile). String keys are hashed by Postgres (`hashtext`); numbers are used
 * as they are. If unlocking fails, the connection is destroyed rather than returned to the pool
 * with the lock still held.
 */
export async function withAdvisoryLock<T>(pool: pg.Pool, key: string | number, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const [lock, unlock] =
    typeof key === 'number'
      ? ['select pg_advisory_lock($1)', 'select pg_advisory_unlock($1)']
      : ['select pg_advisory_lock(hashtext($1))', 'select pg_advisory_unlock(hashtext($1))'];
  let broken: Error | undefined;
  try {
    await client.query(lock, [key]);
    return await fn(client);
  } finally {
    await client.query(unlock, [key]).catch((err: Error) => (broken = err));
    client.release(broken);
  }
}

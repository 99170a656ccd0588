import type pg from 'pg';
import { ENCRYPTED_COLUMNS, type Vault } from './vault.ts';

/** Re-encrypts every stored secret under the current key, in small transactions. Returns counts per column. */
export async function rotateAll(pool: pg.Pool, vault: Vault): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { table, column, key } of ENCRYPTED_COLUMNS) {
    let n = 0;
    const { rows } = await pool.query<{ k: string; v: string }>(
      `select ${key}::text as k, ${column} as v from ${table} where ${column} is not null`,
    );
    for (const row of rows) {
      if (!vault.needsRotation(row.v)) continue;
      const fresh = vault.encrypt(vault.decrypt(row.v));
      // Compare-and-set: a concurrent update since we read wins, and is already under the current key.
      const res = await pool.query(`update ${table} set ${column} = $1 where ${key}::text = $2 and ${column} = $3`, [fresh, row.k, row.v]);
      n += res.rowCount ?? 0;
    }
    counts[`${table}.${column}`] = n;
  }
  return counts;
}

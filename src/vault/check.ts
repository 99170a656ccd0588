/**
 * The start-up check that every stored credential can be decrypted. Setting ENCRYPTION_KEY on
 * data written with the generated development key used to start silently, then fail every test
 * while the connections still showed `connected`. Now start-up refuses and says which key is
 * missing and where it is — or, with ALLOW_UNDECRYPTABLE_CREDENTIALS, starts and marks exactly
 * those connections errored through the lifecycle writer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { systemActor } from '../connections/actor.ts';
import { markErrored } from '../connections/system-transitions.ts';
import type { Runtime } from '../runtime.ts';
import { StartupError } from '../startup-error.ts';
import { devKeyFile, ENCRYPTED_COLUMNS, keyId } from './vault.ts';

export type Undecryptable = {
  /** Rows per `table.column` whose key is not configured. */
  counts: Record<string, number>;
  total: number;
  /** The key ids they were written with. */
  keyIds: string[];
  /** Live connections (workspace, id) among them: the ones to mark errored. */
  connections: Array<{ id: string; workspaceId: string; keyId: string }>;
};

export async function findUndecryptable(rt: Runtime): Promise<Undecryptable> {
  const known = [...rt.vault.keyIds];
  const counts: Record<string, number> = {};
  const ids = new Set<string>();
  let total = 0;
  for (const { table, column } of ENCRYPTED_COLUMNS) {
    // The key id is the second dot-separated part of every ciphertext (`v1.<keyId>.…`).
    const { rows } = await rt.db.pool.query<{ key_id: string; n: string }>(
      `select split_part(${column}::text, '.', 2) as key_id, count(*) as n from ${table}
       where ${column} is not null and split_part(${column}::text, '.', 2) <> all($1::text[]) group by 1`,
      [known],
    );
    for (const r of rows) {
      ids.add(r.key_id);
      counts[`${table}.${column}`] = (counts[`${table}.${column}`] ?? 0) + Number(r.n);
      total += Number(r.n);
    }
  }
  const { rows: conns } = await rt.db.pool.query<{ id: string; workspace_id: string; key_id: string }>(
    `select id, workspace_id, split_part(credentials, '.', 2) as key_id from connections where credentials is not null and status not in ('disconnected', 'errored')
     and split_part(credentials, '.', 2) <> all($1::text[])`,
    [known],
  );
  return { counts, total, keyIds: [...ids].sort(), connections: conns.map((c) => ({ id: c.id, workspaceId: c.workspace_id, keyId: c.key_id })) };
}

/** The key id of the development key file, when there is one. */
function devKeyId(rt: Runtime): string | null {
  const file = devKeyFile(rt.config);
  if (!existsSync(file)) return null;
  try {
    return keyId(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'));
  } catch {
    return null;
  }
}

export function undecryptableMessage(rt: Runtime, u: Undecryptable): string {
  const where = Object.entries(u.counts)
    .map(([col, n]) => `${n} in ${col}`)
    .join(', ');
  const keys = u.keyIds.length === 1 ? `key ${u.keyIds[0]}` : `keys ${u.keyIds.join(', ')}`;
  const lines = [
    `${u.total} stored credential${u.total === 1 ? '' : 's'} (${where}) cannot be decrypted: written with ${keys}, which is neither ENCRYPTION_KEY (key ${rt.vault.currentKeyId}) nor in ENCRYPTION_KEYS_PREVIOUS.`,
  ];
  const dev = devKeyId(rt);
  const file = devKeyFile(rt.config);
  if (dev && u.keyIds.includes(dev)) {
    lines.push(`Key ${dev} is the development key in ${file}, used before ENCRYPTION_KEY was set. Add its contents to ENCRYPTION_KEYS_PREVIOUS (or unset ENCRYPTION_KEY), start, then run \`npm run vault:rotate\`.`);
  } else {
    lines.push(`Add the key they were written with to ENCRYPTION_KEYS_PREVIOUS, start, then run \`npm run vault:rotate\`.`);
  }
  lines.push('To start anyway, with those connections marked errored (reconnect them to fix), set ALLOW_UNDECRYPTABLE_CREDENTIALS=true.');
  return lines.join('\n');
}

/** Refuses to start on undecryptable credentials, or (with the override) errors exactly those connections. */
export async function checkCredentialsDecrypt(rt: Runtime): Promise<void> {
  const u = await findUndecryptable(rt);
  if (!u.total) return;
  if (!rt.config.ALLOW_UNDECRYPTABLE_CREDENTIALS) throw new StartupError(undecryptableMessage(rt, u));
  rt.logger.warn({ counts: u.counts, keyIds: u.keyIds, connections: u.connections.length }, 'starting with undecryptable credentials (ALLOW_UNDECRYPTABLE_CREDENTIALS=true)');
  for (const c of u.connections) {
    const reason = `Its stored credentials were encrypted with key ${c.keyId}, which no configured key matches. Reconnect it, or restore that key.`;
    await markErrored(rt, systemActor(c.workspaceId, 'start-up key check'), c.id, reason);
  }
}

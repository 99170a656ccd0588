/**
 * Receipts of deliveries from outside (chat platforms, provider webhooks): record one before
 * handling, mark it processed after. Senders retry what they think was lost, so the first
 * record of a (source, scope, delivery id) wins and later ones are reported as duplicates.
 */
import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import type { ChatPlatform } from '../chat/platforms.ts';
import type { Runtime } from '../runtime.ts';

export type ReceiptKey = {
  /** Who sent it and what it is: `slack:event`, `discord:interaction`, `webhook:github`, … */
  source: string;
  /** Whose delivery ids these are: see `receiptScope`. */
  scope: string;
  deliveryId: string;
};

/** Scopes: the app as a whole (ids unique across it), one chat team, or one connection. */
export const receiptScope = {
  app: 'app',
  team: (platform: ChatPlatform, teamId: string) => `team:${platform}:${teamId}`,
  connection: (connectionId: string) => `connection:${connectionId}`,
} as const;

export type Receipt = { first: boolean; processedAt: Date | null };

async function withClient<T>(rt: Runtime, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await rt.db.pool.connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

/** Records a delivery; `first` is false when it was recorded before (a retry or a replay). */
export async function recordReceipt(rt: Runtime, key: ReceiptKey, opts: { kind?: string; payload?: string | Buffer } = {}): Promise<Receipt> {
  const hash = opts.payload === undefined ? null : createHash('sha256').update(opts.payload).digest('hex');
  // On the acknowledgement path (Slack allows 3 s): the commit does not wait for the WAL flush.
  // A crash could forget the last moment's receipts — a replay inside that instant would run
  // again — which costs far less than an fsync on every chat command.
  const inserted = await withClient(rt, async (c) => {
    await c.query('begin');
    try {
      await c.query('set local synchronous_commit to off');
      const r = await c.query(
        `insert into inbound_receipts (source, scope, delivery_id, kind, payload_hash, received_at) values ($1, $2, $3, $4, $5, now())
         on conflict (source, scope, delivery_id) do nothing`,
        [key.source, key.scope, key.deliveryId, opts.kind ?? null, hash],
      );
      await c.query('commit');
      return r;
    } catch (err) {
      await c.query('rollback').catch(() => {});
      throw err;
    }
  });
  if (inserted.rowCount === 1) return { first: true, processedAt: null };
  const { rows } = await rt.db.pool.query<{ processed_at: Date | null }>(
    'select processed_at from inbound_receipts where source = $1 and scope = $2 and delivery_id = $3',
    [key.source, key.scope, key.deliveryId],
  );
  return { first: false, processedAt: rows[0]?.processed_at ?? null };
}

/** Marks a recorded delivery as handled. */
export async function markProcessed(rt: Runtime, key: ReceiptKey): Promise<void> {
  await rt.db.pool.query('update inbound_receipts set processed_at = now() where source = $1 and scope = $2 and delivery_id = $3', [
    key.source,
    key.scope,
    key.deliveryId,
  ]);
}

/**
 * Records a delivery inside the caller's transaction (`em.transactional`), so the receipt and
 * the work it guards commit or roll back together: a failure after the receipt cannot make the
 * sender's retry look like a duplicate. A concurrent copy waits on the first one's row and, once
 * that commits, is reported as not first. Returns whether this is the first record.
 */
export async function recordReceiptIn(em: EntityManager, key: ReceiptKey, opts: { kind?: string; payload?: string | Buffer } = {}): Promise<boolean> {
  const hash = opts.payload === undefined ? null : createHash('sha256').update(opts.payload).digest('hex');
  const rows = await em.execute<Array<{ inserted: boolean }>>(
    `insert into inbound_receipts (source, scope, delivery_id, kind, payload_hash, received_at) values (?, ?, ?, ?, ?, now())
     on conflict (source, scope, delivery_id) do nothing returning true as inserted`,
    [key.source, key.scope, key.deliveryId, opts.kind ?? null, hash],
  );
  return rows.length === 1;
}

/**
 * What the retention job prunes. Each feature that keeps logs or records registers its rule
 * here (one line each), so retention lives in one place rather than in every feature.
 */
import type { Config } from '../config/index.ts';

export type RetentionRule = {
  /** Table to prune. */
  table: string;
  /** Timestamp column compared against the cut-off. */
  column: string;
  /** Days to keep; defaults to RETENTION_DAYS. */
  keepDays?: (config: Config) => number;
  /** Extra SQL condition (rows that must never be pruned, e.g. still-active tokens). */
  where?: string;
};

export const retentionRules: RetentionRule[] = [
  // Revoked API tokens are kept a while for the audit trail, then dropped.
  { table: 'api_tokens', column: 'revoked_at', where: 'revoked_at is not null' },
  { table: 'connection_logs', column: 'created_at' },
  { table: 'audit_logs', column: 'created_at', keepDays: () => 365 },
  // Events are kept as long as logs, and their per-transaction deliveries with them.
  { table: 'domain_events', column: 'created_at' },
  { table: 'event_deliveries', column: 'delivered_at' },
  // Pending authorizations live 10 minutes; keep a day for troubleshooting.
  { table: 'oauth_states', column: 'expires_at', keepDays: () => 1 },
  // Link codes live 30 minutes; keep used and expired ones a week for the audit trail.
  { table: 'chat_link_codes', column: 'expires_at', keepDays: () => 7 },
  // Senders retry for at most an hour (Slack); a day of delivery ids is plenty to de-duplicate.
  { table: 'inbound_receipts', column: 'received_at', keepDays: () => 3 },
  // A channel's last post matters for a second; rows of channels quiet for a day go.
  { table: 'chat_channel_paces', column: 'last_post_at', keepDays: () => 1 },
  // Rate-limit windows last minutes; counters of keys idle for a day go (random tokens, old addresses).
  { table: 'rate_limit_counters', column: 'window_start', keepDays: () => 1 },
  // Sync runs are kept like logs (the connection log has one summary line per run).
  { table: 'sync_runs', column: 'finished_at', where: 'finished_at is not null' },
  // The push's change log: a week, and never a row a rule's push has not passed yet.
  {
    table: 'work_changes',
    column: 'changed_at',
    keepDays: () => 7,
    where: `not exists (select 1 from sync_rules r where r.workspace_id = work_changes.workspace_id and r.local_object = work_changes.object
              and r.direction <> 'in' and r.push_cursor is not null
              and coalesce(r.push_cursor->>'xid', r.push_cursor->>'bound')::xid8 <= work_changes.xid)`,
  },
  // Webhook attempts are logs. Deliveries go with them once settled; a delivery an active or
  // paused endpoint has not received yet is never pruned (it holds the event's body as sent).
  { table: 'webhook_attempts', column: 'attempted_at' },
  {
    table: 'webhook_deliveries',
    column: 'created_at',
    where: `status <> 'pending' or not exists (select 1 from webhook_endpoints e where e.id = webhook_deliveries.endpoint_id and e.status in ('active', 'paused'))`,
  },
  // Custom hooks' received bodies are kept 30 days (the API lists them; their alerts went out at once).
  { table: 'inbound_hook_messages', column: 'received_at', keepDays: () => 30 },
];

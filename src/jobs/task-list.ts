/** Every job type, in one place. A task is one file in ./tasks named by its identifier. */
import dispatchEvents from './tasks/dispatch-events.ts';
import inboundApply from './tasks/inbound-apply.ts';
import postAlert from './tasks/post-alert.ts';
import providerWebhooksRenew from './tasks/provider-webhooks-renew.ts';
import providerWebhooksSync from './tasks/provider-webhooks-sync.ts';
import postHookAlert from './tasks/post-hook-alert.ts';
import refreshIdleTokens from './tasks/refresh-idle-tokens.ts';
import refreshToken from './tasks/refresh-token.ts';
import resumeConnection from './tasks/resume-connection.ts';
import retention from './tasks/retention.ts';
import syncRun from './tasks/sync-run.ts';
import syncSchedule from './tasks/sync-schedule.ts';
import webhookDrain from './tasks/webhook-drain.ts';
import type { TaskDefinition } from './define-task.ts';

export const tasks = {
  dispatch_events: dispatchEvents,
  inbound_apply: inboundApply,
  post_alert: postAlert,
  provider_webhooks_renew: providerWebhooksRenew,
  provider_webhooks_sync: providerWebhooksSync,
  post_hook_alert: postHookAlert,
  refresh_idle_tokens: refreshIdleTokens,
  refresh_token: refreshToken,
  resume_connection: resumeConnection,
  retention,
  sync_run: syncRun,
  sync_schedule: syncSchedule,
  webhook_drain: webhookDrain,
} satisfies Record<string, TaskDefinition<any>>;

export type TaskName = keyof typeof tasks;

/** Recurring jobs (graphile-worker crontab syntax; minute granularity). */
export const crontab = `
# prune old logs and records daily at 03:17 UTC
17 3 * * * retention ?max=1&jobKey=retention
# keep idle OAuth connections' refresh tokens alive
41 4 * * * refresh_idle_tokens ?max=1&jobKey=refresh_idle_tokens
# restart sync rules whose schedule lapsed (a connection recovered, a worker died)
* * * * * sync_schedule ?max=1&jobKey=sync_schedule
# renew provider webhooks before they expire (Google watch channels)
*/10 * * * * provider_webhooks_renew ?max=1&jobKey=provider_webhooks_renew
`;

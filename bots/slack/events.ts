/**
 * Events API (https://docs.slack.dev/apis/events-api): Slack retries an event it thinks was not
 * received (up to 3 times, with `X-Slack-Retry-Num`), so each `event_id` is handled once — the
 * first delivery inserts a receipt row, later ones find it and stop. Bolt acknowledges events
 * itself before any of this runs.
 * - `app_uninstalled`: the team is deactivated (it must be linked again after a reinstall), its
 *   alert subscriptions stop, its stored tokens are forgotten.
 * - `tokens_revoked` with bot tokens: the same. Revoked user tokens alone change nothing (Patchbay
 *   never uses them).
 */
import type { App, InstallationStore } from '@slack/bolt';
import { deactivateTeam } from '../../src/chat/tenancy.ts';
import type { Runtime } from '../../src/runtime.ts';

/** Records an event id; true the first time it is seen. Receipts are pruned after a day (src/jobs/retention.ts). */
export async function firstDelivery(rt: Runtime, e: { eventId: string; teamId: string | null; type: string }): Promise<boolean> {
  const res = await rt.db.pool.query(
    `insert into slack_event_receipts (event_id, team_id, event_type, received_at) values ($1, $2, $3, now())
     on conflict (event_id) do nothing returning event_id`,
    [e.eventId, e.teamId, e.type],
  );
  return res.rowCount === 1;
}

type EventBody = { type?: string; event_id?: string; team_id?: string; event?: { type?: string; tokens?: { bot?: string[]; oauth?: string[] } } };

export function registerEvents(app: App, rt: Runtime, store: InstallationStore | null): void {
  // De-duplication, before any event listener.
  app.use(async ({ body, next, context }) => {
    const b = body as EventBody;
    if (b.type !== 'event_callback' || !b.event_id) return await next();
    const first = await firstDelivery(rt, { eventId: b.event_id, teamId: b.team_id ?? null, type: b.event?.type ?? 'unknown' });
    if (!first) {
      rt.logger.info({ eventId: b.event_id, type: b.event?.type, retryNum: context.retryNum, retryReason: context.retryReason }, 'slack event retry ignored: already handled');
      return;
    }
    await next();
  });

  async function deactivate(teamId: string, reason: string) {
    await deactivateTeam(rt, 'slack', teamId, reason);
    if (store?.deleteInstallation) await store.deleteInstallation({ teamId, enterpriseId: undefined, isEnterpriseInstall: false });
  }

  app.event('app_uninstalled', async ({ body }) => {
    const teamId = (body as EventBody).team_id;
    if (!teamId) return;
    await deactivate(teamId, 'The Slack app was uninstalled from this workspace.');
  });

  app.event('tokens_revoked', async ({ body, event }) => {
    const teamId = (body as EventBody).team_id;
    if (!teamId) return;
    const bots = event.tokens.bot ?? [];
    if (!bots.length) {
      rt.logger.info({ team: teamId, users: event.tokens.oauth?.length ?? 0 }, 'slack user tokens revoked: nothing to do (Patchbay uses the bot token)');
      return;
    }
    await deactivate(teamId, 'The Slack bot token was revoked.');
  });
}

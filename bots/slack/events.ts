/**
 * Events API (https://docs.slack.dev/apis/events-api): Slack retries an event it thinks was not
 * received (up to 3 times, with `X-Slack-Retry-Num`), so each `event_id` is handled once — the
 * first delivery records an inbound receipt (src/inbound/receipts.ts; event ids are unique
 * across the app), later ones find it and stop; the receipt is marked processed once handled. Bolt acknowledges events
 * itself before any of this runs.
 * - `app_uninstalled`: the team is deactivated (it must be linked again after a reinstall), its
 *   alert subscriptions stop, its stored tokens are forgotten.
 * - `tokens_revoked` with bot tokens: the same. Revoked user tokens alone change nothing (Patchbay
 *   never uses them).
 */
import type { App, InstallationStore } from '@slack/bolt';
import { deactivateTeam } from '../../src/chat/tenancy.ts';
import { markProcessed, receiptScope, recordReceipt, type ReceiptKey } from '../../src/inbound/receipts.ts';
import type { Runtime } from '../../src/runtime.ts';

type EventBody = { type?: string; event_id?: string; team_id?: string; event?: { type?: string; tokens?: { bot?: string[]; oauth?: string[] } } };

export function registerEvents(app: App, rt: Runtime, store: InstallationStore | null): void {
  // De-duplication, before any event listener.
  app.use(async ({ body, next, context }) => {
    const b = body as EventBody;
    if (b.type !== 'event_callback' || !b.event_id) return await next();
    const key: ReceiptKey = { source: 'slack:event', scope: receiptScope.app, deliveryId: b.event_id };
    const receipt = await recordReceipt(rt, key, { kind: b.event?.type ?? 'unknown', payload: JSON.stringify(body) });
    if (!receipt.first) {
      rt.logger.info({ eventId: b.event_id, type: b.event?.type, retryNum: context.retryNum, retryReason: context.retryReason }, 'slack event retry ignored: already handled');
      return;
    }
    await next();
    await markProcessed(rt, key);
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

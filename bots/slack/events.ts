/**
 * Events API (https://docs.slack.dev/apis/events-api): Slack retries an event it thinks was not
 * received (up to 3 times, with `X-Slack-Retry-Num`). Each `event_id` gets an inbound receipt
 * (src/inbound/receipts.ts; event ids are unique across the app) that is marked processed only
 * once its handling succeeded: a retry of a processed event stops, a retry of one whose handling
 * failed (or crashed) runs it again — the handlers are idempotent, so that is safe.
 * In HTTP mode the events are handled before Slack is answered (ingress.ts: a failure answers
 * 500 and Slack retries); in Socket Mode, as Bolt middleware.
 * - `app_uninstalled`: the team is deactivated (it must be linked again after a reinstall), its
 *   alert subscriptions stop, its stored tokens are forgotten.
 * - `tokens_revoked` with bot tokens: the same. Revoked user tokens alone change nothing (Patchbay
 *   never uses them).
 */
import type { App, InstallationStore } from '@slack/bolt';
import { z } from 'zod';
import { deactivateTeam } from '../../src/chat/tenancy.ts';
import { markProcessed, receiptScope, recordReceipt, type ReceiptKey } from '../../src/inbound/receipts.ts';
import type { Runtime } from '../../src/runtime.ts';

const eventCallback = z
  .object({
    type: z.literal('event_callback'),
    event_id: z.string().min(1),
    team_id: z.string().optional(),
    event: z.object({ type: z.string(), tokens: z.object({ bot: z.array(z.string()).optional(), oauth: z.array(z.string()).optional() }).optional() }).loose(),
  })
  .loose();

/** Handles one event callback once; throws when its handling failed (the receipt stays open for a retry). */
export async function handleSlackEvent(rt: Runtime, store: InstallationStore | null, body: unknown, meta: { retryNum?: unknown } = {}): Promise<'handled' | 'duplicate'> {
  const b = eventCallback.parse(body);
  const key: ReceiptKey = { source: 'slack:event', scope: receiptScope.app, deliveryId: b.event_id };
  const receipt = await recordReceipt(rt, key, { kind: b.event.type, payload: JSON.stringify(body) });
  if (!receipt.first && receipt.processedAt) {
    rt.logger.info({ eventId: b.event_id, type: b.event.type, retryNum: meta.retryNum }, 'slack event retry ignored: already handled');
    return 'duplicate';
  }
  if (!receipt.first) rt.logger.warn({ eventId: b.event_id, type: b.event.type, retryNum: meta.retryNum }, 'slack event seen before but not handled: handling it again');
  await dispatch(rt, store, b);
  await markProcessed(rt, key);
  return 'handled';
}

async function dispatch(rt: Runtime, store: InstallationStore | null, b: z.infer<typeof eventCallback>): Promise<void> {
  const teamId = b.team_id;
  if (!teamId) return;
  const deactivate = async (reason: string) => {
    await deactivateTeam(rt, 'slack', teamId, reason);
    if (store?.deleteInstallation) await store.deleteInstallation({ teamId, enterpriseId: undefined, isEnterpriseInstall: false });
  };
  if (b.event.type === 'app_uninstalled') {
    await deactivate('The Slack app was uninstalled from this workspace.');
    return;
  }
  if (b.event.type === 'tokens_revoked') {
    const bots = b.event.tokens?.bot ?? [];
    if (!bots.length) {
      rt.logger.info({ team: teamId, users: b.event.tokens?.oauth?.length ?? 0 }, 'slack user tokens revoked: nothing to do (Patchbay uses the bot token)');
      return;
    }
    await deactivate('The Slack bot token was revoked.');
  }
}

/** Socket Mode (and any event that reaches Bolt): the same handling, as global middleware. */
export function registerEvents(app: App, rt: Runtime, store: InstallationStore | null): void {
  app.use(async ({ body, next, context }) => {
    if ((body as { type?: string }).type !== 'event_callback') return await next();
    await handleSlackEvent(rt, store, body, { retryNum: context.retryNum });
  });
}

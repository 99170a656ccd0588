/**
 * Custom hooks in chat: channels subscribed with `alerts here hooks` (for every connection: hooks
 * belong to the workspace) get the bodies hooks receive, throttled per hook and channel. The
 * subscriber queues one `post_hook_alert` job per (hook, channel) under a job key that keeps its
 * run time: while one waits, later messages fold into it. The job posts the newest message with
 * how many arrived since the previous post, at most one post per HOOKS_ALERT_INTERVAL_SECONDS,
 * and records how far it got (inbound_hook_posts). Jobs run in the channel's alert queue, one at
 * a time, so two never post the same messages. A flood thus costs a channel one post per interval.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { isBotPlatform } from '../chat/platforms.ts';
import { AlertSubscription } from '../entities/alert-subscription.ts';
import { InboundHook, InboundHookMessage, InboundHookPost } from '../entities/inbound-hook.ts';
import { defineSubscriber } from '../events/subscribers.ts';
import { enqueue } from '../jobs/enqueue.ts';
import { scrubText, type Logger } from '../logger.ts';
import type { Runtime } from '../runtime.ts';
import { postPaced } from './deliver.ts';
import { renderHookAlert } from './hook-message.ts';
import { ChannelGoneError, PosterPermanentError, PosterRateLimitedError, type PostTarget } from './posters.ts';
import { channelQueue, POST_MAX_ATTEMPTS } from './subscriber.ts';
import { deactivateChannel } from './subscriptions.ts';

export type HookAlertPayload = { hookId: string; target: PostTarget; subscriptionId: string };

const jobKey = (p: HookAlertPayload) => `post_hook_alert:${p.hookId}:${channelQueue(p.target)}`;

/** Queues (or folds into the waiting) post for this hook and channel, not before the interval since the last one. */
async function queueHookPost(em: EntityManager, rt: Runtime, p: HookAlertPayload, notBefore?: Date): Promise<void> {
  let runAt = notBefore;
  if (!runAt) {
    const state = await em.findOne(InboundHookPost, { hook: p.hookId, channelKey: channelQueue(p.target) });
    const next = state ? state.lastPostedAt.getTime() + rt.config.HOOKS_ALERT_INTERVAL_SECONDS * 1000 : 0;
    runAt = new Date(Math.max(Date.now(), next));
  }
  await enqueue(em, 'post_hook_alert', p, { queueName: channelQueue(p.target), jobKey: jobKey(p), jobKeyMode: 'preserve_run_at', runAt, maxAttempts: POST_MAX_ATTEMPTS });
}

/** The outbox subscriber (registered at the composition root, src/main/lifecycle.ts). */
export const hookAlertSubscriber = defineSubscriber({
  name: 'hook_alerts',
  types: ['hook_received'],
  async handle(events, { em, rt }) {
    const seen = new Set<string>();
    for (const event of events) {
      if (seen.has(event.entityId)) continue;
      seen.add(event.entityId);
      const subs = await em.find(AlertSubscription, { workspace: event.workspaceId, active: true, connection: null }, { orderBy: { createdAt: 'asc' } });
      const channels = new Set<string>();
      for (const s of subs) {
        if (!s.kinds.includes('hooks') || !isBotPlatform(s.platform)) continue;
        const target: PostTarget = { platform: s.platform, teamId: s.teamExternalId, channelId: s.channelId };
        if (channels.has(channelQueue(target))) continue;
        channels.add(channelQueue(target));
        await queueHookPost(em, rt, { hookId: event.entityId, target, subscriptionId: s.id });
      }
    }
  },
});

export type HookAlertContext = { rt: Runtime; em: EntityManager; logger: Logger };

/** The `post_hook_alert` job: posts what this channel has not seen of the hook yet, or waits for the interval. */
export async function postHookAlert(p: HookAlertPayload, { rt, em, logger }: HookAlertContext): Promise<void> {
  const log = logger.child({ hookId: p.hookId, platform: p.target.platform, team: p.target.teamId, channel: p.target.channelId });
  const sub = await em.findOne(AlertSubscription, { id: p.subscriptionId });
  if (!sub?.active || !sub.kinds.includes('hooks')) return log.info('hook alert dropped: the channel unsubscribed');
  const hook = await em.findOne(InboundHook, { id: p.hookId });
  if (!hook) return log.info('hook alert dropped: the hook was deleted');
  const channelKey = channelQueue(p.target);
  const state = await em.findOne(InboundHookPost, { hook: p.hookId, channelKey });
  const due = state ? state.lastPostedAt.getTime() + rt.config.HOOKS_ALERT_INTERVAL_SECONDS * 1000 : 0;
  if (due > Date.now()) {
    // Queued while a post was going out: wait for the interval, then cover everything since.
    await queueHookPost(em, rt, p, new Date(due));
    return;
  }
  // The first post in a channel covers what arrived since it subscribed, not the hook's whole past.
  const after = state?.lastMessageId ?? 0;
  const since = state ? new Date(0) : sub.createdAt;
  const latest = await em.findOne(InboundHookMessage, { hook: p.hookId, id: { $gt: after }, receivedAt: { $gte: since } }, { orderBy: { id: 'desc' } });
  if (!latest) return;
  const [stats] = await em.execute<Array<{ n: number; since: Date }>>(
    'select count(*)::int as n, min(received_at) as since from inbound_hook_messages where hook_id = ? and id > ? and id <= ? and received_at >= ?',
    [p.hookId, after, latest.id, since],
  );
  const reply = renderHookAlert({ hook: { id: hook.id, name: hook.name }, latest, count: stats?.n ?? 1, since: new Date(stats?.since ?? latest.receivedAt) });
  try {
    const posted = await postPaced(rt, p.target, reply);
    log.info({ messageRef: posted.messageRef, messages: stats?.n ?? 1 }, 'hook alert posted');
  } catch (err) {
    if (err instanceof ChannelGoneError) {
      const stopped = await deactivateChannel(rt, p.target, `Channel gone: ${scrubText(err.message)}`);
      return log.warn({ subscriptions: stopped }, 'channel no longer reachable: unsubscribed it; hook alert not posted');
    }
    if (err instanceof PosterRateLimitedError) {
      await queueHookPost(em, rt, p, new Date(Date.now() + Math.max(1, err.retryAfterSeconds) * 1000));
      return log.info({ retryAfterSeconds: err.retryAfterSeconds }, 'chat platform rate limit: hook alert rescheduled');
    }
    if (!(err instanceof PosterPermanentError)) throw err; // retried with backoff; the cursor has not moved
    log.error({ code: err.code, error: scrubText(err.message) }, 'hook alert refused by the chat platform for good; moving past these messages');
  }
  await em.upsert(InboundHookPost, { hook: p.hookId, channelKey, lastPostedAt: new Date(), lastMessageId: latest.id });
}

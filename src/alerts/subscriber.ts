/**
 * The alert pipeline's subscriber: turns connection events into `post_alert` jobs, one per
 * channel and event, in the same transaction that records the event's delivery (so a retried
 * dispatch never queues twice). De-duplication lives here: a (subscription, connection, kind)
 * is alerted once per state change — a connection that stays errored is not alerted again.
 */
import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { AlertPost, type AlertState } from '../entities/alert-post.ts';
import { AlertSubscription, type IAlertSubscription } from '../entities/alert-subscription.ts';
import { CHAT_PLATFORMS, isBotPlatform, type BotPlatform } from '../chat/platforms.ts';
import type { ConnectionSnapshot, RecordedEvent } from '../events/catalog/index.ts';
import { defineSubscriber } from '../events/subscribers.ts';
import { enqueue } from '../jobs/enqueue.ts';
import type { PostTarget } from './posters.ts';
import { alertEventTypes, alertRenderers } from './renderers/index.ts';

/** Attempts per post before it is given up (graphile-worker backs off exp(attempt) s: about 9.6 h in all). */
export const POST_MAX_ATTEMPTS = 10;

export type PostAlertPayload = {
  renderer: string;
  eventId: number;
  target: PostTarget;
  subscriptionId?: string;
  alertPostId?: string;
  /** Recoveries: the alert event whose message this follow-up is threaded under. */
  threadOf?: number | null;
  closes?: Exclude<AlertState, 'ok'>;
};

/** One queue per channel: its posts go out one at a time, in order, spaced by the job (≈1 message/s). */
export function channelQueue(t: PostTarget): string {
  return `alerts:${t.platform}:${t.teamId}:${t.channelId}`;
}

async function queuePost(em: EntityManager, payload: PostAlertPayload): Promise<void> {
  const t = payload.target;
  await enqueue(em, 'post_alert', payload, {
    queueName: channelQueue(t),
    jobKey: `post_alert:${t.platform}:${t.teamId}:${t.channelId}:${payload.eventId}:${payload.renderer}${payload.closes ? `:${payload.closes}` : ''}`,
    maxAttempts: POST_MAX_ATTEMPTS,
  });
}

function targetOf(s: IAlertSubscription): PostTarget {
  // Subscriptions are read for bot platforms only (see handleAlertEvent).
  return { platform: s.platform as BotPlatform, teamId: s.teamExternalId, channelId: s.channelId };
}

/** One subscription per channel: a connection-specific one wins over the channel's catch-all (deterministic, so threads line up). */
function onePerChannel(subs: IAlertSubscription[]): IAlertSubscription[] {
  const sorted = [...subs].sort((a, b) => Number(b.connection !== null) - Number(a.connection !== null) || a.createdAt.getTime() - b.createdAt.getTime());
  const seen = new Set<string>();
  return sorted.filter((s) => {
    const key = channelQueue(targetOf(s));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function lockedPost(em: EntityManager, subscriptionId: string, connectionId: string, kind: IAlertSubscription['kinds'][number]) {
  const where = { subscription: subscriptionId, connection: connectionId, kind };
  const found = await em.findOne(AlertPost, where, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (found) return found;
  const row = em.create(AlertPost, where);
  await em.flush();
  return row;
}

export async function handleAlertEvent(event: RecordedEvent, em: EntityManager): Promise<void> {
  const connectionId = event.entityType === 'connection' ? event.entityId : null;
  if (event.type === 'connection_disconnected' && connectionId) {
    // Nothing to recover any more: close open states without a post.
    await em.nativeUpdate(AlertPost, { connection: connectionId, state: { $ne: 'ok' } }, { state: 'ok' });
    return;
  }
  let subs: IAlertSubscription[] | undefined;
  /** A connection's subscriptions and the catch-all ones; null: only the catch-all ones (workspace-wide events). */
  const subscriptionsOf = async (id: string | null) =>
    await em.find(AlertSubscription, {
      workspace: event.workspaceId,
      active: true,
      platform: { $in: [...CHAT_PLATFORMS] },
      $or: id ? [{ connection: null }, { connection: id }] : [{ connection: null }],
    });
  const subscriptions = async () => (subs ??= connectionId ? await subscriptionsOf(connectionId) : []);
  for (const renderer of alertRenderers) {
    if (!renderer.types.includes(event.type)) continue;
    const match = renderer.match(event);
    if (!match) continue;
    if ('toChatContext' in match) {
      const t = match.toChatContext;
      // Started from the terminal: the CLI showed the outcome itself; there is no channel to post in.
      if (!isBotPlatform(t.platform)) continue;
      await queuePost(em, { renderer: renderer.name, eventId: event.id, target: { platform: t.platform, teamId: t.teamId, channelId: t.channelId } });
      continue;
    }
    if ('notifies' in match) {
      const kind = match.notifies;
      for (const sub of onePerChannel((await subscriptionsOf(match.connectionId)).filter((s) => s.kinds.includes(kind)))) {
        await queuePost(em, { renderer: renderer.name, eventId: event.id, target: targetOf(sub), subscriptionId: sub.id });
      }
      continue;
    }
    if (!connectionId) continue;
    if ('opens' in match) {
      for (const sub of onePerChannel((await subscriptions()).filter((s) => s.kinds.includes(match.kind)))) {
        const row = await lockedPost(em, sub.id, connectionId, match.kind);
        if (row.state === match.opens) continue; // already alerted about this state: one alert per state change
        row.state = match.opens;
        row.alertEventId = event.id;
        row.messageRef = null;
        row.attempts = 0;
        row.lastError = null;
        await em.flush();
        await queuePost(em, { renderer: renderer.name, eventId: event.id, target: targetOf(sub), subscriptionId: sub.id, alertPostId: row.id });
      }
      continue;
    }
    // Recovery: every open state of this connection in a still-subscribed channel gets a follow-up.
    const active = await subscriptions();
    const byId = new Map(active.map((s) => [s.id, s]));
    const open = await em.find(
      AlertPost,
      { connection: connectionId, state: { $ne: 'ok' }, subscription: { $in: [...byId.keys()] } },
      { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { createdAt: 'asc' } },
    );
    const posted = new Set<string>();
    for (const row of open) {
      const sub = byId.get(row.subscription)!;
      const closes = row.state as Exclude<AlertState, 'ok'>;
      row.state = 'ok';
      const key = `${channelQueue(targetOf(sub))}:${closes}`;
      if (posted.has(key)) continue;
      posted.add(key);
      await queuePost(em, {
        renderer: renderer.name,
        eventId: event.id,
        target: targetOf(sub),
        subscriptionId: sub.id,
        alertPostId: row.id,
        threadOf: row.alertEventId ?? null,
        closes,
      });
    }
    await em.flush();
  }
}

/** The outbox subscriber (registered at the composition root, src/main/lifecycle.ts). */
export const alertSubscriber = defineSubscriber({
  name: 'alerts',
  types: alertEventTypes,
  async handle(events, { em }) {
    // One transaction's events, in order: later ones see the alert states earlier ones opened.
    for (const event of events) await handleAlertEvent(event, em);
  },
});

/** The event snapshot of a connection event, as the renderers read it. */
export function snapshotOf(event: RecordedEvent): ConnectionSnapshot | null {
  return event.entityType === 'connection' ? event.snapshot : null;
}

/**
 * The `post_alert` job's work: render the alert, post it through the platform's poster, record
 * the outcome. Posts to one channel run one at a time (a graphile-worker queue per channel) and
 * no faster than the platform's pace (its adapter's, kept across processes: pace.ts); failures retry with backoff and are logged with their attempt
 * count; a channel the bot lost is unsubscribed instead of retried forever.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { AlertPost, type IAlertPost } from '../entities/alert-post.ts';
import { AlertSubscription } from '../entities/alert-subscription.ts';
import { DomainEvent } from '../entities/domain-event.ts';
import { AppError } from '../errors.ts';
import { toRecordedEvent } from '../events/stored.ts';
import { enqueue } from '../jobs/enqueue.ts';
import { scrubText, type Logger } from '../logger.ts';
import type { Runtime } from '../runtime.ts';
import { botFor } from '../chat/bots.ts';
import { withChannelPace } from './pace.ts';
import type { NeutralReply } from '../commands/view.ts';
import { ChannelGoneError, PosterPermanentError, PosterRateLimitedError, type PostTarget } from './posters.ts';
import { getRenderer } from './renderers/index.ts';
import { channelQueue, snapshotOf, type PostAlertPayload } from './subscriber.ts';
import { deactivateChannel } from './subscriptions.ts';

/** Posts through the platform's app on this runtime, keeping the platform's pace in the channel across processes. */
export async function postPaced(rt: Runtime, target: PostTarget, reply: NeutralReply, thread?: string): Promise<{ messageRef: string }> {
  const bot = botFor(rt, target.platform);
  if (!bot) throw new AppError('service_unavailable', `No ${target.platform} app runs in this process (is the ${target.platform} app configured here?).`);
  return await withChannelPace(rt, channelQueue(target), bot.pace, () => bot.poster.post(target, reply, thread));
}

export type DeliverContext = { rt: Runtime; em: EntityManager; logger: Logger; attempt: number; maxAttempts: number };

export async function deliverAlert(p: PostAlertPayload, { rt, em, logger, attempt, maxAttempts }: DeliverContext): Promise<void> {
  const log = logger.child({ alert: p.renderer, eventId: p.eventId, platform: p.target.platform, team: p.target.teamId, channel: p.target.channelId });
  const stored = await em.findOne(DomainEvent, { id: p.eventId });
  if (!stored) {
    log.warn('alert dropped: its event no longer exists (pruned)');
    return;
  }
  const event = toRecordedEvent(stored);
  if (p.subscriptionId) {
    const sub = await em.findOne(AlertSubscription, { id: p.subscriptionId });
    if (!sub?.active) {
      log.info('alert dropped: the channel unsubscribed before it was posted');
      return;
    }
  }
  const renderer = getRenderer(p.renderer);
  if (!renderer) {
    log.error('alert dropped: no renderer with this name (code older than the job?)');
    return;
  }
  const row = p.alertPostId ? await em.findOne(AlertPost, { id: p.alertPostId }) : null;
  const reply = renderer.render({ event, connection: snapshotOf(event), ...(p.closes ? { closes: p.closes } : {}) });
  const thread = row && p.threadOf && row.alertEventId === p.threadOf && row.messageRef ? row.messageRef : undefined;
  try {
    const posted = await postPaced(rt, p.target, reply, thread);
    if (row) {
      row.attempts += 1;
      row.lastAttemptAt = new Date();
      row.postedAt = new Date();
      row.lastError = null;
      if (row.alertEventId === p.eventId) row.messageRef = posted.messageRef;
      await em.flush();
    }
    log.info({ messageRef: posted.messageRef, threaded: Boolean(thread) }, 'alert posted');
  } catch (err) {
    if (err instanceof ChannelGoneError) {
      const stopped = await deactivateChannel(rt, p.target, `Channel gone: ${scrubText(err.message)}`);
      log.warn({ subscriptions: stopped, reason: err.message }, 'channel no longer reachable: unsubscribed it; alert not posted');
      await recordFailure(em, row, err.message);
      return;
    }
    if (err instanceof PosterRateLimitedError) {
      // Not a failure: try again when the platform allows, same queue.
      await enqueue(em, 'post_alert', p, {
        queueName: channelQueue(p.target),
        runAt: new Date(Date.now() + Math.max(1, err.retryAfterSeconds) * 1000),
        maxAttempts: maxAttempts - attempt + 1,
      });
      log.info({ retryAfterSeconds: err.retryAfterSeconds }, 'chat platform rate limit: alert rescheduled');
      return;
    }
    if (err instanceof PosterPermanentError) {
      // A retry would send the same refused message: fail now, loudly, with the platform's reason.
      const message = scrubText(err.message);
      await recordFailure(em, row, message);
      log.error({ attempt, code: err.code, error: message }, 'alert refused by the chat platform for good; not retrying');
      return;
    }
    const message = scrubText(err instanceof Error ? err.message : String(err));
    await recordFailure(em, row, message);
    const fields = { attempt, maxAttempts, error: message };
    if (attempt >= maxAttempts) log.error(fields, 'alert could not be posted after every attempt; giving up');
    else if (attempt >= 3) log.error(fields, 'alert keeps failing to post; retrying with backoff');
    else log.warn(fields, 'alert post failed; retrying with backoff');
    throw err;
  }
}

async function recordFailure(em: EntityManager, row: IAlertPost | null, message: string) {
  if (!row) return;
  row.attempts += 1;
  row.lastError = message.slice(0, 1000);
  row.lastAttemptAt = new Date();
  await em.flush();
}

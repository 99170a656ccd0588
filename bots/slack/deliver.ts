/**
 * Getting neutral replies in front of Slack users after the acknowledgement.
 *
 * - A reply that is followed by slow work (`followUp`) is delivered as one bot message that is
 *   edited: the acknowledgement is posted with `chat.postMessage` and replaced with `chat.update`
 *   when the result arrives (a `response_url` allows only 5 posts in 30 minutes, and an
 *   ephemeral message cannot be edited). A result that turns out private (an error) removes the
 *   public placeholder and goes to the user alone.
 * - In-channel replies are bot messages (`chat.postMessage`); where the bot cannot post (a DM,
 *   a private channel it is not in) they fall back to the response URL.
 * - Ephemeral replies go through the response URL (always allowed), else `chat.postEphemeral`.
 * - Rate limits (HTTP 429): the Web API client rejects at once (`rejectRateLimitedCalls`) instead
 *   of pausing the team's queue; a post or an edit that is refused falls back to the response URL
 *   (its limit is separate: 5 posts in 30 minutes), and only where there is none waits the
 *   Retry-After (bounded) and tries again — a result is never dropped for a 429.
 */
import { webApi } from '@slack/bolt';
import type { NeutralReply } from '../../src/commands/view.ts';
import type { Logger } from '../../src/logger.ts';
import type { SlackReplyTarget } from './parse.ts';
import { renderMessage, type SlackMessage } from './render/blocks.ts';

export type Delivery = {
  client: webApi.WebClient;
  target: SlackReplyTarget;
  logger: Logger;
  /** Posts to a response URL (injected: checked against the allowed hosts). */
  respond(url: string, body: Record<string, unknown>): Promise<void>;
};

/** Slack error codes that mean "the bot cannot post there", not "try again". */
export const CHANNEL_UNREACHABLE: readonly string[] = Object.freeze(['channel_not_found', 'not_in_channel', 'is_archived', 'channel_is_archived', 'restricted_action', 'cannot_dm_bot']);

export function slackErrorCode(err: unknown): string | undefined {
  return (err as { data?: { error?: string } })?.data?.error;
}

/** Seconds Slack asked to wait, when `err` is a rate limit (HTTP 429 or `ratelimited`). */
export function rateLimitedFor(err: unknown): number | undefined {
  const e = err as { code?: string; retryAfter?: number };
  if (e?.code === webApi.ErrorCode.RateLimitedError) return Math.max(1, Math.ceil(e.retryAfter ?? 1));
  return slackErrorCode(err) === 'ratelimited' ? 30 : undefined;
}

/** The longest a background reply waits for a rate limit before trying once more. */
const MAX_RATE_LIMIT_WAIT_SECONDS = 60;

/** Runs a Web API call; on a 429 with nowhere else to go, waits the Retry-After (bounded) and tries again (3 tries). */
async function patiently<T>(d: Delivery, what: string, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const wait = rateLimitedFor(err);
      if (wait === undefined || attempt >= 3 || wait > MAX_RATE_LIMIT_WAIT_SECONDS) throw err;
      d.logger.info({ what, retryAfterSeconds: wait, attempt }, 'slack rate limit on a reply with no response URL: waiting, then trying again');
      await new Promise((r) => setTimeout(r, wait * 1000));
    }
  }
}

async function postEphemeral(d: Delivery, msg: SlackMessage, replaceOriginal = false): Promise<void> {
  const { target } = d;
  if (target.responseUrl) {
    await d.respond(target.responseUrl, { response_type: 'ephemeral', replace_original: replaceOriginal, ...msg });
    return;
  }
  await patiently(d, 'chat.postEphemeral', () => d.client.chat.postEphemeral({ channel: target.channelId, user: target.userId, ...msg }));
}

/** Posts a bot message in the channel; `undefined` when the bot cannot post there now (no access, or rate limited with a response URL to use instead). */
async function postInChannel(d: Delivery, msg: SlackMessage): Promise<string | undefined> {
  const post = async () => (await d.client.chat.postMessage({ channel: d.target.channelId, unfurl_links: false, unfurl_media: false, ...msg })).ts;
  try {
    return await post();
  } catch (err) {
    if (CHANNEL_UNREACHABLE.includes(slackErrorCode(err) ?? '')) return undefined;
    const wait = rateLimitedFor(err);
    if (wait === undefined) throw err;
    d.logger.info({ retryAfterSeconds: wait, channel: d.target.channelId, fallback: Boolean(d.target.responseUrl) }, 'slack chat.postMessage rate limited');
    if (d.target.responseUrl) return undefined;
    await new Promise((r) => setTimeout(r, Math.min(wait, MAX_RATE_LIMIT_WAIT_SECONDS) * 1000));
    return await patiently(d, 'chat.postMessage', post);
  }
}

/** Edits a bot message; on a 429 the response URL carries the new content instead (`replace` the clicked message, or post it anew). */
async function updateMessage(d: Delivery, ts: string, msg: SlackMessage, replace: boolean): Promise<void> {
  const update = async () => void (await d.client.chat.update({ channel: d.target.channelId, ts, ...msg }));
  try {
    await update();
  } catch (err) {
    const wait = rateLimitedFor(err);
    if (wait === undefined) throw err;
    d.logger.info({ retryAfterSeconds: wait, channel: d.target.channelId, fallback: Boolean(d.target.responseUrl) }, 'slack chat.update rate limited');
    if (!d.target.responseUrl) {
      await new Promise((r) => setTimeout(r, Math.min(wait, MAX_RATE_LIMIT_WAIT_SECONDS) * 1000));
      await patiently(d, 'chat.update', update);
      return;
    }
    await d.respond(d.target.responseUrl, { response_type: 'in_channel', replace_original: replace, ...msg });
  }
}

/** Removes the ephemeral message a button was clicked on (only the response URL can). */
async function deleteEphemeralSource(d: Delivery): Promise<void> {
  if (d.target.source?.ephemeral && d.target.responseUrl) {
    await d.respond(d.target.responseUrl, { delete_original: true });
  }
}

/** Delivers one reply now (no slow work behind it). */
export async function deliver(d: Delivery, reply: NeutralReply): Promise<void> {
  const msg = renderMessage(reply);
  const src = d.target.source;
  if (reply.visibility === 'ephemeral') {
    // Replacing is only possible ephemeral-for-ephemeral; a public message is never turned private.
    await postEphemeral(d, msg, Boolean(reply.replaceOriginal && src?.ephemeral));
    return;
  }
  if (reply.replaceOriginal && src && !src.ephemeral) {
    // The response URL of a click can replace the message it was on.
    await updateMessage(d, src.ts, msg, true);
    return;
  }
  if (reply.replaceOriginal) await deleteEphemeralSource(d);
  const ts = await postInChannel(d, msg);
  if (ts === undefined) {
    if (!d.target.responseUrl) throw new Error('the bot cannot post in this channel and there is no response URL');
    await d.respond(d.target.responseUrl, { response_type: 'in_channel', replace_original: false, ...msg });
  }
}

/**
 * Delivers an acknowledgement and, when the slow work is done, its result as an edit of it.
 * Resolves once the result is delivered; never rejects (failures are logged).
 */
export async function deliverWithFollowUp(d: Delivery, immediate: NeutralReply, followUp: Promise<NeutralReply>, who: string): Promise<void> {
  try {
    const ack = renderMessage(immediate);
    // The placeholder is public (it will be edited into the public result): say who asked.
    const placeholder: SlackMessage = { text: ack.text, blocks: [...ack.blocks, { type: 'context', elements: [{ type: 'mrkdwn', text: `Requested by <@${who}>` }] }] };
    const ts = await postInChannel(d, placeholder);
    if (ts === undefined) {
      // No bot message possible here: the response URL carries both (2 of its 5 posts).
      await postEphemeral(d, ack);
      const result = await followUp;
      await deliver({ ...d, target: { ...d.target, source: undefined } }, { ...result, replaceOriginal: false });
      return;
    }
    const result = await followUp;
    if (result.replaceOriginal) await deleteEphemeralSource(d).catch((err: unknown) => d.logger.warn({ error: slackErrorCode(err) ?? String(err) }, 'slack: could not remove the clicked message'));
    if (result.visibility === 'in_channel') {
      // A fallback through the response URL cannot edit the bot's placeholder: it posts the result beside it.
      await updateMessage(d, ts, renderMessage(result), false);
      return;
    }
    // Private after all (an error, a denial): the public placeholder goes, the user alone is told.
    await d.client.chat.delete({ channel: d.target.channelId, ts }).catch((err: unknown) => d.logger.warn({ error: slackErrorCode(err) ?? String(err) }, 'slack: could not delete a placeholder'));
    await postEphemeral(d, renderMessage(result));
  } catch (err) {
    d.logger.error({ error: slackErrorCode(err) ?? (err instanceof Error ? err.message : String(err)), channel: d.target.channelId }, 'slack: could not deliver a reply');
  }
}

/**
 * The Slack poster's answers to Slack's failures, against a nock'd Web API: HTTP 429 with
 * Retry-After → rescheduled; a channel the bot lost → unsubscribed; anything else → retried.
 */
import { webApi } from '@slack/bolt';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createSlackPoster } from '../../bots/slack/poster.ts';
import type { BotTokens } from '../../bots/slack/tokens.ts';
import { ChannelGoneError, PosterPermanentError, PosterRateLimitedError } from '../../src/alerts/posters.ts';
import { inChannel } from '../../src/commands/view.ts';

const API = 'https://slack.example.test';
const target = { platform: 'slack' as const, teamId: 'T1', channelId: 'C1' };

function poster() {
  const client = new webApi.WebClient('xoxb-poster', { slackApiUrl: `${API}/api/`, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  const tokens: BotTokens = { botToken: async () => 'xoxb-poster', client: async () => client };
  return createSlackPoster(tokens);
}

describe('the Slack alert poster', () => {
  it('posts with the bot token, in a thread when asked, and returns the ts', async () => {
    let sent: Record<string, string> = {};
    nock(API)
      .post('/api/chat.postMessage', (body) => {
        sent = body as Record<string, string>;
        return true;
      })
      .matchHeader('authorization', 'Bearer xoxb-poster')
      .reply(200, { ok: true, channel: 'C1', ts: '1700000000.000200' });
    const out = await poster().post(target, inChannel('✅ **Linear** recovered.'), '1700000000.000100');
    expect(out).toEqual({ messageRef: '1700000000.000200' });
    expect(sent).toMatchObject({ channel: 'C1', thread_ts: '1700000000.000100', text: '✅ *Linear* recovered.' });
  });

  it('turns HTTP 429 with Retry-After into a rate-limit wait', async () => {
    nock(API).post('/api/chat.postMessage').reply(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '7' });
    const err = await poster().post(target, inChannel('x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PosterRateLimitedError);
    expect((err as PosterRateLimitedError).retryAfterSeconds).toBe(7);
  });

  it.each(['channel_not_found', 'not_in_channel', 'is_archived', 'channel_is_archived'])('treats %s as a channel that is gone', async (code) => {
    nock(API).post('/api/chat.postMessage').reply(200, { ok: false, error: code });
    const err = await poster().post(target, inChannel('x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelGoneError);
    expect((err as Error).message).toContain(code);
  });

  it.each(['invalid_blocks', 'msg_too_long', 'missing_scope', 'invalid_auth'])('fails %s for good: a retry would be refused the same way', async (code) => {
    nock(API).post('/api/chat.postMessage').reply(200, { ok: false, error: code });
    const err = await poster().post(target, inChannel('x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PosterPermanentError);
    expect((err as PosterPermanentError).code).toBe(code);
  });

  it('leaves other failures to the job’s retries', async () => {
    nock(API).post('/api/chat.postMessage').reply(200, { ok: false, error: 'internal_error' });
    const err = await poster().post(target, inChannel('x')).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(ChannelGoneError);
    expect(err).not.toBeInstanceOf(PosterRateLimitedError);
    expect(err).not.toBeInstanceOf(PosterPermanentError);
    expect((err as Error).message).toMatch(/internal_error/);
  });

  it('edits a posted alert with chat.update', async () => {
    nock(API).post('/api/chat.update', (b) => b.ts === '1700000000.000200' && b.channel === 'C1').reply(200, { ok: true });
    await poster().update!(target, '1700000000.000200', inChannel('edited'));
  });
});

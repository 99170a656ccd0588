/**
 * The Discord poster's answers to Discord's errors, against the fake REST API: each maps to what
 * the alert pipeline does next (reschedule, unsubscribe the channel, fail for good).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordBot } from '../../bots/discord/app.ts';
import { ChannelGoneError, PosterPermanentError, PosterRateLimitedError, type Poster } from '../../src/alerts/posters.ts';
import { inChannel } from '../../src/commands/view.ts';
import { GUILD, startDiscordTest, textOf, type DiscordTest } from './support.ts';

let t: DiscordTest;
let poster: Poster;
const target = (channelId: string) => ({ platform: 'discord' as const, teamId: GUILD, channelId });

beforeAll(async () => {
  t = await startDiscordTest();
  poster = createDiscordBot(t.app.pb.rt).poster;
});
afterAll(async () => {
  await t?.close();
});

describe('the Discord poster', () => {
  it('posts with the bot token, replies to the alert it follows, and edits in place', async () => {
    const first = await poster.post(target('1320000000000000001'), inChannel('❌ **Linear** errored'));
    const second = await poster.post(target('1320000000000000001'), inChannel('✅ **Linear** recovered'), first.messageRef);
    const calls = t.fake.callsTo('POST', /^\/channels\/1320000000000000001\/messages$/);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.auth).toMatch(/^Bot /);
    expect(calls[1]!.body.message_reference).toEqual({ message_id: first.messageRef, fail_if_not_exists: false });
    expect(calls[0]!.body.flags).toBeUndefined();
    await poster.update!(target('1320000000000000001'), second.messageRef, inChannel('✅ Synced'));
    const [edit] = t.fake.callsTo('PATCH', new RegExp(`^/channels/1320000000000000001/messages/${second.messageRef}$`));
    expect(textOf(edit!.body)).toBe('✅ Synced');
  });

  it('turns a 429 into a reschedule after Discord’s retry_after, without waiting in the client', async () => {
    t.fake.rateLimitChannel('1320000000000000002', 7);
    const started = Date.now();
    const err = await poster.post(target('1320000000000000002'), inChannel('x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PosterRateLimitedError);
    // discord.js adds its small safety offset to Discord's value.
    expect((err as PosterRateLimitedError).retryAfterSeconds).toBeGreaterThanOrEqual(7);
    expect((err as PosterRateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(8);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('reads a lost channel (10003, 50013) as gone, and a refused message (400) as permanent', async () => {
    t.fake.failChannel('1320000000000000003', { status: 404, code: 10003 });
    expect(await poster.post(target('1320000000000000003'), inChannel('x')).catch((e: unknown) => e)).toBeInstanceOf(ChannelGoneError);
    t.fake.failChannel('1320000000000000004', { status: 403, code: 50013 });
    const perms = await poster.post(target('1320000000000000004'), inChannel('x')).catch((e: unknown) => e);
    expect(perms).toBeInstanceOf(ChannelGoneError);
    expect((perms as Error).message).toMatch(/50013 Missing Permissions/);
    t.fake.failChannel('1320000000000000005', { status: 400, code: 50035 });
    const bad = await poster.post(target('1320000000000000005'), inChannel('x')).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(PosterPermanentError);
    expect((bad as PosterPermanentError).code).toBe('50035');
  });

  it('is reported by /readyz when configured', async () => {
    const res = await t.app.fetch('/readyz', { token: null });
    expect(((await res.json()) as { bots: string[] }).bots).toEqual(['discord']);
  });
});

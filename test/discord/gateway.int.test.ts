/**
 * Gateway mode and the slow paths, through the same handler as HTTP: an interaction that arrives
 * over the gateway is answered through the interaction callback; a core slower than the budget
 * defers and edits; a result after the 15-minute token goes to the channel; GUILD_DELETE unlinks.
 * (The websocket itself needs Discord; the dispatches it delivers are fed in directly.)
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordBot } from '../../bots/discord/app.ts';
import type { DiscordContext } from '../../bots/discord/context.ts';
import { deliverLater, INTERACTION_TOKEN_LIFETIME_MS } from '../../bots/discord/deliver.ts';
import { onGatewayDispatch } from '../../bots/discord/gateway.ts';
import { ephemeral, inChannel } from '../../src/commands/view.ts';
import { eventually, sql } from '../helpers/sql.ts';
import { ADMIN, APP_ID, CHANNEL, GUILD, OWNER, commandData, linkGuild, startDiscordTest, textOf, type DiscordTest } from './support.ts';

let t: DiscordTest;
let slow: DiscordContext;
let seq = 0;

const packet = (user: typeof ADMIN, path: string[], values: Record<string, string> = {}) => {
  const id = String(1_750_000_000_000_000_000n + BigInt(++seq));
  return {
    id,
    token: `gw-${id}`,
    packet: {
      t: 'INTERACTION_CREATE',
      d: {
        id,
        application_id: APP_ID,
        type: 2,
        token: `gw-${id}`,
        version: 1,
        guild_id: GUILD,
        channel_id: CHANNEL,
        member: { user: { id: user.id, username: user.name }, permissions: user.permissions, roles: [] },
        data: commandData(path, values),
      },
    },
  };
};

beforeAll(async () => {
  t = await startDiscordTest();
  await linkGuild(t, OWNER);
  // A budget of 0: the core never answers first, so every interaction is deferred.
  slow = createDiscordBot(t.app.pb.rt, { ackBudgetMs: 0 }).context;
});
afterAll(async () => {
  await t?.close();
});

describe('gateway interactions and deferrals', () => {
  it('answers over the interaction callback: deferred privately, then the reply edited in', async () => {
    const g = packet(ADMIN, ['whoami']);
    await onGatewayDispatch(slow, g.packet);
    const [callback] = t.fake.callsTo('POST', new RegExp(`^/interactions/${g.id}/${g.token}/callback$`));
    expect(callback!.body).toEqual({ type: 5, data: { flags: 64 } });
    expect(callback!.auth).toBeNull();
    const [edit] = await t.waitForFollowUps(g.token);
    expect(edit).toMatchObject({ method: 'PATCH' });
    expect(textOf(edit!.body)).toMatch(/adam/);
  });

  it('sends a public result as its own message and removes the private placeholder', async () => {
    const g = packet(ADMIN, ['alerts', 'here']);
    await onGatewayDispatch(slow, g.packet);
    const calls = await t.waitForFollowUps(g.token, 2);
    expect(calls.map((c) => c.method)).toEqual(['POST', 'DELETE']);
    expect(calls[0]!.body.flags ?? 0).toBe(0);
    expect(textOf(calls[0]!.body)).toMatch(/alerts/i);
  });

  it('refuses an interaction id seen before, over the gateway too', async () => {
    const g = packet(ADMIN, ['whoami']);
    await onGatewayDispatch(slow, g.packet);
    await onGatewayDispatch(slow, g.packet);
    expect(t.fake.callsTo('POST', new RegExp(`^/interactions/${g.id}/`))).toHaveLength(1);
  });

  it('posts a public result that comes after the token expired in the channel, and drops a private one with a log line', async () => {
    const before = t.fake.callsTo('POST', new RegExp(`^/channels/${CHANNEL}/messages$`)).length;
    const f = { rest: slow.rest, applicationId: APP_ID, token: `expired-${randomUUID()}`, receivedAt: Date.now() - INTERACTION_TOKEN_LIFETIME_MS - 1000, logger: t.app.pb.rt.logger, poster: slow.poster, target: { platform: 'discord' as const, teamId: GUILD, channelId: CHANNEL } };
    await deliverLater(f, { visibility: 'ephemeral', placeholder: true }, inChannel('✅ Synced 120 tasks.'));
    await deliverLater(f, { visibility: 'ephemeral', placeholder: true }, ephemeral('only for you'));
    const after = t.fake.callsTo('POST', new RegExp(`^/channels/${CHANNEL}/messages$`));
    expect(after).toHaveLength(before + 1);
    expect(textOf(after.at(-1)!.body)).toContain('Synced 120 tasks');
    expect(t.followUps(f.token)).toEqual([]);
    await eventually(async () => t.app.logs.some((l) => l.includes('after its interaction expired')));
  });

  it('unlinks the guild on GUILD_DELETE, but not when the guild is only unavailable (an outage)', async () => {
    await onGatewayDispatch(slow, { t: 'GUILD_DELETE', d: { id: GUILD, unavailable: true } });
    expect(await sql(t.app.dbUrl, `select active from chat_teams where platform = 'discord'`)).toEqual([{ active: true }]);
    await onGatewayDispatch(slow, { t: 'GUILD_DELETE', d: { id: GUILD } });
    expect(await sql(t.app.dbUrl, `select active, workspace_id from chat_teams where platform = 'discord'`)).toEqual([{ active: false, workspace_id: null }]);
  });
});

describe('gateway mode start-up', () => {
  it('keeps Patchbay serving when the gateway cannot be reached, and keeps trying in the background', async () => {
    const g = await startDiscordTest({ env: { DISCORD_GATEWAY: 'true' } });
    try {
      // The fake has no gateway: the login fails, the API still answers, and a retry is scheduled.
      const line = await eventually(async () => g.app.logs.find((l) => l.includes('discord gateway login failed; retrying')));
      expect(JSON.parse(line)).toMatchObject({ level: 'error', retryInSeconds: 5 });
      expect((await g.app.fetch('/readyz', { token: null })).status).toBe(200);
      expect((await g.send(JSON.stringify({ id: '1760000000000000001', application_id: APP_ID, type: 1, token: 't', version: 1 }))).body).toEqual({ type: 1 });
      expect(g.fake.callsTo('GET', /^\/gateway\/bot$/).length).toBeGreaterThanOrEqual(1);
    } finally {
      await g.close();
    }
  });
});

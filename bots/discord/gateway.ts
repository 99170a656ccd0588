/**
 * Gateway mode (DISCORD_GATEWAY=true), for deployments without a public URL: discord.js's
 * `Client` holds the websocket, and every INTERACTION_CREATE goes through the same handler as
 * HTTP, answered through the interaction callback endpoint instead of an HTTP response.
 * Discord sends interactions over the gateway only while the application has no Interactions
 * Endpoint URL set. GUILD_DELETE (not an outage: `unavailable` unset) means the bot was removed:
 * the guild's links and subscriptions are deactivated.
 */
import { Client, Events, GatewayIntentBits, Routes, type APIInteractionResponse } from 'discord.js';
import { deactivateTeam } from '../../src/chat/tenancy.ts';
import { newCorrelationId, runWithContext } from '../../src/context.ts';
import type { DiscordContext } from './context.ts';
import { handleInteraction } from './interactions.ts';

export type GatewayPacket = { t?: string | null; d?: unknown };

/** Handles one gateway dispatch; exported for tests (the websocket itself needs Discord). */
export async function onGatewayDispatch(ctx: DiscordContext, packet: GatewayPacket): Promise<void> {
  if (packet.t === 'GUILD_DELETE') {
    const d = packet.d as { id?: unknown; unavailable?: unknown };
    if (typeof d?.id !== 'string' || d.unavailable === true) return;
    ctx.owners.forget(d.id);
    await deactivateTeam(ctx.rt, 'discord', d.id, 'The Patchbay bot was removed from this Discord server.');
    return;
  }
  if (packet.t !== 'INTERACTION_CREATE') return;
  const i = packet.d as { id?: unknown; token?: unknown };
  if (typeof i?.id !== 'string' || typeof i.token !== 'string') return;
  const { id, token } = i;
  const respond = async (response: APIInteractionResponse) => {
    await ctx.rest.post(Routes.interactionCallback(id, token), { body: response, auth: false });
  };
  await runWithContext({ correlationId: newCorrelationId(), actor: { via: 'discord' } }, async () => {
    const outcome = await handleInteraction(ctx, packet.d, respond);
    if (outcome === 'replayed') ctx.rt.logger.warn({ id }, 'discord gateway interaction seen before: not handled again');
  });
}

export function createGatewayClient(ctx: DiscordContext, api?: string): Client {
  const client = new Client({ intents: [GatewayIntentBits.Guilds], ...(api ? { rest: { api } } : {}) });
  client.on(Events.Raw, (packet: GatewayPacket) => {
    void ctx.track(onGatewayDispatch(ctx, packet)).catch((err: unknown) => ctx.rt.logger.error({ err, t: packet.t }, 'discord gateway dispatch failed'));
  });
  client.on(Events.Error, (err) => ctx.rt.logger.error({ error: err.message }, 'discord gateway error'));
  return client;
}

/**
 * Discord interactions → the chat core's `Invocation`. Only the fields Patchbay reads are parsed
 * (zod, unknown fields ignored): https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object
 */
import { z } from 'zod';
import type { PlatformRole } from '../../src/entities/chat-team.ts';
import type { Invocation } from '../../src/commands/types.ts';

/** https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-interaction-type */
export const INTERACTION = { ping: 1, command: 2, component: 3, autocomplete: 4, modalSubmit: 5 } as const;

const snowflake = z.string().regex(/^\d{1,25}$/);
const user = z.object({ id: snowflake, username: z.string().optional(), global_name: z.string().nullish() });

export const interactionSchema = z.object({
  id: snowflake,
  application_id: snowflake,
  type: z.number().int(),
  token: z.string().min(1).max(1000),
  guild_id: snowflake.optional(),
  channel_id: snowflake.optional(),
  channel: z.object({ id: snowflake }).loose().optional(),
  member: z.object({ user, permissions: z.string().regex(/^\d{1,40}$/).optional() }).loose().optional(),
  user: user.optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  message: z
    .object({
      id: snowflake,
      flags: z.number().int().optional(),
      components: z.array(z.unknown()).optional(),
      embeds: z.array(z.object({ title: z.string().optional(), description: z.string().optional() }).loose()).optional(),
      content: z.string().optional(),
    })
    .loose()
    .optional(),
});

export type Interaction = z.infer<typeof interactionSchema>;

/** Administrator and Manage Server: members with either act as at least Admin when the workspace trusts platform roles. */
const ADMINISTRATOR = 1n << 3n;
const MANAGE_GUILD = 1n << 5n;

/** The member's platform role from the interaction alone (the guild owner needs the guild: see members.ts). */
export function roleFromPermissions(permissions: string | undefined): PlatformRole | null {
  if (!permissions) return null;
  const bits = BigInt(permissions);
  return bits & ADMINISTRATOR || bits & MANAGE_GUILD ? 'admin' : null;
}

export function actorOf(i: Interaction): { id: string; name?: string } | null {
  const u = i.member?.user ?? i.user;
  if (!u) return null;
  const name = u.global_name ?? u.username;
  return name ? { id: u.id, name } : { id: u.id };
}

export function channelOf(i: Interaction): string | undefined {
  return i.channel_id ?? i.channel?.id;
}

/** The invocation of a command line typed (or clicked) in a guild channel. */
export function invocationOf(i: Interaction & { guild_id: string }, text: string, platformRole: PlatformRole | null, correlationId?: string): Invocation {
  const actor = actorOf(i)!;
  return {
    platform: 'discord',
    teamId: i.guild_id,
    userId: actor.id,
    ...(actor.name ? { userName: actor.name } : {}),
    platformRole,
    channelId: channelOf(i) ?? '',
    text,
    ...(i.message ? { messageRef: i.message.id } : {}),
    prefix: '/integrations',
    ...(correlationId ? { correlationId } : {}),
  };
}

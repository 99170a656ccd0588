/**
 * Who changes a connection. Every lifecycle operation takes `(actor, connectionId, …)`: a member
 * (authorized against the permission table; the channel — api, slack, cli, … — comes from the
 * request context) or the system with its reason (rate limits, token refresh, jobs), which is
 * not authorized but is audited as `via: system`.
 */
import type { IMember } from '../entities/member.ts';

/** A member acting in a workspace (the API token's or chat identity's member, with its effective role). */
export type Caller = { workspaceId: string; member: IMember };

/** Patchbay itself, acting on a connection for a reason (`rate limit`, `token refresh`, `sync`, …). */
export type SystemActor = { workspaceId: string; system: string };

export type Actor = Caller | SystemActor;

export function systemActor(workspaceId: string, reason: string): SystemActor {
  return { workspaceId, system: reason };
}

export function isMember(actor: Actor): actor is Caller {
  return 'member' in actor;
}

/** How log lines name the actor ("Paused by Ada."). */
export function actorName(actor: Actor): string {
  return isMember(actor) ? actor.member.displayName : `Patchbay (${actor.system})`;
}

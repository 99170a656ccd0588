/** Which channels receive which alerts: `alerts here` / `alerts off`, and channels that went away. */
import type { EntityManager } from '@mikro-orm/postgresql';
import { writeAudit } from '../audit/audit.ts';
import { AlertSubscription, ALERT_KINDS, type AlertKind, type IAlertSubscription } from '../entities/alert-subscription.ts';
import type { ChatPlatform } from '../entities/chat-team.ts';
import type { Runtime } from '../runtime.ts';

export type ChannelRef = { workspaceId: string; platform: ChatPlatform; teamId: string; channelId: string };

/** Subscribes a channel (or updates the kinds of its existing subscription with the same connection filter). */
export async function subscribeChannel(
  rt: Runtime,
  ref: ChannelRef,
  input: { kinds: AlertKind[]; connectionId: string | null; memberId: string },
): Promise<{ subscription: IAlertSubscription; updated: boolean }> {
  const kinds = ALERT_KINDS.filter((k) => input.kinds.includes(k));
  return await rt.em().transactional(async (tx) => {
    const existing = await tx.findOne(AlertSubscription, {
      workspace: ref.workspaceId,
      platform: ref.platform,
      teamExternalId: ref.teamId,
      channelId: ref.channelId,
      connection: input.connectionId,
      active: true,
    });
    const sub =
      existing ??
      tx.create(AlertSubscription, {
        workspace: ref.workspaceId,
        platform: ref.platform,
        teamExternalId: ref.teamId,
        channelId: ref.channelId,
        connection: input.connectionId,
        kinds,
        createdBy: input.memberId,
      });
    sub.kinds = kinds;
    await tx.flush();
    await writeAudit(tx, {
      workspaceId: ref.workspaceId,
      action: 'alerts.subscribe',
      targetType: 'alert_subscription',
      targetId: sub.id,
      outcome: 'success',
      details: { platform: ref.platform, team: ref.teamId, channel: ref.channelId, kinds, connectionId: input.connectionId },
    });
    return { subscription: sub, updated: Boolean(existing) };
  });
}

/** Turns a channel's alerts off: all of them, or only the subscription filtered to one connection. */
export async function unsubscribeChannel(
  rt: Runtime,
  ref: ChannelRef,
  input: { connectionId?: string; reason: string },
): Promise<IAlertSubscription[]> {
  return await rt.em().transactional(async (tx) => {
    const where: Record<string, unknown> = {
      workspace: ref.workspaceId,
      platform: ref.platform,
      teamExternalId: ref.teamId,
      channelId: ref.channelId,
      active: true,
    };
    if (input.connectionId) where.connection = input.connectionId;
    const subs = await tx.find(AlertSubscription, where);
    for (const s of subs) deactivate(s, input.reason);
    await tx.flush();
    for (const s of subs) {
      await writeAudit(tx, {
        workspaceId: ref.workspaceId,
        action: 'alerts.unsubscribe',
        targetType: 'alert_subscription',
        targetId: s.id,
        outcome: 'success',
        details: { platform: ref.platform, channel: ref.channelId, reason: input.reason },
      });
    }
    return subs;
  });
}

export async function channelSubscriptions(em: EntityManager, ref: ChannelRef): Promise<IAlertSubscription[]> {
  return await em.find(
    AlertSubscription,
    { workspace: ref.workspaceId, platform: ref.platform, teamExternalId: ref.teamId, channelId: ref.channelId, active: true },
    { orderBy: { createdAt: 'asc' } },
  );
}

/**
 * The platform said the channel is gone (bot removed, channel archived or deleted): every active
 * subscription of that channel stops, in every workspace, with the reason — it is not retried forever.
 */
export async function deactivateChannel(
  rt: Runtime,
  ref: { platform: ChatPlatform; teamId: string; channelId: string },
  reason: string,
): Promise<number> {
  return await rt.em().transactional(async (tx) => {
    const subs = await tx.find(AlertSubscription, { platform: ref.platform, teamExternalId: ref.teamId, channelId: ref.channelId, active: true });
    for (const s of subs) deactivate(s, reason);
    await tx.flush();
    for (const s of subs) {
      await writeAudit(tx, {
        workspaceId: s.workspace,
        action: 'alerts.unsubscribe',
        targetType: 'alert_subscription',
        targetId: s.id,
        outcome: 'success',
        details: { platform: ref.platform, channel: ref.channelId, reason },
      });
    }
    return subs.length;
  });
}

function deactivate(s: IAlertSubscription, reason: string): void {
  s.active = false;
  s.deactivatedAt = new Date();
  s.deactivatedReason = reason;
}

/**
 * Zapier's connector: nothing to call at Zapier. Its test reports the workspace's active Zapier
 * subscriptions — the outbound endpoints Zaps subscribed (`source = 'zapier'`) — as the account:
 * how many, and for which event types.
 */
import { AppError } from '../../errors.ts';
import type { AccountInfo, ConnectorContext, ConnectorSpec } from '../types.ts';

export async function testSubscriptions(ctx: ConnectorContext): Promise<AccountInfo> {
  if (!ctx.inbound) throw new AppError('provider_error', 'Zapier subscriptions can only be listed for a workspace.', { details: { provider: 'zapier' } });
  const all = await ctx.inbound.subscriptions();
  const active = all.filter((s) => s.status === 'active');
  const eventTypes = [...new Set(active.flatMap((s) => s.eventTypes))].sort();
  const accountName = active.length
    ? `${active.length} active Zapier subscription${active.length === 1 ? '' : 's'} (${eventTypes.join(', ')})`
    : 'no active Zapier subscriptions yet: turn on a Zap with a Patchbay trigger';
  return {
    accountId: 'zapier',
    accountName,
    extra: { activeSubscriptions: active.length, inactiveSubscriptions: all.length - active.length, eventTypes },
  };
}

export const connector: ConnectorSpec = { test: testSubscriptions };

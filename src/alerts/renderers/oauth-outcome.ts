import { connectionButtons } from '../../commands/cards.ts';
import { bold, commandButton, inChannel, mention } from '../../commands/view.ts';
import { CHAT_PLATFORMS } from '../../entities/chat-team.ts';
import type { IDomainEvent } from '../../entities/domain-event.ts';
import { getProvider } from '../../providers/registry.ts';
import type { AlertMatch, AlertRenderer } from './types.ts';

type Ctx = { platform?: unknown; teamId?: unknown; channelId?: unknown; userId?: unknown };

function chatTarget(event: IDomainEvent): AlertMatch | null {
  const ctx = event.data?.chatContext as Ctx | null | undefined;
  if (!ctx || typeof ctx.teamId !== 'string' || typeof ctx.channelId !== 'string') return null;
  // The terminal has no channel to post to: it showed the link and is done.
  if (typeof ctx.platform !== 'string' || ctx.platform === 'cli' || !(CHAT_PLATFORMS as readonly string[]).includes(ctx.platform)) return null;
  return {
    toChatContext: { platform: ctx.platform, teamId: ctx.teamId, channelId: ctx.channelId, ...(typeof ctx.userId === 'string' ? { userId: ctx.userId } : {}) },
  };
}

function providerName(slug: unknown): string {
  try {
    return getProvider(String(slug)).definition.displayName;
  } catch {
    return String(slug ?? 'The provider');
  }
}

/** An OAuth authorization started from chat finished: "HubSpot connected as …", or why it failed, in the channel that asked. */
const oauthOutcome: AlertRenderer = {
  name: 'oauth_outcome',
  types: ['connection_connected', 'connection_authorization_failed'],
  match: chatTarget,
  render({ event, connection: c }) {
    const ctx = (event.data?.chatContext ?? {}) as Ctx;
    const who = typeof ctx.userId === 'string' ? `${mention(ctx.userId)} ` : '';
    if (event.type === 'connection_connected' && c) {
      const verb = event.data?.reconnected ? 'reconnected' : 'connected';
      const named = c.displayName !== c.providerName ? ` (${bold(c.displayName)})` : '';
      const text = `✅ ${c.providerName}${named} ${verb}${c.account?.name ? ` as ${c.account.name}` : ''}${who ? `, requested by ${who.trim()}` : ''}.`;
      return inChannel(text, [
        { type: 'section', text },
        { type: 'actions', buttons: connectionButtons(c) },
      ]);
    }
    const snap = event.snapshot as { provider?: string; connectionId?: string | null };
    const name = providerName(snap.provider);
    const message = (event.data?.message as string | undefined) ?? (event.data?.reason as string | undefined) ?? 'the authorization did not complete';
    const text = `❌ ${who}${snap.connectionId ? 'Reconnecting' : 'Connecting'} ${bold(name)} failed: ${message}`;
    const retry = snap.connectionId ? commandButton('Try again', 'reconnect', [snap.connectionId]) : commandButton('Try again', 'connect', [String(snap.provider ?? '')]);
    return inChannel(text, [
      { type: 'section', text },
      { type: 'actions', buttons: [retry] },
    ]);
  },
};

export default oauthOutcome;

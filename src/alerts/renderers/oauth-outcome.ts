import { connectionButtons } from '../../commands/cards.ts';
import { bold, commandButton, inChannel, mention, plain } from '../../commands/view.ts';
import { CHAT_PLATFORMS } from '../../entities/chat-team.ts';
import type { RecordedEvent } from '../../events/catalog/index.ts';
import { getProvider } from '../../providers/registry.ts';
import { defineRenderer, type AlertMatch } from './types.ts';

type OAuthOutcomeEvent = RecordedEvent<'connection_connected' | 'connection_authorization_failed'>;

function chatTarget(event: OAuthOutcomeEvent): AlertMatch | null {
  const ctx = event.data.chatContext;
  if (!ctx?.teamId || !ctx.channelId) return null;
  // The terminal has no channel to post to: it showed the link and is done.
  if (ctx.platform === 'cli' || !(CHAT_PLATFORMS as readonly string[]).includes(ctx.platform)) return null;
  return {
    toChatContext: { platform: ctx.platform, teamId: ctx.teamId, channelId: ctx.channelId, ...(ctx.userId ? { userId: ctx.userId } : {}) },
  };
}

function providerName(slug: string): string {
  try {
    return getProvider(slug).definition.displayName;
  } catch {
    return slug || 'The provider';
  }
}

/** An OAuth authorization started from chat finished: "HubSpot connected as …", or why it failed, in the channel that asked. */
const oauthOutcome = defineRenderer({
  name: 'oauth_outcome',
  types: ['connection_connected', 'connection_authorization_failed'],
  match: chatTarget,
  render({ event }) {
    const ctx = event.data.chatContext;
    const who = ctx?.userId ? `${mention(ctx.userId)} ` : '';
    if (event.type === 'connection_connected') {
      const c = event.snapshot;
      const verb = event.data.reconnected ? 'reconnected' : 'connected';
      const named = c.displayName !== c.providerName ? ` (${bold(plain(c.displayName))})` : '';
      const text = `✅ ${c.providerName}${named} ${verb}${c.account?.name ? ` as ${plain(c.account.name)}` : ''}${who ? `, requested by ${who.trim()}` : ''}.`;
      return inChannel(text, [
        { type: 'section', text },
        { type: 'actions', buttons: connectionButtons(c) },
      ]);
    }
    const snap = event.snapshot;
    const name = providerName(snap.provider);
    // Built from the provider's or the callback's own words (error_description): shown literally.
    const message = plain(event.data.message || 'the authorization did not complete');
    const text = `❌ ${who}${snap.connectionId ? 'Reconnecting' : 'Connecting'} ${bold(name)} failed: ${message}`;
    const retry = snap.connectionId ? commandButton('Try again', 'reconnect', [snap.connectionId]) : commandButton('Try again', 'connect', [snap.provider]);
    return inChannel(text, [
      { type: 'section', text },
      { type: 'actions', buttons: [retry] },
    ]);
  },
});

export default oauthOutcome;

import type { ConnectionView } from '../../connections/view.ts';
import type { NeutralReply } from '../../commands/view.ts';
import type { AlertKind } from '../../entities/alert-subscription.ts';
import type { AlertState } from '../../entities/alert-post.ts';
import type { IDomainEvent } from '../../entities/domain-event.ts';

/**
 * What an event means for the alert pipeline:
 * - `opens`: a new state worth one alert in each channel subscribed to `kind` (skipped while the
 *   channel was already alerted about that state — one alert per state change);
 * - `recovers`: closes the connection's open alert states, with a follow-up in each alert's thread;
 * - `toChatContext`: posted back to the chat channel that started something (OAuth outcome).
 */
export type AlertMatch =
  | { opens: Exclude<AlertState, 'ok'>; kind: AlertKind }
  | { recovers: true }
  | { toChatContext: { platform: string; teamId: string; channelId: string; userId?: string } };

export type AlertInput = {
  event: IDomainEvent;
  /** The connection as it was after the change (the event's snapshot), for connection events. */
  connection: ConnectionView | null;
  /** For recoveries: which alerted state ends. */
  closes?: Exclude<AlertState, 'ok'>;
};

/** One kind of alert message: which events it matches and how it looks. One file each. */
export type AlertRenderer = {
  name: string;
  types: readonly string[];
  match(event: IDomainEvent): AlertMatch | null;
  render(input: AlertInput): NeutralReply;
};

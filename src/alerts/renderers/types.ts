import type { NeutralReply } from '../../commands/view.ts';
import type { AlertKind } from '../../entities/alert-subscription.ts';
import type { AlertState } from '../../entities/alert-post.ts';
import type { ConnectionSnapshot, EventType, RecordedEvent } from '../../events/catalog/index.ts';

/**
 * What an event means for the alert pipeline:
 * - `opens`: a new state worth one alert in each channel subscribed to `kind` (skipped while the
 *   channel was already alerted about that state — one alert per state change);
 * - `recovers`: closes the connection's open alert states, with a follow-up in each alert's thread;
 * - `toChatContext`: posted back to the chat channel that started something (OAuth outcome);
 * - `notifies`: one message in each channel subscribed to `kind` for that connection, every time
 *   (no state: each sync run with conflicts is news). `connectionId: null` for workspace-wide
 *   events (webhook endpoints): only channels subscribed for every connection hear of them.
 */
export type AlertMatch =
  | { opens: Exclude<AlertState, 'ok'>; kind: AlertKind }
  | { recovers: true }
  | { notifies: AlertKind; connectionId: string | null }
  | { toChatContext: { platform: string; teamId: string; channelId: string; userId?: string } };

export type AlertInput<T extends EventType = EventType> = {
  event: RecordedEvent<T>;
  /** The connection as it was after the change (the event's snapshot), for connection events. */
  connection: ConnectionSnapshot | null;
  /** For recoveries: which alerted state ends. */
  closes?: Exclude<AlertState, 'ok'>;
};

/**
 * One kind of alert message: which events it matches and how it looks. One file each. `match`
 * and `render` only ever receive the listed types, parsed by the event catalog.
 */
export type AlertRenderer<T extends EventType = EventType> = {
  name: string;
  types: readonly T[];
  match(event: RecordedEvent<T>): AlertMatch | null;
  render(input: AlertInput<T>): NeutralReply;
};

/** Declares a renderer, typing its events by the types it lists. */
export function defineRenderer<const T extends EventType>(renderer: AlertRenderer<T>): AlertRenderer<T> {
  return renderer;
}

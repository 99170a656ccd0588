/**
 * What a subscriber is. The subscribers themselves (the alert pipeline, outbound webhooks, …)
 * are registered where the runtime is composed (src/main/lifecycle.ts), so this module never
 * imports its consumers.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Runtime } from '../runtime.ts';
import type { EventType, RecordedEvent } from './catalog/index.ts';

export type SubscriberContext = { em: EntityManager; rt: Runtime };

export type Subscriber<T extends EventType = EventType> = {
  /** Stable name: deliveries are recorded per subscriber, so renaming re-delivers. */
  name: string;
  /** Event types it wants, or '*' for all. */
  types: readonly T[] | '*';
  /**
   * Handles one committed transaction's matching events, in order, as one batch, inside a
   * transaction that also records the delivery: work it writes or queues (jobs via `enqueue`)
   * happens exactly once, and throwing rolls the whole batch back to be retried later.
   */
  handle(events: Array<RecordedEvent<T>>, ctx: SubscriberContext): Promise<void>;
};

/** Declares a subscriber; its events are typed by the types it lists (no casts in `handle`). */
export function defineSubscriber<const T extends EventType>(subscriber: Subscriber<T>): Subscriber<T> {
  return subscriber;
}

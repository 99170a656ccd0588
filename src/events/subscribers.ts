/**
 * Who receives domain events, in order, after the transaction that wrote them commits.
 * Each later feature (alert pipeline, outbound webhooks) adds one line here.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { alertSubscriber } from '../alerts/subscriber.ts';
import type { IDomainEvent } from '../entities/domain-event.ts';
import type { Runtime } from '../runtime.ts';

export type Subscriber = {
  /** Stable name: deliveries are recorded per subscriber, so renaming re-delivers. */
  name: string;
  /** Event types it wants, or '*' for all. */
  types: readonly string[] | '*';
  /**
   * Handles one event inside a transaction that also records the delivery, so work it queues
   * (jobs via `enqueue`) happens exactly once. Throwing retries the dispatch later.
   */
  handle(event: IDomainEvent, ctx: { em: EntityManager; rt: Runtime }): Promise<void>;
};

export const subscribers: Subscriber[] = [alertSubscriber];

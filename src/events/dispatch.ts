import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainEvent, EventDelivery } from '../entities/domain-event.ts';
import type { Logger } from '../logger.ts';
import type { Runtime } from '../runtime.ts';

/**
 * Hands one transaction's events, in order, to every subscriber. A delivery is recorded in the
 * same transaction as the subscriber's work, so a retry skips what already succeeded; one
 * subscriber failing does not hold back the others, and the job is retried for it.
 */
export async function dispatchTransaction(rt: Runtime, em: EntityManager, txid: string, logger: Logger): Promise<void> {
  const events = await em.find(DomainEvent, { txid }, { orderBy: { id: 'asc' } });
  let firstError: unknown;
  for (const sub of rt.subscribers) {
    for (const event of events) {
      if (sub.types !== '*' && !sub.types.includes(event.type)) continue;
      try {
        await em.fork().transactional(async (tx) => {
          const done = await tx.findOne(EventDelivery, { event: event.id, subscriber: sub.name });
          if (done) return;
          await sub.handle(event, { em: tx, rt });
          tx.create(EventDelivery, { event: event.id, subscriber: sub.name });
        });
      } catch (err) {
        logger.warn({ err, subscriber: sub.name, eventId: event.id, type: event.type }, 'event subscriber failed; will retry');
        firstError ??= err;
        break; // keep this subscriber's events in order: the rest wait for the retry
      }
    }
  }
  if (firstError) throw firstError;
}

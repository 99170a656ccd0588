import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainEvent, EventDelivery } from '../entities/domain-event.ts';
import type { Logger } from '../logger.ts';
import type { Runtime } from '../runtime.ts';
import { toRecordedEvent } from './stored.ts';

/**
 * Hands one committed transaction's events to every subscriber: each gets the events it wants,
 * in order, as one batch in one transaction that also records one delivery row for
 * (txid, subscriber), so a retry skips subscribers that already succeeded. One subscriber
 * failing does not hold back the others; the job is retried for it.
 */
export async function dispatchTransaction(rt: Runtime, em: EntityManager, txid: string, logger: Logger): Promise<void> {
  const rows = await em.find(DomainEvent, { txid }, { orderBy: { id: 'asc' } });
  const events = rows.map(toRecordedEvent);
  let firstError: unknown;
  for (const sub of rt.subscribers) {
    const types = sub.types;
    const batch = types === '*' ? events : events.filter((e) => types.includes(e.type));
    if (!batch.length) continue;
    try {
      await em.fork().transactional(async (tx) => {
        if (await tx.findOne(EventDelivery, { txid, subscriber: sub.name })) return;
        await sub.handle(batch, { em: tx, rt });
        tx.create(EventDelivery, { txid, subscriber: sub.name, eventCount: batch.length });
      });
    } catch (err) {
      logger.warn({ err, subscriber: sub.name, txid, events: batch.length }, 'event subscriber failed; will retry');
      firstError ??= err;
    }
  }
  if (firstError) throw firstError;
}

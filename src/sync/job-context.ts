/**
 * What one job of a run works with: the rule, the run, the connection's provider session and
 * adapter, the mapping split by direction, and provider calls that wait out a short rate limit
 * inside the run (a long one is the caller's to handle: it pauses the connection).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { IConnection } from '../entities/connection.ts';
import type { ISyncRule } from '../entities/sync-rule.ts';
import type { ISyncRun } from '../entities/sync-run.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ProviderSession } from '../connections/provider-session.ts';
import type { ConnectorContext, Provider } from '../providers/types.ts';
import type { Runtime } from '../runtime.ts';
import type { MappingEntry, ObjectAdapter } from './types.ts';

export type SyncJob = {
  rt: Runtime;
  em: EntityManager;
  logger: Logger;
  run: ISyncRun;
  rule: ISyncRule;
  connection: IConnection;
  provider: Provider;
  adapter: ObjectAdapter;
  session: ProviderSession;
  /** Local fields that flow in (in, both) and those that flow both ways. */
  inbound: string[];
  twoWay: Set<string>;
  outbound: MappingEntry[];
  /** The rule's first full import: per-record events are replaced by one `sync_completed`. */
  quiet: boolean;
  /** Calls the provider; a rate limit with a wait up to the configured maximum is waited out here. */
  call<T>(fn: (ctx: ConnectorContext) => Promise<T>): Promise<T>;
  /** The conflict grace window. */
  graceMs: number;
};

/** Mapping entries in effect for a rule direction: an `in` rule pushes nothing, an `out` rule pulls nothing. */
export function splitMapping(rule: Pick<ISyncRule, 'direction' | 'mapping'>) {
  const flowsIn = (e: MappingEntry) => rule.direction !== 'out' && e.direction !== 'out';
  const flowsOut = (e: MappingEntry) => rule.direction !== 'in' && e.direction !== 'in';
  const inbound = rule.mapping.filter(flowsIn).map((e) => e.local);
  const twoWay = new Set(rule.mapping.filter((e) => flowsIn(e) && flowsOut(e)).map((e) => e.local));
  // A title carrying scheduled minutes ([1h30m]) flows the minutes with it.
  for (const e of rule.mapping) {
    if (e.transform !== 'title_minutes') continue;
    if (flowsIn(e)) inbound.push('scheduledMinutes');
    if (flowsIn(e) && flowsOut(e)) twoWay.add('scheduledMinutes');
  }
  return { inbound: [...new Set(inbound)], twoWay, outbound: rule.mapping.filter(flowsOut) };
}

export function callWithShortWaits(session: ProviderSession, maxWaitSeconds: number, logger: Logger, onWait: (seconds: number, message: string) => void = () => {}) {
  return async function call<T>(fn: (ctx: ConnectorContext) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await session.call(fn, { pauseOnRateLimit: false });
      } catch (err) {
        const wait = err instanceof AppError && err.code === 'rate_limited' ? (err.retryAfterSeconds ?? 60) : null;
        if (wait === null || wait > maxWaitSeconds || attempt >= 3) throw err;
        logger.info({ waitSeconds: wait }, 'rate limited; waiting inside the run');
        onWait(wait, (err as Error).message);
        await sleep(Math.max(0.1, wait) * 1000);
      }
    }
  };
}

import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobHelpers } from 'graphile-worker';
import type { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { Runtime } from '../runtime.ts';

export type TaskContext = {
  rt: Runtime;
  /** A forked entity manager for this job alone. */
  em: EntityManager;
  logger: Logger;
  helpers: JobHelpers;
  correlationId: string;
};

/** A job type: snake_case identifier, a zod payload schema re-checked at start, and its handler. */
export type TaskDefinition<S extends z.ZodType = z.ZodType> = {
  identifier: string;
  payload: S;
  /** Throwing retries with graphile-worker's backoff, unless the error's code says retrying is pointless. */
  run(payload: z.output<S>, ctx: TaskContext): Promise<void>;
};

export function defineTask<S extends z.ZodType>(def: TaskDefinition<S>): TaskDefinition<S> {
  return def;
}

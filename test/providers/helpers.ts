/** Shared helpers for provider tests: a captured logger and a context builder with fast retries. */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logger.ts';
import { connectorContext, type ConnectorContextOptions } from '../../src/providers/context.ts';
import type { ConnectorContext } from '../../src/providers/types.ts';

export function captureLogger(): { logger: Logger; logs: string[] } {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { logger: createLogger('debug', sink), logs };
}

export const noSleep = { sleep: async () => {}, random: () => 0 };

export function testContext(
  opts: Omit<ConnectorContextOptions, 'config' | 'logger'> & { env?: Record<string, string>; logger?: Logger },
): ConnectorContext & { logs: string[] } {
  const captured = captureLogger();
  const ctx = connectorContext({
    config: { raw: opts.env ?? {} },
    logger: opts.logger ?? captured.logger,
    retry: noSleep,
    ...opts,
  });
  return Object.assign(ctx, { logs: captured.logs });
}

/** Runs `fn`, expecting it to throw; returns the error. */
export async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

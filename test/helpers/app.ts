/**
 * Starts the real Patchbay (Express over HTTP, real Postgres, optionally real graphile-worker)
 * on a cloned test database, with every log line captured so tests can assert on them.
 */
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { createLogger } from '../../src/logger.ts';
import { startPatchbay, type Patchbay, type StartOptions } from '../../src/main/lifecycle.ts';
import { createTestDatabase } from './db.ts';

export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

export type TestApp = {
  pb: Patchbay;
  config: Config;
  url: string;
  dbUrl: string;
  /** Every log line written so far, as raw JSON text. */
  logs: string[];
  /** Owner token of the default workspace (bootstrapped on the empty database). */
  ownerToken: string;
  fetch(path: string, init?: RequestInit & { token?: string | null; json?: unknown }): Promise<Response>;
  /** fetch, then the parsed JSON body (typed loosely: tests assert on its shape). */
  json(path: string, init?: RequestInit & { token?: string | null; json?: unknown }): Promise<any>;
  close(): Promise<void>;
};

export async function startTestApp(
  opts: Partial<StartOptions> & { env?: Record<string, string>; dbUrl?: string } = {},
): Promise<TestApp> {
  const db = opts.dbUrl ? { url: opts.dbUrl, drop: async () => {} } : await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    WORKER_CONCURRENCY: '4',
    SHUTDOWN_TIMEOUT_SECONDS: '10',
    WORKER_ENABLED: opts.workers ? 'true' : 'false',
    DATABASE_POOL_SIZE: '4',
    ...opts.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = createLogger(config.LOG_LEVEL, sink);
  const pb = await startPatchbay(config, logger, {
    http: opts.http ?? true,
    workers: opts.workers ?? false,
    app: opts.app,
    worker: { crontab: false, ...opts.worker },
    processMetrics: false,
  });
  const url = pb.url;
  const ownerToken = pb.bootstrap?.token ?? '';
  const doFetch: TestApp['fetch'] = async (path, init = {}) => {
    const { token = ownerToken, json: payload, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (payload !== undefined) headers.set('content-type', 'application/json');
    return await fetch(`${url}${path}`, { ...rest, headers, body: payload !== undefined ? JSON.stringify(payload) : rest.body });
  };
  return {
    pb,
    // As the running app sees it: with an ephemeral port, PUBLIC_URL and SANDBOX_URL are known only after listening.
    config: pb.rt.config,
    url,
    dbUrl: db.url,
    logs,
    ownerToken,
    fetch: doFetch,
    async json(path, init) {
      return await json(await doFetch(path, init));
    },
    async close() {
      await pb.stop();
      await db.drop();
    },
  };
}

/** The parsed JSON body of a response, typed loosely (tests assert on its shape). */
export async function json(res: Response): Promise<any> {
  return await res.json();
}

/** Asserts the one error shape and returns its body. */
export async function errorBody(res: Response): Promise<{ code: string; message: string; details: unknown; correlationId: string }> {
  const body = (await res.json()) as { error: { code: string; message: string; details: unknown; correlationId: string } };
  if (!body?.error?.code || !body.error.correlationId) throw new Error(`not the error shape: ${JSON.stringify(body)}`);
  return body.error;
}

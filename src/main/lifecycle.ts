/**
 * Starting and stopping Patchbay: shared by `npm start`, `npm run worker` and the tests, so
 * what the tests exercise is what users run.
 */
// First: schemas made by any import below must get `.openapi()` (see the module).
import '../http/zod-openapi.ts';
import type { Server } from 'node:http';
import { hookAlertSubscriber } from '../alerts/hook-alerts.ts';
import { alertSubscriber } from '../alerts/subscriber.ts';
import { webhookSubscriber } from '../webhooks/subscriber.ts';
import { attachBot, type ChatBot } from '../chat/bots.ts';
import { ownSandboxUrl, type Config } from '../config/index.ts';
import { openDatabase } from '../db/database.ts';
import { createApp, type AppOptions } from '../http/app.ts';
import { startWorkers, type WorkerOptions, type Workers } from '../jobs/runner.ts';
import type { Logger } from '../logger.ts';
import { createMetrics } from '../metrics.ts';
import { createRuntime, type Runtime } from '../runtime.ts';
import { bootstrapIfEmpty, type CreatedWorkspace } from '../workspaces/workspaces.ts';
import { StartupError } from '../startup-error.ts';
import { checkCredentialsDecrypt } from '../vault/check.ts';
import { BOT_ADAPTERS } from './bots.ts';

export type Patchbay = {
  rt: Runtime;
  server?: Server;
  workers?: Workers;
  /** Set when this start created the default workspace (empty database). */
  bootstrap: CreatedWorkspace | null;
  url: string;
  /** Graceful: stop accepting, finish in-flight requests and jobs, close the database. */
  stop(): Promise<void>;
};

export type StartOptions = {
  http: boolean;
  workers: boolean;
  app?: AppOptions;
  worker?: WorkerOptions;
  /** Default true: collect process metrics (off in tests that build many runtimes). */
  processMetrics?: boolean;
};

export async function startPatchbay(config: Config, logger: Logger, opts: StartOptions): Promise<Patchbay> {
  const owner = opts.http ? { role: 'server' as const, command: 'npm start', httpPort: config.PORT } : { role: 'worker' as const, command: 'npm run worker' };
  const db = await openDatabase(config, logger, { migrate: true, owner });
  // The composition root: who receives domain events after commit.
  const rt = createRuntime(config, logger, db, { subscribers: [alertSubscriber, webhookSubscriber, hookAlertSubscriber] });
  if (opts.processMetrics !== false) rt.metrics = createMetrics({ defaults: true, pool: db.pool });
  let workers: Workers | undefined;
  let server: Server | undefined;
  const bots: ChatBot[] = [];
  let stopCache: (() => Promise<void>) | undefined;
  const stopBots = async () => {
    await Promise.all(bots.map((b) => b.stop()));
    rt.bots = rt.bots.filter((b) => !bots.includes(b));
  };
  try {
    await checkCredentialsDecrypt(rt);
    const bootstrap = opts.http ? await bootstrapIfEmpty(rt.em()) : null;
    // Chat apps first: their posters must be on the runtime before workers pick up alert jobs.
    for (const adapter of BOT_ADAPTERS) {
      if (!adapter.configured(config)) continue;
      const bot = await adapter.create(rt);
      bots.push(bot);
      attachBot(rt, bot);
    }
    if (opts.workers) workers = await startWorkers(rt, opts.worker);
    let url = config.PUBLIC_URL;
    if (opts.http) {
      const rawMounts = [...bots.flatMap((b) => (b.mount ? [b.mount] : [])), ...(opts.app?.rawMounts ?? [])];
      const app = createApp(rt, { ...opts.app, rawMounts });
      server = await new Promise<Server>((resolve, reject) => {
        const s = app.listen(config.PORT, config.HOST, (err?: Error) => (err ? reject(listenError(err, config)) : resolve(s)));
      });
      const addr = server.address();
      if (addr && typeof addr === 'object' && config.PORT === 0) url = `http://127.0.0.1:${addr.port}`;
      // An ephemeral port (tests): the Sandbox's default address is only known now.
      if (addr && typeof addr === 'object' && config.PORT === 0 && !config.raw.SANDBOX_URL) {
        rt.config = { ...rt.config, SANDBOX_URL: ownSandboxUrl(config.HOST, addr.port) };
      }
      // …and so is the public URL providers send webhooks to, unless the operator set one.
      if (addr && typeof addr === 'object' && config.PORT === 0 && !config.raw.PUBLIC_URL) rt.config = { ...rt.config, PUBLIC_URL: url };
      // Chat commands arrive here: cache who their users are, dropped on any change (any process).
      stopCache = await rt.chatCache.listen(db.url, logger);
      for (const b of bots) await b.start();
    }
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        rt.state.shuttingDown = true;
        logger.info('shutting down: no new requests; finishing in-flight requests and jobs');
        const closing = server
          ? new Promise<void>((resolve) => {
              server!.close(() => resolve());
              server!.closeIdleConnections();
            })
          : Promise.resolve();
        await Promise.all([closing, workers?.stop(), stopBots()]);
        await stopCache?.();
        await rt.net.deliveryAgents.close();
        await db.close();
        logger.info('shut down cleanly');
      })());
    return { rt, server, workers, bootstrap, url, stop };
  } catch (err) {
    await stopBots().catch(() => {});
    await stopCache?.().catch(() => {});
    await workers?.stop().catch(() => {});
    server?.close();
    await rt.net.deliveryAgents.close();
    await db.close();
    throw err;
  }
}

/** A port in use is the operator's to fix: one line naming the variable, not a stack. */
function listenError(err: Error & { code?: string }, config: Config): Error {
  if (err.code === 'EADDRINUSE') {
    return new StartupError(`Port ${config.PORT} on ${config.HOST} is already in use (another Patchbay, or another program). Stop it, or set PORT to a free port, e.g. PORT=${config.PORT + 1} npm start.`);
  }
  if (err.code === 'EACCES') return new StartupError(`Not allowed to listen on port ${config.PORT}: set PORT to a port above 1023.`);
  return err;
}

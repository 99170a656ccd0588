/** `npm run worker`: workers only, for scaling jobs out beside `npm start` (set WORKER_ENABLED=false there). */
import { loadConfig, readEnvironment } from '../config/index.ts';
import { createLogger } from '../logger.ts';
import { runCli } from './cli/run-cli.ts';
import { startPatchbay } from './lifecycle.ts';
import { handleSignals } from './signals.ts';

await runCli(async () => {
  const config = loadConfig(readEnvironment());
  const logger = createLogger(config.LOG_LEVEL);
  const pb = await startPatchbay(config, logger, { http: false, workers: true });
  handleSignals(pb, logger, config.SHUTDOWN_TIMEOUT_SECONDS);
  logger.info({ concurrency: config.WORKER_CONCURRENCY }, 'Patchbay worker is running');
});

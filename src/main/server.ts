/** `npm start`: API, bots and workers in one process, migrations applied first. */
import { loadConfig, readEnvironment } from '../config/index.ts';
import { createLogger } from '../logger.ts';
import { runCli } from './cli/run-cli.ts';
import { startPatchbay } from './lifecycle.ts';
import { handleSignals } from './signals.ts';

await runCli(async () => {
  const config = loadConfig(readEnvironment());
  const logger = createLogger(config.LOG_LEVEL);
  const pb = await startPatchbay(config, logger, { http: true, workers: config.WORKER_ENABLED });
  handleSignals(pb, logger, config.SHUTDOWN_TIMEOUT_SECONDS);
  logger.info({ url: pb.url, workers: config.WORKER_ENABLED }, `Patchbay is listening on ${pb.url}`);
  if (pb.bootstrap) {
    const { workspace, owner, token } = pb.bootstrap;
    // Printed once, to the terminal only (not the JSON log): the secret is never stored in clear.
    process.stdout.write(
      [
        '',
        `Created workspace '${workspace.slug}' with Owner ${owner.email}. Owner API token (shown once, keep it safe):`,
        '',
        `  ${token}`,
        '',
        'Try it:',
        `  curl -H "Authorization: Bearer ${token}" ${pb.url}/api/v1/workspace`,
        '',
        `API reference: ${pb.url}/docs`,
        '',
      ].join('\n'),
    );
  }
});

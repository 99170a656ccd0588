/**
 * The Sandbox: a fake third-party SaaS served by Patchbay itself (README.md here). Only the
 * composition root — the HTTP app that mounts it, and the `npm run sandbox` CLI — imports this folder.
 */
import type { Express } from 'express';
import type { Runtime } from '../runtime.ts';
import { sandboxRouter, type SandboxDeps } from './router.ts';
import { ownReceivers } from './webhooks.ts';

export const SANDBOX_PATH = '/sandbox/api';

/** Mounts the Sandbox API when `SANDBOX_ENABLED`. */
export function mountSandbox(app: Express, rt: Runtime, delivery?: SandboxDeps['delivery']): void {
  if (!rt.config.SANDBOX_ENABLED) return;
  // Read at call time: with an ephemeral port the addresses are known only after listening.
  const own = () => ownReceivers(rt.config);
  app.use(SANDBOX_PATH, sandboxRouter({ db: rt.db.pool, config: rt.config, logger: rt.logger.child({ component: 'sandbox' }), delivery: { ownReceivers: own, ...delivery } }));
}

/**
 * Starting the Slack app inside Patchbay (src/main/lifecycle.ts). When the environment configures
 * it: the alert poster is registered (every process that runs jobs posts alerts), `slack` is
 * reported by /readyz, and — in the process that serves HTTP — Slack's routes are mounted before
 * any body parser and Socket Mode connects.
 */
import type { Express } from 'express';
import { registerPoster } from '../../src/alerts/posters.ts';
import type { Runtime } from '../../src/runtime.ts';
import { createSlackBot, slackConfigured, type SlackBot } from './app.ts';

export { createSlackBot, slackConfigured, type SlackBot } from './app.ts';

export type StartedSlack = {
  bot: SlackBot;
  /** For `createApp(rt, { rawMounts })`. */
  rawMount(app: Express): void;
  /** Opens the Socket Mode connection (HTTP mode: nothing). Call once the HTTP server listens. */
  connect(): Promise<void>;
  stop(): Promise<void>;
};

/** Returns null when the Slack app is not configured. */
export function startSlack(rt: Runtime): StartedSlack | null {
  if (!slackConfigured(rt.config)) return null;
  const bot = createSlackBot(rt);
  const unregister = registerPoster('slack', bot.poster);
  if (!rt.state.bots.includes('slack')) rt.state.bots.push('slack');
  rt.logger.info({ mode: bot.mode, auth: bot.auth }, 'Slack app enabled');
  return {
    bot,
    rawMount: (app) => bot.mount(app),
    connect: () => bot.start(),
    async stop() {
      await bot.stop(rt.config.SHUTDOWN_TIMEOUT_SECONDS * 1000);
      unregister();
      rt.state.bots = rt.state.bots.filter((b) => b !== 'slack');
    },
  };
}

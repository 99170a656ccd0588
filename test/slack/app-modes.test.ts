/** Which Bolt receiver and authorization the environment selects (no network: nothing is started). */
import { ExpressReceiver, SocketModeReceiver } from '@slack/bolt';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createSlackBot, slackConfigured } from '../../bots/slack/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/logger.ts';
import type { Runtime } from '../../src/runtime.ts';
import { createVault } from '../../src/vault/vault.ts';

function runtime(env: Record<string, string>): Runtime {
  const config = loadConfig({ NODE_ENV: 'test', SLACK_SIGNING_SECRET: 'signing-secret-123', ...env });
  return {
    config,
    logger: createLogger('silent'),
    vault: createVault(Buffer.alloc(32, 3)),
    state: { workersRunning: false, shuttingDown: false, bots: [] },
  } as unknown as Runtime;
}

const routes = (app: express.Express) => {
  const router = (app as unknown as { router: { stack: Array<{ route?: { path: string }; handle: { stack?: Array<{ route?: { path: string }; matchers?: unknown }> } }> } }).router;
  return JSON.stringify(router.stack.map((l) => l.route?.path ?? l.handle.stack?.map((s) => s.route?.path ?? 'use')));
};

describe('Slack app modes', () => {
  it('is off unless a signing secret and a token or OAuth app are configured', () => {
    expect(slackConfigured(loadConfig({ NODE_ENV: 'test' }))).toBe(false);
    expect(slackConfigured(runtime({ SLACK_BOT_TOKEN: 'xoxb-1' }).config)).toBe(true);
  });

  it('serves HTTP at /slack/events with a single bot token', () => {
    const bot = createSlackBot(runtime({ SLACK_BOT_TOKEN: 'xoxb-1' }));
    expect(bot.mode).toBe('http');
    expect(bot.auth).toBe('single_token');
    expect(bot.receiver).toBeInstanceOf(ExpressReceiver);
    const app = express();
    bot.mount(app);
    expect(routes(app)).toContain('/slack/events');
    expect(routes(app)).not.toContain('/slack/install');
  });

  it('adds the install routes with an OAuth app', () => {
    const bot = createSlackBot(runtime({ SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'client-secret-1' }));
    expect(bot.auth).toBe('oauth');
    expect((bot.receiver as ExpressReceiver).installer).toBeDefined();
    const app = express();
    bot.mount(app);
    expect(routes(app)).toContain('/slack/install');
  });

  it('uses Socket Mode when an app-level token is set, and still serves the install pages over HTTP', () => {
    const single = createSlackBot(runtime({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-A1-1-abc' }));
    expect(single.mode).toBe('socket');
    expect(single.receiver).toBeInstanceOf(SocketModeReceiver);
    const oauth = createSlackBot(runtime({ SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'client-secret-1', SLACK_APP_TOKEN: 'xapp-1-A1-1-abc' }));
    expect(oauth.mode).toBe('socket');
    expect(oauth.auth).toBe('oauth');
    const app = express();
    oauth.mount(app);
    expect(routes(app)).toContain('/slack/install');
    expect(routes(app)).toContain('/slack/oauth_redirect');
    expect(routes(app)).not.toContain('/slack/events');
  });
});

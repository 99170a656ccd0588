/**
 * The Slack app: Bolt's App with an ExpressReceiver (HTTP mode: commands, interactivity and events
 * on POST /slack/events, signature and timestamp verified by Bolt over the raw body) or a
 * SocketModeReceiver (SLACK_APP_TOKEN: no public URL needed).
 *
 * Tokens: SLACK_BOT_TOKEN for one workspace, or SLACK_CLIENT_ID/SECRET for OAuth installs
 * (/slack/install → Slack → /slack/oauth_redirect) through Bolt's installer and a Postgres
 * installation store (installation-store.ts). With token rotation enabled on the Slack app,
 * the installer refreshes a bot token that expires within two hours on its next use and
 * stores the new one; uses of one team share one refresh, within a process and across processes.
 */
import { App, ExpressReceiver, SocketModeReceiver, webApi, type AuthorizeResult, type ExpressReceiverOptions, type Installation } from '@slack/bolt';
import type { Express, Request, Response } from 'express';
import type { Poster } from '../../src/alerts/posters.ts';
import type { Config } from '../../src/config/index.ts';
import type { Runtime } from '../../src/runtime.ts';
import { registerEvents } from './events.ts';
import { registerHandlers } from './handlers.ts';
import { slackIngress } from './ingress.ts';
import { CALLBACK_CSP, htmlSecurityHeaders } from '../../src/http/security-headers.ts';
import { createInstallationStore } from './installation-store.ts';
import { boltLogger } from './logger.ts';
import { installFailurePage, installSuccessPage } from './install-pages.ts';
import { createSlackPoster } from './poster.ts';
import { createResponder } from './response-url.ts';
import { clientOptions, createBotTokens, type Authorizer, type SlackClientOptions } from './tokens.ts';
import { createUserLookup, type UserLookup } from './users.ts';
import { withAdvisoryLock } from '../../src/db/locks.ts';

/** The bot scopes Patchbay asks for; keep manifest/slack.yaml in step. */
export const BOT_SCOPES = ['commands', 'chat:write', 'chat:write.public', 'users:read', 'users:read.email'];

export const EVENTS_PATH = '/slack/events';
export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';

export type SlackBot = {
  app: App;
  mode: 'http' | 'socket';
  auth: 'single_token' | 'oauth';
  receiver: ExpressReceiver | SocketModeReceiver;
  poster: Poster;
  users: UserLookup;
  /** Mounts Slack's routes on Patchbay's Express app; must run before any body parser. */
  mount(app: Express): void;
  /** Socket Mode: opens the connection. HTTP mode: nothing to do. */
  start(): Promise<void>;
  /** Waits (bounded) for replies still being delivered; closes the Socket Mode connection. */
  stop(timeoutMs?: number): Promise<void>;
  /** Resolves when no delivery is in flight (tests, graceful shutdown). */
  idle(): Promise<void>;
};

/**
 * Runs `fn` holding a Postgres advisory lock for one installation. The installer re-reads the
 * installation inside `fn`, so a process that waited finds the token another one just
 * refreshed instead of spending the (single-use) refresh token again.
 */
async function withInstallationLock<T>(rt: Runtime, key: string, fn: () => Promise<T>): Promise<T> {
  return await withAdvisoryLock(rt.db.pool, `slack-installation:${key}`, fn);
}

/** Whether the environment configures the Slack app (the config schema checks the combinations). */
export function slackConfigured(config: Config): boolean {
  return Boolean(config.SLACK_SIGNING_SECRET && (config.SLACK_BOT_TOKEN || (config.SLACK_CLIENT_ID && config.SLACK_CLIENT_SECRET)));
}

type InstallerOptions = NonNullable<ExpressReceiverOptions['installerOptions']>;

/** Slack's authorize page beside its Web API (slack.com, slack-gov.com, or a fake in tests). */
function authorizationUrl(config: Config): string | undefined {
  return config.SLACK_API_URL ? new URL('../oauth/v2/authorize', config.SLACK_API_URL.replace(/\/?$/, '/')).toString() : undefined;
}

/**
 * Single-token mode. Bolt's own `token` option calls `auth.test` at construction and keeps a
 * failed answer forever (a network blip at boot would silence the bot until a restart); this
 * asks in the background, keeps only a success, and never makes a request wait for it (the
 * first acknowledgement after boot must fit in Slack's 3 s). Patchbay needs the bot's ids only
 * for Bolt's ignore-self filter, which no listener here relies on.
 */
function singleTokenAuthorize(rt: Runtime, token: string, options: SlackClientOptions): (source: unknown) => Promise<AuthorizeResult> {
  const client = new webApi.WebClient(token, options);
  let ids: { botId?: string; botUserId?: string } | undefined;
  let asking = false;
  const ask = () => {
    if (ids || asking) return;
    asking = true;
    client.auth
      .test()
      .then(
        (r) => void (ids = { ...(r.bot_id ? { botId: r.bot_id } : {}), ...(r.user_id ? { botUserId: r.user_id } : {}) }),
        (err: unknown) => rt.logger.error({ error: (err as { data?: { error?: string } }).data?.error ?? String(err) }, 'Slack auth.test failed: is SLACK_BOT_TOKEN valid?'),
      )
      .finally(() => (asking = false));
  };
  return async () => {
    ask();
    return { botToken: token, ...(ids ?? {}) };
  };
}

export function createSlackBot(rt: Runtime): SlackBot {
  const { config } = rt;
  if (!slackConfigured(config)) throw new Error('the Slack app is not configured (SLACK_SIGNING_SECRET with SLACK_BOT_TOKEN or SLACK_CLIENT_ID/SECRET)');
  const logger = boltLogger(rt.logger);
  // Replies never wait out a 429 inside the client: the caller falls back to the response URL (deliver.ts).
  const options = clientOptions(config, { logger, rejectRateLimitedCalls: true });
  const oauth = Boolean(config.SLACK_CLIENT_ID && config.SLACK_CLIENT_SECRET);
  const socket = Boolean(config.SLACK_APP_TOKEN);
  if (oauth && config.SLACK_BOT_TOKEN) rt.logger.warn('SLACK_CLIENT_ID is set: the Slack app uses OAuth installs and ignores SLACK_BOT_TOKEN');

  const installationStore = oauth ? createInstallationStore(rt) : null;
  const installUrlOptions = { scopes: BOT_SCOPES, redirectUri: `${config.PUBLIC_URL}${REDIRECT_PATH}` };
  const installerOptions: InstallerOptions = {
    directInstall: true,
    installPath: INSTALL_PATH,
    redirectUriPath: REDIRECT_PATH,
    clientOptions: options,
    ...(authorizationUrl(config) ? { authorizationUrl: authorizationUrl(config)! } : {}),
    callbackOptions: {
      success: (installation, _opts, _req, res) => installSuccessPage(res, installation as Installation, config),
      failure: (error, _opts, _req, res) => {
        rt.logger.warn({ code: error.code, error: error.message }, 'slack install failed');
        installFailurePage(res, config);
      },
    },
  };
  const oauthOptions = oauth
    ? {
        clientId: config.SLACK_CLIENT_ID!,
        clientSecret: config.SLACK_CLIENT_SECRET!,
        // Signs the install state (Bolt's ClearStateStore); derived from the vault key, never stored.
        stateSecret: rt.vault.sign('slack-oauth-state-secret'),
        installationStore: installationStore!,
        scopes: BOT_SCOPES,
        redirectUri: installUrlOptions.redirectUri,
        installerOptions,
      }
    : {};

  const receiver: ExpressReceiver | SocketModeReceiver = socket
    ? new SocketModeReceiver({ appToken: config.SLACK_APP_TOKEN!, logger, ...oauthOptions })
    : new ExpressReceiver({ signingSecret: config.SLACK_SIGNING_SECRET!, endpoints: { events: EVENTS_PATH }, logger, ...oauthOptions });

  // One refresh per team at a time: shared by concurrent uses in this process, and serialised
  // across processes (server and workers) by a Postgres advisory lock, because a rotated
  // refresh token works once — two processes refreshing together would lose the installation.
  let authorizer: Authorizer | null = null;
  const installer = receiver.installer;
  if (installer) {
    const original = installer.authorize.bind(installer);
    const flights = new Map<string, Promise<AuthorizeResult>>();
    installer.authorize = (source) => {
      const key = `${source.isEnterpriseInstall ? 'E' : 'T'}:${source.enterpriseId ?? ''}:${source.teamId ?? ''}`;
      let call = flights.get(key);
      if (!call) {
        call = withInstallationLock(rt, key, () => original(source)).finally(() => flights.delete(key));
        flights.set(key, call);
      }
      return call;
    };
    authorizer = (source) => installer.authorize({ teamId: source.teamId as string, enterpriseId: source.enterpriseId, isEnterpriseInstall: false });
  }

  const app = new App({
    receiver,
    logger,
    clientOptions: options,
    // Bolt's default conversation store does work on every request for a feature Patchbay never uses.
    convoStore: false,
    ...(oauth ? {} : { authorize: singleTokenAuthorize(rt, config.SLACK_BOT_TOKEN!, options) }),
  });

  const users = createUserLookup(rt);
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    const p: Promise<unknown> = work.catch((err: unknown) => rt.logger.error({ err }, 'slack: background work failed')).finally(() => inFlight.delete(p));
    inFlight.add(p);
    return work;
  };
  registerEvents(app, rt, installationStore);
  registerHandlers(app, { rt, users, respond: createResponder(config), track });

  const tokens = createBotTokens(config, authorizer, options);
  const poster = createSlackPoster(tokens);

  const idle = async () => {
    while (inFlight.size) await Promise.allSettled([...inFlight]);
  };

  return {
    app,
    mode: socket ? 'socket' : 'http',
    auth: oauth ? 'oauth' : 'single_token',
    receiver,
    poster,
    users,
    mount(express) {
      if (installer) express.use([INSTALL_PATH, REDIRECT_PATH], htmlSecurityHeaders(CALLBACK_CSP));
      if (receiver instanceof ExpressReceiver) {
        express.post(EVENTS_PATH, slackIngress({ rt, signingSecret: config.SLACK_SIGNING_SECRET!, store: installationStore }));
        express.use(receiver.router);
        return;
      }
      // Socket Mode: events come over the socket; the OAuth pages still need Patchbay's HTTP server.
      if (!installer) return;
      express.get(INSTALL_PATH, (req: Request, res: Response, next) => {
        installer.handleInstallPath(req, res, undefined, installUrlOptions).catch(next);
      });
      express.get(REDIRECT_PATH, (req: Request, res: Response, next) => {
        installer.handleCallback(req, res, installerOptions.callbackOptions).catch(next);
      });
    },
    async start() {
      // Not receiver.start(): with an installer it would open a second HTTP server on port 3000.
      if (receiver instanceof SocketModeReceiver) await receiver.client.start();
    },
    async stop(timeoutMs = 10_000) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([idle(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
      if (receiver instanceof SocketModeReceiver) await receiver.client.disconnect().catch(() => {});
    },
    idle,
  };
}

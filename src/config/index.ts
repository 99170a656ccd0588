/**
 * The one module that reads the environment. Everything else receives a parsed `Config`.
 *
 * Every variable is documented in `.env.example`; keep the two in step (a test checks it).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseAllowPrivate } from '../net/addresses.ts';

const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (def: number, min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` })
    .default(def);

const base64Key = z
  .string()
  .refine((v) => Buffer.from(v, 'base64').length === 32 && /^[A-Za-z0-9+/]+=*$/.test(v), {
    error: 'must be 32 bytes encoded as base64 (generate one with: openssl rand -base64 32)',
  });

const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: int(3000, 0, 65535),
    HOST: z.string().min(1).default('0.0.0.0'),
    PUBLIC_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }).optional()),
    DATABASE_URL: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// or postgresql:// URL' })
        .optional(),
    ),
    DATABASE_POOL_SIZE: int(10, 1, 500),
    /** How long start-up waits for PostgreSQL (compose starts it beside us) before giving up. */
    DATABASE_WAIT_SECONDS: int(60, 0, 3600),
    /** Express `trust proxy`: which hops may set X-Forwarded-For, so rate limits see the real client. */
    TRUST_PROXY: z
      .string()
      .min(1)
      .default('loopback,linklocal,uniquelocal')
      .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v)),
    /** Admin API requests per window per token and per client address (0 turns that limit off). */
    API_RATE_LIMIT_PER_TOKEN: int(600, 0, 1_000_000),
    API_RATE_LIMIT_PER_IP: int(1200, 0, 1_000_000),
    API_RATE_LIMIT_WINDOW_SECONDS: int(60, 1, 3600),
    /** Wrong link codes a chat user (and a whole chat team) may try per window before `link` is refused. */
    LINK_CODE_FAILURES_PER_USER: int(5, 1, 1000),
    LINK_CODE_FAILURES_PER_TEAM: int(20, 1, 100_000),
    LINK_CODE_FAILURE_WINDOW_SECONDS: int(900, 10, 86_400),
    DATA_DIR: z.string().min(1).default('.data'),
    ENCRYPTION_KEY: z.preprocess(emptyAsUndefined, base64Key.optional()),
    ENCRYPTION_KEYS_PREVIOUS: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .optional()
        .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []))
        .pipe(z.array(base64Key)),
    ),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    WORKER_CONCURRENCY: int(10, 1, 200),
    /** Outbound webhook deliveries sent at once: their own worker pool, so slow receivers cannot hold up syncs and alerts. */
    WEBHOOK_CONCURRENCY: int(10, 1, 200),
    /** How long one webhook delivery waits for the receiver's answer. */
    WEBHOOK_TIMEOUT_SECONDS: int(30, 1, 300),
    /** Realtime rules whose provider webhooks are registered still poll this often, for what webhooks dropped. */
    REALTIME_RECONCILE_MINUTES: int(60, 5, 1440),
    /** Custom inbound hooks: at most one alert per hook per channel in this many seconds; what arrives between is summarized in the next. */
    HOOKS_ALERT_INTERVAL_SECONDS: int(10, 1, 3600),
    /** Custom inbound hooks: bodies one hook accepts per minute (0 turns the limit off); past it, 429 with Retry-After. */
    HOOKS_RATE_LIMIT_PER_MINUTE: int(600, 0, 1_000_000),
    /** Run graphile-worker inside `npm start`. Set false when workers run as their own service. */
    /** Start even when stored credentials cannot be decrypted; those connections are marked errored. */
    ALLOW_UNDECRYPTABLE_CREDENTIALS: bool(false),
    WORKER_ENABLED: bool(true),
    /** Jobs locked longer than this are assumed orphaned by a crashed process and unlocked. */
    JOB_LEASE_MINUTES: int(10, 1, 24 * 60),
    /** Logs and records older than this are pruned by the retention job. */
    RETENTION_DAYS: int(90, 1, 3650),
    SHUTDOWN_TIMEOUT_SECONDS: int(30, 1, 600),
    /** Records asked of a provider per pull page. */
    SYNC_PAGE_SIZE: int(200, 1, 1000),
    /** Pull pages or push batches one job handles before it commits and queues the next step of the run. */
    SYNC_STEPS_PER_JOB: int(20, 1, 10_000),
    /** Local changes one push batch reads. */
    SYNC_PUSH_BATCH: int(100, 1, 1000),
    /** A rate limit asking to wait up to this long is waited out inside the run; a longer one pauses the connection. */
    SYNC_MAX_INLINE_WAIT_SECONDS: int(30, 0, 300),
    /** Writes to one field on both sides closer together than this are reported as a conflict. */
    SYNC_CONFLICT_GRACE_SECONDS: int(300, 0, 86_400),
    /** Failed runs in a row that move a connection to errored. */
    SYNC_MAX_FAILED_RUNS: int(5, 1, 100),
    /** How often a rule whose provider feed reports no deletes does a full reconciliation (mark-and-sweep). */
    SYNC_RECONCILE_HOURS: int(24, 1, 24 * 30),
    /**
     * Internal hosts that user-chosen URLs (per-connection provider URLs, later webhooks) may reach:
     * `true` (not in production), or host names (`*.corp.example`) and IPs/CIDRs, comma-separated.
     */
    EGRESS_ALLOW_PRIVATE: z
      .string()
      .optional()
      .transform((v, ctx) => {
        const parsed = parseAllowPrivate(v);
        if (typeof parsed !== 'string') return parsed;
        ctx.addIssue({ code: 'custom', message: `${parsed} (use true, or host names and IPs/CIDRs separated by commas)` });
        return z.NEVER;
      }),
    /** Alias for webhook targets: `true` admits every internal address for outbound webhooks, like EGRESS_ALLOW_PRIVATE=true (not in production). */
    WEBHOOKS_ALLOW_PRIVATE_TARGETS: bool(false),
    /** Serve the Sandbox (a fake SaaS for trying sync offline) under /sandbox/api. Default: on, except in production. */
    SANDBOX_ENABLED: z.preprocess(
      emptyAsUndefined,
      z
        .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
        .optional()
        .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'yes')),
    ),
    /** The Sandbox API's base URL as this process and its workers reach it (default: this process's own address). */
    SANDBOX_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }).optional()),
    /** Sandbox API requests per key per window (0: no limit), to try rate limiting. */
    SANDBOX_RATE_LIMIT: int(0, 0, 1_000_000),
    SANDBOX_RATE_LIMIT_WINDOW_SECONDS: int(60, 1, 3600),
    // --- Slack app (bots/slack). Enabled when SLACK_SIGNING_SECRET and a token or OAuth app are set.
    SLACK_SIGNING_SECRET: z.preprocess(emptyAsUndefined, z.string().min(8).optional()),
    SLACK_BOT_TOKEN: z.preprocess(emptyAsUndefined, z.string().regex(/^xox[bp]-/, { error: 'must be a bot token (xoxb-…)' }).optional()),
    SLACK_CLIENT_ID: z.preprocess(emptyAsUndefined, z.string().min(3).optional()),
    SLACK_CLIENT_SECRET: z.preprocess(emptyAsUndefined, z.string().min(8).optional()),
    SLACK_APP_TOKEN: z.preprocess(emptyAsUndefined, z.string().regex(/^xapp-/, { error: 'must be an app-level token (xapp-…)' }).optional()),
    SLACK_API_URL: z.preprocess(emptyAsUndefined, z.url({ error: 'must be an absolute URL ending in /api/' }).optional()),
    // --- Discord app (bots/discord). Enabled when DISCORD_APPLICATION_ID, DISCORD_PUBLIC_KEY and DISCORD_BOT_TOKEN are set.
    DISCORD_APPLICATION_ID: z.preprocess(emptyAsUndefined, z.string().regex(/^\d{15,25}$/, { error: 'must be the application id (a snowflake, digits only)' }).optional()),
    DISCORD_PUBLIC_KEY: z.preprocess(emptyAsUndefined, z.string().regex(/^[0-9a-fA-F]{64}$/, { error: 'must be the 64-hex-digit public key (General Information → Public Key)' }).optional()),
    DISCORD_BOT_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(20).optional()),
    /** Registers the commands in this guild only (instant; global commands are visible everywhere). */
    DISCORD_GUILD_ID: z.preprocess(emptyAsUndefined, z.string().regex(/^\d{15,25}$/, { error: 'must be a guild id (a snowflake, digits only)' }).optional()),
    /** Receive interactions over the gateway (no public URL needed) instead of POST /discord/interactions. */
    DISCORD_GATEWAY: bool(false),
    /** Discord's API base (a local fake in tests), e.g. http://127.0.0.1:4000/api; `/v10` is added. */
    DISCORD_API_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }).optional()),
    // --- Microsoft Teams bot (bots/teams). Enabled by TEAMS_APP_ID (with TEAMS_APP_PASSWORD), or TEAMS_ENABLED=true for the local emulator.
    TEAMS_APP_ID: z.preprocess(emptyAsUndefined, z.guid({ error: 'must be the Azure Bot’s Microsoft App ID (a GUID)' }).optional()),
    TEAMS_APP_PASSWORD: z.preprocess(emptyAsUndefined, z.string().min(8).optional()),
    /** The Azure Bot's tenant: single-tenant registrations (the only kind Azure creates now) need it. */
    TEAMS_TENANT_ID: z.preprocess(emptyAsUndefined, z.guid({ error: 'must be the Microsoft Entra tenant id (a GUID)' }).optional()),
    /** true without credentials: the anonymous local emulator mode (refused in production). Default: on when TEAMS_APP_ID is set. */
    TEAMS_ENABLED: bool(false),
    /**
     * Where the bot may send replies (an activity's serviceUrl must start with one of these):
     * Microsoft's Bot Connector hosts by default; add a local emulator or test fake here.
     */
    TEAMS_SERVICE_URLS: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .optional()
        .transform((v) => (v ?? 'https://smba.trafficmanager.net/,https://smba.infra.gcc.teams.microsoft.com/,https://smba.infra.gov.teams.microsoft.us/,https://api.botframework.com/')
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)),
    ),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && c.EGRESS_ALLOW_PRIVATE.all) {
      ctx.addIssue({ code: 'custom', path: ['EGRESS_ALLOW_PRIVATE'], message: 'true admits every internal host and is for development; in production list the hosts or CIDRs to admit' });
    }
    if (c.NODE_ENV === 'production' && c.WEBHOOKS_ALLOW_PRIVATE_TARGETS) {
      ctx.addIssue({ code: 'custom', path: ['WEBHOOKS_ALLOW_PRIVATE_TARGETS'], message: 'true admits every internal host and is for development; in production list the hosts or CIDRs to admit in EGRESS_ALLOW_PRIVATE' });
    }
    const slackWanted = c.SLACK_BOT_TOKEN || c.SLACK_CLIENT_ID || c.SLACK_CLIENT_SECRET || c.SLACK_APP_TOKEN;
    if (slackWanted && !c.SLACK_SIGNING_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_SIGNING_SECRET'], message: 'is required when the Slack app is configured (Basic Information → Signing Secret)' });
    }
    if (Boolean(c.SLACK_CLIENT_ID) !== Boolean(c.SLACK_CLIENT_SECRET)) {
      ctx.addIssue({ code: 'custom', path: [c.SLACK_CLIENT_ID ? 'SLACK_CLIENT_SECRET' : 'SLACK_CLIENT_ID'], message: 'SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together (OAuth install)' });
    }
    if (Boolean(c.TEAMS_APP_ID) !== Boolean(c.TEAMS_APP_PASSWORD)) {
      ctx.addIssue({ code: 'custom', path: [c.TEAMS_APP_ID ? 'TEAMS_APP_PASSWORD' : 'TEAMS_APP_ID'], message: 'TEAMS_APP_ID and TEAMS_APP_PASSWORD go together (Azure Bot → Configuration, and a client secret of its app registration)' });
    }
    const discord = { DISCORD_APPLICATION_ID: c.DISCORD_APPLICATION_ID, DISCORD_PUBLIC_KEY: c.DISCORD_PUBLIC_KEY, DISCORD_BOT_TOKEN: c.DISCORD_BOT_TOKEN };
    const discordSet = Object.values(discord).filter(Boolean).length;
    if (discordSet > 0 && discordSet < 3) {
      for (const [k, v] of Object.entries(discord)) {
        if (!v) ctx.addIssue({ code: 'custom', path: [k], message: 'is required when the Discord app is configured (DISCORD_APPLICATION_ID, DISCORD_PUBLIC_KEY and DISCORD_BOT_TOKEN go together)' });
      }
    }
    if (c.SLACK_SIGNING_SECRET && !c.SLACK_BOT_TOKEN && !c.SLACK_CLIENT_ID) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'set SLACK_BOT_TOKEN (one Slack workspace) or SLACK_CLIENT_ID/SLACK_CLIENT_SECRET (OAuth install) with SLACK_SIGNING_SECRET' });
    }
  })
  .transform((c) => ({
    ...c,
    PUBLIC_URL: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ''),
    SANDBOX_ENABLED: c.SANDBOX_ENABLED ?? c.NODE_ENV !== 'production',
    SANDBOX_URL: (c.SANDBOX_URL ?? ownSandboxUrl(c.HOST, c.PORT)).replace(/\/+$/, ''),
  }));

/**
 * The Sandbox API at this process's own address: loopback when listening on every interface (or
 * on loopback), else the address it listens on. Not PUBLIC_URL, which workers may not reach.
 */
export function ownSandboxUrl(host: string, port: number): string {
  const wildcard = ['0.0.0.0', '::', '[::]', 'localhost'].includes(host) || host.startsWith('127.') || host === '::1';
  const h = wildcard ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}/sandbox/api`;
}

export type Config = z.infer<typeof configSchema> & {
  /** Every variable as given, for namespaced lookups (PROVIDER_<SLUG>_*) that a schema cannot list up front. */
  readonly raw: Readonly<Record<string, string | undefined>>;
};

/** Thrown when the environment does not parse; its message lists every bad variable. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every variable.`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const PRODUCTION_KEY_PROBLEM =
  'ENCRYPTION_KEY: is required when NODE_ENV=production (generate one with: openssl rand -base64 32)';

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = i.path.join('.') || '(environment)';
      const value = env[name];
      // Never echo secrets back; other values help the operator spot a typo.
      const shown = value === undefined || /KEY|SECRET|TOKEN|PASSWORD|DATABASE_URL|CLIENT_ID/.test(name) ? '' : ` (got "${value}")`;
      return `${name}: ${i.message}${shown}`;
    });
    // Listed with the others, so the operator fixes everything in one round.
    if (env.NODE_ENV === 'production' && !env.ENCRYPTION_KEY) problems.push(PRODUCTION_KEY_PROBLEM);
    throw new ConfigError(problems);
  }
  if (parsed.data.NODE_ENV === 'production' && !parsed.data.ENCRYPTION_KEY) {
    throw new ConfigError([PRODUCTION_KEY_PROBLEM]);
  }
  return { ...parsed.data, raw: { ...env } };
}

/** Reads `.env` (if present, without overriding real variables) and the process environment. */
export function readEnvironment(cwd = process.cwd()): Record<string, string | undefined> {
  const file = path.join(cwd, '.env');
  if (existsSync(file)) process.loadEnvFile(file);
  return { ...process.env };
}

/** The resolved data directory (embedded Postgres, generated development key). */
export function dataDir(config: Config, cwd = process.cwd()): string {
  return path.resolve(cwd, config.DATA_DIR);
}

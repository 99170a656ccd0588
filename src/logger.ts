/**
 * pino JSON logs. Secrets are redacted by key name wherever they sit in a logged object, and
 * bearer tokens or key=value secrets inside free text (error messages, URLs) are masked too.
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import { correlationId } from './context.ts';

export type { Logger };

const SECRET_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'clientSecret',
  'client_secret',
  'apiKey',
  'api_key',
  'credentials',
  'code_verifier',
  'encryptionKey',
  'x-api-key',
];

const redactPaths = SECRET_KEYS.flatMap((k) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`;
  const sep = key.startsWith('[') ? '' : '.';
  return [key, `*${sep}${key}`, `*.*${sep}${key}`, `*.*.*${sep}${key}`];
});

const TEXT_PATTERNS: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic|Bot|token)\s+[A-Za-z0-9._~+/=-]{6,}/gi, '$1 [REDACTED]'],
  [/\b(access_token|refresh_token|client_secret|api_key|apikey|token|key|password|secret|code)=([^&\s"']+)/gi, '$1=[REDACTED]'],
  [/(postgres(?:ql)?:\/\/[^:/\s]+:)[^@\s]+@/gi, '$1[REDACTED]@'],
  // Well-known token formats, wherever they appear (Slack, GitHub, Linear, Stripe, Patchbay's own).
  [/\b(xox[abpors]|xapp)-[A-Za-z0-9-]{8,}/g, '$1-[REDACTED]'],
  [/\b(gh[pousr]_|github_pat_|lin_api_|lin_oauth_|sk_live_|sk_test_|rk_live_|whsec_|pb_)[A-Za-z0-9_]{8,}/g, '$1[REDACTED]'],
  // The Sandbox's API keys and webhook secrets (base64url bodies).
  [/\b(sbx_|sbxwh_)[A-Za-z0-9_-]{8,}/g, '$1[REDACTED]'],
  // Custom inbound hook URL tokens (`/hooks/hk_…`): the token is the hook's only credential.
  [/\b(hk_)[A-Za-z0-9_-]{8,}/g, '$1[REDACTED]'],
];

/** Masks secrets that appear inside free text. Used for log messages, errors and anything shown to users. */
export function scrubText(text: string): string {
  let out = text;
  for (const [re, rep] of TEXT_PATTERNS) out = out.replace(re, rep);
  return out;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'patchbay' },
      redact: { paths: redactPaths, censor: '[REDACTED]' },
      mixin: () => ({ correlationId: correlationId() }),
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as typeof args;
          method.apply(this, scrubbed);
        },
      },
      serializers: {
        err: (e: unknown) => {
          const s = pino.stdSerializers.err(e as Error);
          if (s && typeof s === 'object') {
            if (typeof s.message === 'string') s.message = scrubText(s.message);
            if (typeof s.stack === 'string') s.stack = scrubText(s.stack);
          }
          return s;
        },
      },
    },
    destination,
  );
}

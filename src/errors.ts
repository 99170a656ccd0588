/**
 * Typed errors with stable snake_case codes. Each code is mapped exactly once to an HTTP status
 * (here), and later to a chat reply and a job retry decision (also here), so no caller invents
 * its own mapping.
 */

/**
 * Every error code, mapped once: to an HTTP status, to whether a job may retry it (only errors
 * that say they are transient), and to how chat shows it (`icon`, and what follows the message:
 * the command's usage, the correlation reference, or a hint to ask for a role). A 5xx never shows
 * its message in chat: chat gets `generic` text and the reference instead.
 */
type ChatShape = { icon: string; then?: 'usage' | 'reference' | 'role'; generic?: string };
type CodeSpec = { status: number; retry: boolean; chat: ChatShape };

const usage = (icon = '⚠️'): ChatShape => ({ icon, then: 'usage' });
const provider: ChatShape = { icon: '❌', then: 'reference' };
const ourSide: ChatShape = { icon: '💥', then: 'reference', generic: 'Something went wrong on our side and nothing was changed.' };

export const ERROR_CODES = {
  validation_failed: { status: 400, retry: false, chat: usage() },
  malformed_json: { status: 400, retry: false, chat: usage() },
  unauthenticated: { status: 401, retry: false, chat: { icon: '🔒' } },
  /** An inbound webhook whose signature is missing, wrong or stale: nothing of it is kept. */
  signature_invalid: { status: 401, retry: false, chat: { icon: '🔒' } },
  forbidden: { status: 403, retry: false, chat: { icon: '🚫', then: 'role' } },
  not_found: { status: 404, retry: false, chat: { icon: '🔎' } },
  route_not_found: { status: 404, retry: false, chat: { icon: '🔎' } },
  method_not_allowed: { status: 405, retry: false, chat: { icon: '⚠️' } },
  /** A webhook URL of a disconnected connection: providers that honour 410 (Trello, Asana) drop the webhook. */
  gone: { status: 410, retry: false, chat: { icon: '🔎' } },
  conflict: { status: 409, retry: false, chat: usage() },
  invalid_transition: { status: 409, retry: false, chat: usage() },
  oauth_state_invalid: { status: 400, retry: false, chat: { icon: '⚠️' } },
  oauth_denied: { status: 400, retry: false, chat: { icon: '⚠️' } },
  payload_too_large: { status: 413, retry: false, chat: { icon: '⚠️' } },
  unsupported_media_type: { status: 415, retry: false, chat: { icon: '⚠️' } },
  provider_not_configured: { status: 422, retry: false, chat: provider },
  provider_auth_failed: { status: 422, retry: false, chat: provider },
  provider_error: { status: 502, retry: true, chat: provider },
  rate_limited: { status: 429, retry: true, chat: provider },
  service_unavailable: { status: 503, retry: true, chat: provider },
  /** The provider no longer accepts a sync cursor or token: the engine falls back to a full resync. */
  sync_cursor_expired: { status: 409, retry: true, chat: provider },
  /** A sync rule names a field the provider no longer has (renamed or removed): the run logs it. */
  sync_mapping_mismatch: { status: 422, retry: false, chat: usage() },
  /** Another run of the connection holds its sync lock: this one waits its turn. */
  sync_busy: { status: 409, retry: true, chat: usage() },
  internal_error: { status: 500, retry: false, chat: ourSide },
  /** A domain event that does not match its catalog entry: a bug in the code recording it. */
  event_invalid: { status: 500, retry: false, chat: ourSide },
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export type AppErrorOptions = {
  details?: unknown;
  cause?: unknown;
  /** Seconds a caller should wait before trying again (rate limits). */
  retryAfterSeconds?: number;
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export const notFound = (what: string, id?: string) =>
  new AppError('not_found', id ? `${what} '${id}' was not found.` : `${what} was not found.`);

export const forbidden = (message: string, details?: unknown) => new AppError('forbidden', message, { details });

export const conflict = (message: string, details?: unknown) => new AppError('conflict', message, { details });

/** The SQLSTATE (or socket code) of an error, or of what it wraps (MikroORM copies pg's fields, or keeps it as `cause`). */
function codesOf(err: unknown): string[] {
  const codes: string[] = [];
  for (let e = err as { code?: unknown; sqlState?: unknown; cause?: unknown } | null, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (typeof e.code === 'string') codes.push(e.code);
    if (typeof e.sqlState === 'string') codes.push(e.sqlState);
    if (e.cause === e) break;
    e = e.cause as typeof e;
  }
  return codes;
}

/**
 * Only real connectivity: connection exceptions other than 08P01, the server shutting down or
 * refusing connections, and sockets failing. 08P01 (protocol violation) is what PostgreSQL
 * answers to query text it cannot read, such as a NUL byte: that is the request's fault.
 */
const CONNECTIVITY_SQLSTATE = /^(08(000|001|003|004|006|007)|57P0[1-3]|53300)$/;
const CONNECTIVITY_NET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

/** Errors that mean the database cannot be reached right now (connection refused, admin shutdown, …). */
function isDatabaseUnavailable(err: unknown): boolean {
  if (codesOf(err).some((c) => CONNECTIVITY_SQLSTATE.test(c) || CONNECTIVITY_NET.has(c))) return true;
  for (let e = err as { message?: unknown; cause?: unknown } | null, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (/Connection terminated|connection timeout|Client has encountered a connection error/i.test(String(e.message))) return true;
    if (e.cause === e) break;
    e = e.cause as typeof e;
  }
  return false;
}

/** A value PostgreSQL refused (class 22 data exceptions, or 08P01 for a NUL byte): a bad request, never an outage. */
export function dataErrorOf(err: unknown): { sqlstate: string } | null {
  const code = codesOf(err).find((c) => /^22[0-9A-Z]{3}$/.test(c) || c === '08P01');
  return code ? { sqlstate: code } : null;
}

/**
 * A unique-constraint violation, from pg directly (SQLSTATE 23505) or wrapped by MikroORM
 * (UniqueConstraintViolationException, which keeps the driver's error as fields or `cause`).
 */
export function uniqueViolationOf(err: unknown): { constraint: string | null } | null {
  for (let e = err as { code?: unknown; constraint?: unknown; name?: unknown; cause?: unknown } | null, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    if (e.code === '23505' || e.name === 'UniqueConstraintViolationException') {
      return { constraint: typeof e.constraint === 'string' ? e.constraint : null };
    }
    e = e.cause as typeof e;
  }
  return null;
}

/** Turns anything thrown into an AppError; unknown errors become internal_error without leaking their text. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isDatabaseUnavailable(err)) {
    return new AppError('service_unavailable', 'The database is unavailable right now; try again in a moment.', { cause: err, retryAfterSeconds: 5 });
  }
  const data = dataErrorOf(err);
  if (data) {
    // The boundary rejects NULs and lone surrogates by field; this is the net under it.
    return new AppError('validation_failed', 'A value in the request cannot be stored or compared (invalid text, number or date).', {
      cause: err,
      details: [{ location: 'request', path: '', message: 'rejected by the database', sqlstate: data.sqlstate }],
    });
  }
  const unique = uniqueViolationOf(err);
  if (unique) {
    // A race another request won (two creates with one name): the caller's fault to resolve, not ours.
    return new AppError('conflict', 'That already exists: another request created it first. Reload and try again.', {
      cause: err,
      details: unique.constraint ? { constraint: unique.constraint } : null,
    });
  }
  const integrity = codesOf(err).find((c) => c === '23503' || c === '23502' || c === '23514');
  if (integrity === '23503') {
    // A reference to a row that is gone, or a delete of a row still referenced: another request moved first.
    return new AppError('conflict', 'That refers to something that no longer exists, or is still in use. Reload and try again.', { cause: err });
  }
  if (integrity) {
    return new AppError('validation_failed', 'A required value is missing or out of range.', {
      cause: err,
      details: [{ location: 'request', path: '', message: 'rejected by a database constraint', sqlstate: integrity }],
    });
  }
  return new AppError('internal_error', 'Something went wrong on our side. Quote the correlation id when you report it.', {
    cause: err,
  });
}

/** HTTP mapping: the one place an error becomes a status. */
export function httpStatusOf(err: AppError): number {
  return ERROR_CODES[err.code].status;
}

/** Postgres errors worth another try: lock timeout, deadlock, serialization failure, too many connections. */
const TRANSIENT_SQLSTATES = new Set(['55P03', '40P01', '40001', '53300', '57014']);
/** Network failures that say nothing about the request itself. */
const TRANSIENT_NET = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Job mapping: whether an error says it is transient, so graphile-worker should retry the job
 * with backoff. Only transient errors qualify (network, 5xx, rate limits, lock timeouts, the
 * database being away); a programming error (TypeError, a failed assertion) is not retried
 * indefinitely — the runner gives it a few attempts and then fails the job with its stack.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof AppError) return ERROR_CODES[err.code].retry;
  if (isDatabaseUnavailable(err)) return true;
  const e = err as { code?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (TRANSIENT_SQLSTATES.has(e.code) || TRANSIENT_NET.has(e.code))) return true;
  return e.cause !== undefined && e.cause !== err && isRetryable(e.cause);
}

/** Attempts a job gets when it fails with an error that is not known to be transient. */
export const UNEXPECTED_ERROR_ATTEMPTS = 3;

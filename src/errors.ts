/**
 * Typed errors with stable snake_case codes. Each code is mapped exactly once to an HTTP status
 * (here), and later to a chat reply and a job retry decision (also here), so no caller invents
 * its own mapping.
 */

export const ERROR_CODES = {
  validation_failed: { status: 400, retry: false },
  malformed_json: { status: 400, retry: false },
  unauthenticated: { status: 401, retry: false },
  forbidden: { status: 403, retry: false },
  not_found: { status: 404, retry: false },
  route_not_found: { status: 404, retry: false },
  method_not_allowed: { status: 405, retry: false },
  conflict: { status: 409, retry: false },
  invalid_transition: { status: 409, retry: false },
  oauth_state_invalid: { status: 400, retry: false },
  oauth_denied: { status: 400, retry: false },
  payload_too_large: { status: 413, retry: false },
  unsupported_media_type: { status: 415, retry: false },
  provider_not_configured: { status: 422, retry: false },
  provider_auth_failed: { status: 422, retry: false },
  provider_error: { status: 502, retry: true },
  rate_limited: { status: 429, retry: true },
  service_unavailable: { status: 503, retry: true },
  internal_error: { status: 500, retry: true },
  // A domain event that does not match its catalog schema: a programming error, retrying cannot help.
  event_invalid: { status: 500, retry: false },
} as const satisfies Record<string, { status: number; retry: boolean }>;

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

/** Errors that mean the database cannot be reached right now (connection refused, admin shutdown, …). */
function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (/^(08\w{3}|57P0[1-3]|53300)$/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code)) return true;
  if (/Connection terminated|connection timeout|Client has encountered a connection error/i.test(String((err as Error).message))) return true;
  return e.cause !== undefined && e.cause !== err && isDatabaseUnavailable(e.cause);
}

/** Turns anything thrown into an AppError; unknown errors become internal_error without leaking their text. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isDatabaseUnavailable(err)) {
    return new AppError('service_unavailable', 'The database is unavailable right now; try again in a moment.', { cause: err, retryAfterSeconds: 5 });
  }
  return new AppError('internal_error', 'Something went wrong on our side. Quote the correlation id when you report it.', {
    cause: err,
  });
}

/** HTTP mapping: the one place an error becomes a status. */
export function httpStatusOf(err: AppError): number {
  return ERROR_CODES[err.code].status;
}

/** Job mapping: whether graphile-worker should retry a job that failed with this error. */
export function isRetryable(err: unknown): boolean {
  return err instanceof AppError ? ERROR_CODES[err.code].retry : true;
}

/**
 * A start-up problem the operator can fix (port in use, data folder held by another process,
 * PostgreSQL that would not start, undecryptable credentials): command-line entry points print
 * its message alone, with no "Unexpected error" and no stack trace, and exit non-zero.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

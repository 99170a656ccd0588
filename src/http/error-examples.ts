/**
 * The error responses of each route for the OpenAPI document: which codes it can answer, grouped
 * by the status src/errors.ts maps them to, each with an example built the way the real error is
 * (the route's own schemas for `validation_failed`, the permission check for `forbidden`, …).
 */
import { authorize, requiredRole } from '../access/permissions.ts';
import type { Role } from '../entities/member.ts';
import { AppError, ERROR_CODES, type ErrorCode } from '../errors.ts';
import { oauthNotConfiguredError } from '../providers/_shared/urls.ts';
import { getProvider } from '../providers/registry.ts';
import { EX } from './examples.ts';
import { RULE_ID } from './routes/sync-rules/schemas.ts';
import type { AnyRoute } from './route.ts';
import { issuesOf, validationError, type Location } from './validate.ts';

export const STATUS_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: every issue is listed in `details` as `{ location, path, message }`',
  401: 'Missing, invalid or revoked API token',
  403: 'The token’s member lacks the role this needs',
  404: 'Not found',
  409: 'Conflicts with the current state (a taken name, or an operation the status does not allow)',
  413: 'The body is larger than 1 MB',
  415: 'The body’s Content-Encoding or charset is not supported',
  422: 'The provider is not set up for this, or refused the credentials',
  429: "The provider's rate limit; retry after `Retry-After` seconds",
  502: 'The provider could not be reached or answered with an error',
  503: 'The database is unavailable right now; retry after `Retry-After` seconds',
};

/** Every code a route can answer, in status order: the common ones, then the route's own. */
export function errorCodesOf(route: AnyRoute): ErrorCode[] {
  const codes: ErrorCode[] = ['validation_failed'];
  // A body is parsed before validation: bad JSON, too large, or an unreadable encoding.
  if (route.body) codes.push('malformed_json', 'payload_too_large', 'unsupported_media_type');
  if (route.auth !== false) codes.push('unauthenticated');
  // Only when some role is refused: an action every member may run never answers 403.
  if (route.permission && requiredRole(route.permission) !== 'member') codes.push('forbidden');
  if (route.path.includes(':')) codes.push('not_found');
  // Every API route is behind the per-token and per-address rate limit (src/http/rate-limit.ts).
  codes.push(...(route.errors ?? []), 'rate_limited', 'service_unavailable');
  return [...new Set(codes)].sort((a, b) => ERROR_CODES[a].status - ERROR_CODES[b].status);
}

export type ErrorExample = {
  summary: string;
  value: { error: { code: ErrorCode; message: string; details: unknown; correlationId: string } };
};

export function errorExample(route: AnyRoute, code: ErrorCode): ErrorExample {
  const err = exampleError(route, code);
  return {
    summary: `${code}: ${err.message.length > 90 ? `${err.message.slice(0, 87)}…` : err.message}`,
    value: { error: { code: err.code, message: err.message, details: err.details ?? null, correlationId: EX.correlationId } },
  };
}

const bodyIssue = (message: string) => [{ location: 'body', path: '', message }];
const linear = () => getProvider('linear');

function exampleError(route: AnyRoute, code: ErrorCode): AppError {
  switch (code) {
    case 'validation_failed':
      return validationExample(route);
    case 'malformed_json':
      return new AppError(code, 'Invalid request: body is not valid JSON.', { details: bodyIssue('is not valid JSON') });
    case 'payload_too_large':
      return new AppError(code, 'Invalid request: body is too large (at most 1 MB).', { details: bodyIssue('is too large') });
    case 'unsupported_media_type':
      return new AppError(code, 'Invalid request: body charset "iso-8859-1" is not supported; send UTF-8.', { details: bodyIssue('has an unsupported charset') });
    case 'unauthenticated':
      return new AppError(code, 'The API token is not valid. It may have been mistyped or deleted.');
    case 'forbidden':
      return forbiddenExample(route);
    case 'not_found':
      return notFoundExample(route);
    case 'conflict':
      if (route.operationId === 'createSyncRule') {
        return new AppError(
          code,
          `${EX.displayName} already has a rule for tasks (rule 1, id ${RULE_ID}); two would copy every record twice. Change that rule instead (PATCH /api/v1/connections/${EX.connectionId}/rules/${RULE_ID}), or delete it first.`,
          { details: { connectionId: EX.connectionId, existingRuleId: RULE_ID, remoteObject: 'tasks' } },
        );
      }
      return new AppError(code, `A connection named '${EX.displayName}' already exists. Choose another display name.`, { details: { field: 'displayName' } });
    case 'invalid_transition':
      return transitionExample(route);
    case 'provider_not_configured':
      return oauthNotConfiguredError(linear());
    case 'provider_auth_failed':
      return new AppError(code, 'Linear rejected the credentials (HTTP 401 on POST https://api.linear.app/graphql)', { details: { provider: 'linear', status: 401 } });
    case 'rate_limited':
      // Routes that call a provider can also pass on its rate limit; every route has the API's own.
      return route.errors?.includes('rate_limited')
        ? new AppError(code, 'Linear rate limit reached; retry after 30 s', { details: { provider: 'linear', retryAfterSeconds: 30 } })
        : new AppError(code, 'Too many requests with this API token: at most 600 every 60 s. Try again in 42 s.', { details: { scope: 'token', limit: 600, windowSeconds: 60 } });
    case 'provider_error':
      return new AppError(code, 'Linear answered HTTP 503 to POST https://api.linear.app/graphql', { details: { provider: 'linear', status: 503 } });
    case 'service_unavailable':
      return new AppError(code, 'The database is unavailable right now; try again in a moment.');
    default:
      return new AppError(code, 'Something went wrong on our side. Quote the correlation id when you report it.');
  }
}

/** Runs the route's own schemas over a bad request, so the example is exactly what a client gets. */
function validationExample(route: AnyRoute): AppError {
  const junk = (shape: object) => Object.fromEntries(Object.keys(shape).map((k) => [k, 'x'.repeat(300)]));
  const probes: Array<[Location, { safeParse(v: unknown): { success: boolean; error?: unknown } } | undefined, unknown]> = [
    ['body', route.body, {}],
    ['params', route.params, route.params ? junk(route.params.shape) : undefined],
    ['body', route.body, { unexpected: true }],
    ['query', route.query, route.query ? junk(route.query.shape) : undefined],
  ];
  for (const [location, schema, value] of probes) {
    const result = schema?.safeParse(value);
    if (result && !result.success) return validationError(issuesOf(result.error as never, location).slice(0, 2), location);
  }
  // No schema to fail: the input guard that runs on every request is what answers 400.
  return validationError([{ location: 'query', path: 'q', message: 'must not contain NUL (\\u0000) characters', code: 'nul_character' }], 'query');
}

function forbiddenExample(route: AnyRoute): AppError {
  const below: Record<Role, Role> = { owner: 'admin', admin: 'member', member: 'member' };
  try {
    authorize(below[requiredRole(route.permission!)], route.permission!);
  } catch (err) {
    if (err instanceof AppError) return err;
  }
  return new AppError('forbidden', 'This needs a higher role.');
}

function notFoundExample(route: AnyRoute): AppError {
  const area = route.path.split('/')[1];
  // Creating by provider slug: an unknown slug, answered with suggestions.
  if (area === 'providers' || route.operationId === 'createConnection' || route.operationId === 'startOAuthConnection') {
    try {
      getProvider('linearr');
    } catch (err) {
      if (err instanceof AppError) return err;
    }
  }
  if (area === 'members' || route.operationId === 'createToken') return new AppError('not_found', `Member '${EX.otherMemberId}' was not found.`);
  if (area === 'tokens') return new AppError('not_found', `API token '${EX.tokenId}' was not found.`);
  const work = WORK_NOT_FOUND[area ?? ''];
  if (work) return new AppError('not_found', `${work[0]} '${work[1]}' was not found.`);
  return new AppError('not_found', `Connection '${EX.connectionId}' was not found.`);
}

const WORK_NOT_FOUND: Record<string, [string, string]> = {
  tasks: ['Task', EX.taskId],
  contacts: ['Contact', EX.contactId],
  'calendar-events': ['Calendar event', EX.calendarEventId],
  'time-entries': ['Time entry', EX.timeEntryId],
};

function transitionExample(route: AnyRoute): AppError {
  const name = EX.displayName;
  const op = route.path.split('/').at(-1) === ':id' ? 'rename' : route.path.split('/').at(-1)!;
  const details = (status: string) => ({ connectionId: EX.connectionId, status, operation: op });
  switch (route.operationId) {
    case 'pauseConnection':
      return new AppError('invalid_transition', `${name} is already paused.`, { details: details('paused') });
    case 'resumeConnection':
      return new AppError('invalid_transition', `${name} is not paused (it is connected), so there is nothing to resume.`, { details: details('connected') });
    case 'updateMember':
      return new AppError('invalid_transition', `${EX.memberName} is the only Owner; make someone else Owner first.`);
    case 'runSyncRule':
      return new AppError('invalid_transition', `${name} is paused. Resume it first (\`resume ${name}\`, or POST /api/v1/connections/${EX.connectionId}/resume), then run the rule.`, {
        details: { connectionId: EX.connectionId, status: 'paused', operation: 'sync' },
      });
    case 'startOAuthConnection':
      return new AppError('invalid_transition', `${name} is disconnected. Connect it again with \`connect linear\`.`);
    default:
      return new AppError('invalid_transition', `${name} is disconnected. Connect it again with \`connect linear\`.`, { details: details('disconnected') });
  }
}

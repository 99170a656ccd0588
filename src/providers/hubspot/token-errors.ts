/**
 * HubSpot's token endpoint answers errors as `{ status: 'BAD_AUTH_CODE', message, correlationId }`,
 * without RFC 6749's `error` field; its upper-case `status` is the error code.
 * https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/refresh-oauth-token
 */
import { z } from 'zod';
import type { TokenEndpointError } from '../types.ts';

const statusErrorSchema = z.object({ status: z.string().regex(/^[A-Z][A-Z_]+$/), message: z.string().optional() }).loose();

/** Codes that mean the code or refresh token is dead: the connection needs a Reconnect. */
const GRANT_ERRORS = new Set(['BAD_AUTH_CODE', 'EXPIRED_AUTH_CODE', 'BAD_REFRESH_TOKEN']);

export function hubspotTokenError(body: unknown): TokenEndpointError | undefined {
  const parsed = statusErrorSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { status, message } = parsed.data;
  return { code: status, ...(message ? { description: message } : {}), grantRevoked: GRANT_ERRORS.has(status) };
}

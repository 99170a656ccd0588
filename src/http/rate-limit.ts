/**
 * Rate limits of the admin API (/api/v1): per API token and per client address, counted in
 * PostgreSQL fixed windows (src/db/counters.ts) so the limits hold across every process. One
 * upsert per request, before authentication, so a flood of random tokens is refused as cheaply
 * as a flood of valid ones. The client address is `req.ip`, which follows TRUST_PROXY.
 *
 * Past a limit: 429 `rate_limited` with Retry-After (seconds to the window's end). Refusals of a
 * real token are audited once per window with a count; refusals by address (no workspace to
 * audit them in) are logged once per window.
 */
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { hashToken } from '../access/api-tokens.ts';
import { auditRepeatedRefusal } from '../audit/refusals.ts';
import { hitCounters } from '../db/counters.ts';
import { AppError } from '../errors.ts';
import type { Runtime } from '../runtime.ts';

type Scope = 'token' | 'ip';

export function rateLimit(rt: Runtime): RequestHandler {
  const { API_RATE_LIMIT_PER_TOKEN: perToken, API_RATE_LIMIT_PER_IP: perIp, API_RATE_LIMIT_WINDOW_SECONDS: windowSeconds } = rt.config;
  return (req, _res, next) => {
    const keys: Array<{ key: string; scope: Scope; limit: number }> = [];
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    // The token's hash, never the token: counter keys are stored and may be logged.
    const tokenHash = bearer ? hashToken(bearer) : undefined;
    if (perToken > 0 && tokenHash) keys.push({ key: `api:token:${tokenHash.slice(0, 32)}`, scope: 'token', limit: perToken });
    if (perIp > 0) keys.push({ key: `api:ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`, scope: 'ip', limit: perIp });
    if (!keys.length) return next();
    hitCounters(rt.db.pool, keys.map((k) => k.key), windowSeconds).then(async (counts) => {
      for (const k of keys) {
        const c = counts.find((x) => x.key === k.key);
        if (!c || c.count <= k.limit) continue;
        await noteRefusal(rt, k.scope, k.key, c.count - k.limit, tokenHash, windowSeconds);
        const who = k.scope === 'token' ? 'with this API token' : 'from your address';
        return next(
          new AppError('rate_limited', `Too many requests ${who}: at most ${k.limit} every ${windowSeconds} s. Try again in ${c.resetInSeconds} s.`, {
            retryAfterSeconds: c.resetInSeconds,
            details: { scope: k.scope, limit: k.limit, windowSeconds },
          }),
        );
      }
      next();
    }, next);
  };
}

async function noteRefusal(rt: Runtime, scope: Scope, key: string, occurrence: number, tokenHash: string | undefined, windowSeconds: number): Promise<void> {
  if (occurrence === 1) {
    // An address, unlike a token, may be personal data: log a short hash of it.
    const who = scope === 'ip' ? { address: createHash('sha256').update(key).digest('hex').slice(0, 12) } : { token: key.slice(10, 22) };
    rt.logger.warn({ scope, ...who, windowSeconds }, `API rate limit reached (${scope}); further requests this window get 429`);
  }
  if (scope !== 'token' || !tokenHash) return;
  await auditRepeatedRefusal(rt, {
    counterKey: key,
    occurrence,
    entry: async () => {
      const { rows } = await rt.db.pool.query<{ workspace_id: string; member_id: string; id: string }>(
        'select workspace_id, member_id, id from api_tokens where token_hash = $1',
        [tokenHash],
      );
      const token = rows[0];
      if (!token) return null; // a made-up token belongs to no workspace: the address limit and the log cover it
      return {
        workspaceId: token.workspace_id,
        action: 'api.rate_limited',
        targetType: 'api_token',
        targetId: token.id,
        actorMemberId: token.member_id,
        outcome: 'refused',
        details: { reason: 'rate_limited', scope, windowSeconds },
      };
    },
  });
}

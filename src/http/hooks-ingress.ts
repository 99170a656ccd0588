/**
 * `POST /hooks/<token>`: custom inbound hooks' public ingress (src/hooks/ingress.ts does the
 * work). Mounted before the API's JSON parser with its own raw parser, so the signature is
 * checked over the bytes as sent; 1 MB at most (413 in the one error shape). No bearer token:
 * the URL's token is the credential. Each client address is held to API_RATE_LIMIT_PER_IP per
 * window here too (counted before anything else, so a flood of made-up tokens costs one upsert).
 */
import express, { type Express, type RequestHandler } from 'express';
import { currentContext } from '../context.ts';
import { hitCounters } from '../db/counters.ts';
import { AppError } from '../errors.ts';
import { receiveHookMessage } from '../hooks/ingress.ts';
import type { Runtime } from '../runtime.ts';

function perAddress(rt: Runtime): RequestHandler {
  const { API_RATE_LIMIT_PER_IP: limit, API_RATE_LIMIT_WINDOW_SECONDS: windowSeconds } = rt.config;
  return (req, _res, next) => {
    if (limit <= 0) return next();
    hitCounters(rt.db.pool, [`hooks:ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`], windowSeconds).then(([c]) => {
      if (!c || c.count <= limit) return next();
      next(
        new AppError('rate_limited', `Too many requests from your address: at most ${limit} every ${windowSeconds} s. Try again in ${c.resetInSeconds} s.`, {
          retryAfterSeconds: c.resetInSeconds,
          details: { scope: 'ip', limit, windowSeconds },
        }),
      );
    }, next);
  };
}

export function mountHooks(app: Express, rt: Runtime): void {
  app.post('/hooks/:token', perAddress(rt), express.raw({ type: () => true, limit: '1mb' }), (req, res, next) => {
    const ctx = currentContext();
    if (ctx) ctx.actor = { via: 'webhook' };
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    receiveHookMessage(rt, {
      token: String(req.params.token),
      body,
      contentType: req.get('content-type'),
      signature: { id: req.get('webhook-id'), timestamp: req.get('webhook-timestamp'), signature: req.get('webhook-signature') },
    }).then((r) => {
      res.status(200).json({ received: true, id: r.id, ...(r.duplicate ? { duplicate: true } : {}) });
    }, next);
  });
}

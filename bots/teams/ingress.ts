/**
 * POST /api/messages: the Bot Framework's door. With TEAMS_APP_ID and TEAMS_APP_PASSWORD every
 * activity must carry a Bot Framework JWT, validated by the SDK (signature against Microsoft's
 * published keys, issuer, audience = the app id, and the tenant for single-tenant bots); an
 * unsigned or forged one gets 401. Without credentials only the local emulator is served
 * (anonymous), and never with NODE_ENV=production: there every activity is refused.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { AppError } from '../../src/errors.ts';
import type { TeamsContext } from './context.ts';
import { handleTurn } from './turn.ts';

export const MESSAGES_PATH = '/api/messages';
const MAX_BODY = '512kb';

export function teamsIngress(t: TeamsContext): Router {
  const router = express.Router();
  const { config } = t.rt;
  const credentialed = Boolean(config.TEAMS_APP_ID && config.TEAMS_APP_PASSWORD);
  const refuse = (_req: Request, _res: Response, next: NextFunction) => {
    next(new AppError('unauthenticated', 'The Teams bot has no credentials: set TEAMS_APP_ID and TEAMS_APP_PASSWORD (anonymous activities are accepted only outside production).'));
  };
  // Anonymous only where the operator did not say production (the SDK reads process.env; Patchbay's config decides).
  const anonymousRefused = !credentialed && config.NODE_ENV === 'production';
  const authorize = (req: Request, res: Response, next: NextFunction) => {
    if (!credentialed && req.headers.authorization) {
      next(new AppError('unauthenticated', 'This Teams bot has no credentials, so it cannot validate a token: configure TEAMS_APP_ID and TEAMS_APP_PASSWORD.'));
      return;
    }
    if (!credentialed) return next();
    t.adapter.authorizeRequest(req as never, res as never, next).catch(next);
  };
  router.post(MESSAGES_PATH, anonymousRefused ? refuse : authorize, express.json({ limit: MAX_BODY }), (req: Request, res: Response, next: NextFunction) => {
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) {
      next(new AppError('validation_failed', 'The request body must be a Bot Framework activity (a JSON object).'));
      return;
    }
    const work = t.adapter.process(req as never, res as never, (ctx) => handleTurn(t, ctx));
    void t.track(work).catch(next);
  });
  return router;
}

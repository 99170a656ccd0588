/**
 * POST /discord/interactions: Discord's HTTP door (the Interactions Endpoint URL). Mounted
 * before any JSON parser, because the Ed25519 signature is over the exact bytes sent:
 * - a bad, missing or stale signature → 401 `signature_invalid`, before anything is parsed
 *   (Discord tests endpoints with bad signatures and drops one that accepts them);
 * - PING → PONG;
 * - an interaction id seen before → 409 `conflict`, nothing run (Discord never redelivers);
 * - otherwise the interaction's first answer is this request's response (interactions.ts).
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { KeyObject } from 'node:crypto';
import { currentContext } from '../../src/context.ts';
import { AppError } from '../../src/errors.ts';
import type { DiscordContext } from './context.ts';
import { handleInteraction } from './interactions.ts';
import { verifyInteraction } from './verify.ts';

export const INTERACTIONS_PATH = '/discord/interactions';
/** Interactions are small (a modal's five fields at most); anything larger is not Discord. */
const MAX_BODY = '256kb';

export function discordIngress(ctx: DiscordContext, key: KeyObject): Router {
  const router = express.Router();
  router.post(INTERACTIONS_PATH, express.raw({ type: () => true, limit: MAX_BODY }), (req: Request, res: Response, next: NextFunction) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const refused = verifyInteraction(key, req.headers, raw);
    if (refused) {
      ctx.rt.logger.warn({ reason: refused }, 'discord interaction refused');
      next(new AppError('signature_invalid', `Interaction refused: ${refused}.`));
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      next(new AppError('validation_failed', 'The interaction body is not JSON.'));
      return;
    }
    let answered = false;
    const respond = async (response: unknown) => {
      if (answered) throw new Error('an interaction is answered once');
      answered = true;
      res.status(200).json(response);
    };
    const work = handleInteraction(ctx, body, respond, currentContext()?.correlationId).then(
      (outcome) => {
        if (outcome !== 'replayed') return;
        ctx.rt.logger.warn({ id: (body as { id?: unknown })?.id }, 'discord interaction replayed: refused');
        next(new AppError('conflict', 'This interaction was already received; it was not handled again.'));
      },
      (err: unknown) => {
        if (!answered) next(err);
        else ctx.rt.logger.error({ err }, 'discord interaction failed after it was answered');
      },
    );
    void ctx.track(work);
  });
  return router;
}

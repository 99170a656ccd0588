/**
 * The door in front of Bolt on POST /slack/events (HTTP mode). Bolt checks the signature but
 * only rejects timestamps in the past, answers 500 to a signed `null`, and lets a captured
 * request be replayed within its window. Here, before Bolt sees anything:
 * - the timestamp must be within 5 minutes either way, and the v0 signature must match → else 401
 *   (https://docs.slack.dev/authentication/verifying-requests-from-slack);
 * - the body must be a JSON object (events) or a form whose `payload` is a JSON object
 *   (interactions) → else 400;
 * - slash commands and interactions are de-duplicated by their `trigger_id` (unique per user
 *   action) through inbound receipts, so a replay takes no effect and is answered harmlessly;
 * - events are handled here, before the answer (events.ts), so a failure answers 500 and Slack's
 *   retry handles it again.
 * The raw body is handed on as `req.rawBody`, which Bolt reads instead of the stream.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { InstallationStore } from '@slack/bolt';
import type { NextFunction, Request, Response } from 'express';
import { recordReceipt, receiptScope } from '../../src/inbound/receipts.ts';
import type { Runtime } from '../../src/runtime.ts';
import { handleSlackEvent } from './events.ts';

/** Slack's replay window, both ways. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;
const BODY_LIMIT_BYTES = 1024 * 1024;
const FORM = 'application/x-www-form-urlencoded';

type Verdict = { status: number; body?: Record<string, unknown>; why: string };

/** Checks the v0 signature and the timestamp of a raw body; a reason to refuse, or null. */
export function verifySlackSignature(secret: string, headers: Request['headers'], raw: string, nowSec = Math.floor(Date.now() / 1000)): string | null {
  const ts = String(headers['x-slack-request-timestamp'] ?? '');
  const sig = String(headers['x-slack-signature'] ?? '');
  if (!/^\d{1,12}$/.test(ts) || !sig.startsWith('v0=')) return 'missing or malformed signature headers';
  if (Math.abs(nowSec - Number(ts)) > MAX_CLOCK_SKEW_SECONDS) return 'timestamp more than 5 minutes off';
  const expected = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${ts}:${raw}`).digest('hex')}`);
  const given = Buffer.from(sig);
  return given.length === expected.length && timingSafeEqual(given, expected) ? null : 'signature mismatch';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

type Parsed = { kind: 'command'; body: Record<string, string> } | { kind: 'interaction' | 'json'; body: Record<string, unknown> };

/** The body as Bolt will read it, or null when it is not a Slack request shape at all. */
function parseBody(raw: string, contentType: string | undefined): Parsed | null {
  if (contentType === FORM) {
    const form = new URLSearchParams(raw);
    const payload = form.get('payload');
    if (payload === null) return { kind: 'command', body: Object.fromEntries(form) };
    const p = parseJson(payload);
    return isObject(p) && typeof p.type === 'string' ? { kind: 'interaction', body: p } : null;
  }
  const j = parseJson(raw);
  return isObject(j) && typeof j.type === 'string' ? { kind: 'json', body: j } : null;
}

function teamOf(body: Record<string, unknown>): string | undefined {
  if (typeof body.team_id === 'string') return body.team_id;
  const team = body.team as { id?: unknown } | null | undefined;
  if (typeof team?.id === 'string') return team.id;
  const user = body.user as { team_id?: unknown } | undefined;
  return typeof user?.team_id === 'string' ? user.team_id : undefined;
}

async function readRaw(req: Request): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export type IngressDeps = { rt: Runtime; signingSecret: string; store: InstallationStore | null };

async function decide(deps: IngressDeps, req: Request, raw: Buffer): Promise<Verdict | null> {
  const text = raw.toString('utf8');
  const refused = verifySlackSignature(deps.signingSecret, req.headers, text);
  if (refused) return { status: 401, why: refused };
  const parsed = parseBody(text, req.headers['content-type']);
  if (!parsed) return { status: 400, body: { ok: false, error: 'malformed_payload' }, why: 'signed but not a Slack payload' };
  const { body } = parsed;
  if (parsed.kind === 'json' && body.type === 'event_callback') {
    try {
      await handleSlackEvent(deps.rt, deps.store, body, { retryNum: req.headers['x-slack-retry-num'] });
      return { status: 200, body: { ok: true }, why: 'event handled' };
    } catch (err) {
      // Not acknowledged: Slack retries the event (X-Slack-Retry-Num) and the receipt lets it run again.
      deps.rt.logger.error({ err, eventId: body.event_id }, 'slack event handling failed; Slack will retry it');
      return { status: 500, body: { ok: false }, why: 'event handling failed' };
    }
  }
  const trigger = typeof body.trigger_id === 'string' && body.trigger_id ? body.trigger_id : undefined;
  if (trigger && parsed.kind !== 'json') {
    const team = teamOf(body);
    const receipt = await recordReceipt(
      deps.rt,
      { source: 'slack:trigger', scope: team ? receiptScope.team('slack', team) : receiptScope.app, deliveryId: trigger },
      { kind: parsed.kind === 'command' ? 'slash_command' : String(body.type), payload: raw },
    );
    if (!receipt.first) {
      const answer = parsed.kind === 'command' ? { response_type: 'ephemeral', text: 'This command was already received once; it was not run again.' } : undefined;
      return { status: 200, ...(answer ? { body: answer } : {}), why: 'replayed trigger_id' };
    }
  }
  (req as Request & { rawBody?: Buffer }).rawBody = raw;
  return null;
}

/** Express middleware for POST /slack/events, mounted before Bolt's router. */
export function slackIngress(deps: IngressDeps) {
  return (req: Request, res: Response, next: NextFunction): void => {
    void (async () => {
      const raw = await readRaw(req);
      if (!raw) {
        res.status(413).end();
        return;
      }
      const verdict = await decide(deps, req, raw);
      if (!verdict) return next();
      if (verdict.status !== 200) deps.rt.logger.warn({ status: verdict.status, reason: verdict.why }, 'slack request refused');
      else deps.rt.logger.info({ reason: verdict.why }, 'slack request answered before Bolt');
      if (verdict.body) res.status(verdict.status).json(verdict.body);
      else res.status(verdict.status).end();
    })().catch(next);
  };
}

/**
 * What `POST /hooks/<token>` does with a body, in order: find the hook by the token's SHA-256
 * (unknown, rotated and disabled tokens get the same 404: nothing to probe), hold it to its
 * per-minute limit, verify the signature over the raw bytes when it has a secret (401, logged,
 * nothing stored), only then parse the JSON, and store it: the message, the hook's counters, the
 * `webhook-id` receipt and the `hook_received` event (which queues the chat alert) commit in one
 * transaction. A `webhook-id` seen before for this hook stores nothing and answers the first
 * message's id, also under concurrent copies (they wait on the first receipt's row).
 */
import { hitCounters } from '../db/counters.ts';
import { correlationId } from '../context.ts';
import { InboundHookMessage } from '../entities/inbound-hook.ts';
import { AppError } from '../errors.ts';
import { recordEvent } from '../events/record.ts';
import { assertSafeInput } from '../http/input-safety.ts';
import { recordReceiptIn } from '../inbound/receipts.ts';
import type { Runtime } from '../runtime.ts';
import { hashHookToken, TOKEN_PREFIX } from './hooks.ts';
import { verifySignature, type SignatureHeaders } from './verify.ts';

export type HookRequest = {
  token: string;
  body: Buffer;
  contentType: string | undefined;
  signature: SignatureHeaders;
};

export type HookReceipt = { id: string; duplicate: boolean };

const PER_HOOK_WINDOW_SECONDS = 60;

const unknownHook = () => new AppError('not_found', 'No hook at this URL: it is unknown, was rotated, or is disabled.');

/** JSON, or text said to hold JSON (some senders label it so); forms and XML are refused. */
function acceptsType(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type) || type === 'text/plain' || type === 'text/json';
}

function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (!text.trim()) throw new AppError('validation_failed', 'The body is empty: send a JSON value.');
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    throw new AppError('malformed_json', 'The body is not valid JSON.');
  }
  assertSafeInput({ body: payload });
  return payload;
}

type HookRow = { id: string; workspace_id: string; status: string; secret: string | null };

export async function receiveHookMessage(rt: Runtime, req: HookRequest): Promise<HookReceipt> {
  // A token Patchbay could not have made is refused without a query.
  if (!req.token.startsWith(TOKEN_PREFIX) || req.token.length > 100) throw unknownHook();
  const { rows } = await rt.db.pool.query<HookRow>('select id, workspace_id, status, secret from inbound_hooks where token_hash = $1', [hashHookToken(req.token)]);
  const hook = rows[0];
  if (!hook || hook.status !== 'active') throw unknownHook();
  const log = rt.logger.child({ hookId: hook.id });

  const limit = rt.config.HOOKS_RATE_LIMIT_PER_MINUTE;
  if (limit > 0) {
    const [count] = await hitCounters(rt.db.pool, [`hooks:hook:${hook.id}`], PER_HOOK_WINDOW_SECONDS);
    if (count && count.count > limit) {
      if (count.count === limit + 1) log.warn({ limit }, 'custom hook rate limit reached; further bodies this minute get 429');
      throw new AppError('rate_limited', `This hook accepts at most ${limit} bodies a minute. Try again in ${count.resetInSeconds} s.`, {
        retryAfterSeconds: count.resetInSeconds,
        details: { scope: 'hook', limit, windowSeconds: PER_HOOK_WINDOW_SECONDS },
      });
    }
  }
  if (!acceptsType(req.contentType)) {
    throw new AppError('unsupported_media_type', `This hook accepts JSON (Content-Type: application/json), not ${req.contentType!.split(';', 1)[0]!.trim().slice(0, 100)}.`);
  }

  let verified = false;
  if (hook.secret) {
    const result = verifySignature(rt.vault.decrypt<string>(hook.secret), req.signature, req.body);
    if (!result.ok) {
      log.info({ reason: result.reason, size: req.body.length }, 'custom hook body refused: signature');
      throw new AppError('signature_invalid', result.reason);
    }
    verified = true;
  }
  const payload = parseJson(req.body);
  const webhookId = req.signature.id?.slice(0, 255) || null;

  return await rt.em().transactional(async (tx) => {
    if (webhookId) {
      const first = await recordReceiptIn(tx, { source: 'hook', scope: `hook:${hook.id}`, deliveryId: webhookId }, { kind: 'hook', payload: req.body });
      if (!first) {
        const [earlier] = await tx.execute<Array<{ id: string }>>('select id::text as id from inbound_hook_messages where hook_id = ? and webhook_id = ? order by id limit 1', [hook.id, webhookId]);
        log.info({ webhookId }, 'custom hook body is a duplicate (same webhook-id): not stored again');
        return { id: earlier?.id ?? '', duplicate: true };
      }
    }
    const message = tx.create(InboundHookMessage, {
      hook: hook.id,
      payload,
      contentType: req.contentType?.slice(0, 255) ?? null,
      size: req.body.length,
      signatureVerified: verified,
      webhookId,
      correlationId: correlationId(),
    });
    await tx.flush();
    const [h] = await tx.execute<Array<{ name: string; status: 'active' | 'disabled'; token_prefix: string; received_count: string; last_received_at: Date; created_at: Date }>>(
      `update inbound_hooks set received_count = received_count + 1, last_received_at = ? where id = ?
       returning name, status, token_prefix, received_count::text, last_received_at, created_at`,
      [message.receivedAt, hook.id],
    );
    await recordEvent(tx, {
      workspaceId: hook.workspace_id,
      type: 'hook_received',
      entityId: hook.id,
      snapshot: {
        id: hook.id,
        name: h!.name,
        status: h!.status,
        tokenPrefix: h!.token_prefix,
        hasSecret: Boolean(hook.secret),
        receivedCount: Number(h!.received_count),
        lastReceivedAt: new Date(h!.last_received_at).toISOString(),
        createdAt: new Date(h!.created_at).toISOString(),
      },
      data: { messageId: String(message.id), size: message.size, contentType: message.contentType ?? null, signatureVerified: verified, webhookId },
    });
    return { id: String(message.id), duplicate: false };
  });
}

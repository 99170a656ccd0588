/** Standard Webhooks verification of inbound bodies, and the inert, cut rendering of a body in chat. */
import { describe, expect, it } from 'vitest';
import { renderHookAlert, shownPayload, SHOWN_CHARS } from '../../src/alerts/hook-message.ts';
import { renderText } from '../../src/commands/render-text.ts';
import { literalRuns } from '../../src/commands/view.ts';
import type { IInboundHookMessage } from '../../src/entities/inbound-hook.ts';
import { verifySignature } from '../../src/hooks/verify.ts';
import { generateSecret, signDelivery, signature } from '../../src/webhooks/sign.ts';

const secret = generateSecret();
const body = '{"a":1}';
const now = Date.UTC(2026, 10, 30, 0, 0, 0);
const ts = Math.floor(now / 1000);

describe('verifySignature', () => {
  it('accepts what the outbound signer makes, with either of two signatures (a sender mid-rotation)', () => {
    const h = signDelivery([generateSecret(), secret], 'msg_1', body, new Date(now));
    expect(verifySignature(secret, { id: h['webhook-id'], timestamp: h['webhook-timestamp'], signature: h['webhook-signature'] }, Buffer.from(body), now)).toEqual({ ok: true });
  });

  it('refuses missing headers, a foreign version, a bad timestamp, a stale or future one, and another body', () => {
    const sig = signature(secret, 'msg_1', ts, body);
    const check = (h: { id?: string; timestamp?: string; signature?: string }, b = body, at = now) => verifySignature(secret, h, Buffer.from(b), at);
    expect(check({ id: 'msg_1', timestamp: String(ts) })).toEqual({ ok: false, reason: expect.stringContaining('missing webhook-signature') });
    expect(check({ id: 'msg_1', timestamp: String(ts), signature: sig.replace('v1,', 'v2,') })).toMatchObject({ ok: false });
    expect(check({ id: 'msg_1', timestamp: 'yesterday', signature: sig })).toEqual({ ok: false, reason: 'webhook-timestamp must be Unix seconds.' });
    expect(check({ id: 'msg_1', timestamp: String(ts), signature: sig }, body, now + 301_000)).toMatchObject({ ok: false, reason: expect.stringContaining('301 s away') });
    expect(check({ id: 'msg_1', timestamp: String(ts), signature: sig }, body, now - 301_000)).toMatchObject({ ok: false });
    expect(check({ id: 'msg_1', timestamp: String(ts), signature: sig }, body, now + 299_000)).toEqual({ ok: true });
    expect(check({ id: 'msg_2', timestamp: String(ts), signature: sig })).toMatchObject({ ok: false });
    expect(check({ id: 'msg_1', timestamp: String(ts), signature: sig }, '{"a":2}')).toMatchObject({ ok: false });
    expect(check({ id: 'msg_1', timestamp: String(ts), signature: 'v1,' })).toMatchObject({ ok: false });
  });
});

const message = (payload: unknown, over: Partial<IInboundHookMessage> = {}) =>
  ({ id: 7, hook: 'h', receivedAt: new Date(now), payload, contentType: 'application/json', size: 42, signatureVerified: true, webhookId: null, correlationId: 'c', ...over }) as IInboundHookMessage;

describe('renderHookAlert', () => {
  it('shows the body as one literal span in a code block, with the hook name literal too', () => {
    const reply = renderHookAlert({ hook: { id: 'h1', name: '**Ops** <!channel>' }, latest: message({ t: '<!here> [x](https://evil.example) <@U1>' }), count: 1, since: new Date(now) });
    const block = reply.blocks[1]!;
    expect(block.type).toBe('section');
    const runs = literalRuns((block as { text: string }).text);
    expect(runs.map((r) => r.literal)).toEqual([false, true, false]);
    expect(runs[1]!.text).toBe('{\n  "t": "<!here> [x](https://evil.example) <@U1>"\n}');
    expect(reply.text).toContain('\uE000**Ops** <!channel>\uE001');
    expect(renderText(reply)).toContain('📨 Hook **Ops** <!channel> received a message.');
  });

  it('counts what arrived since the previous post, and cuts long bodies', () => {
    const reply = renderHookAlert({ hook: { id: 'h1', name: 'Ops' }, latest: message({ blob: 'x'.repeat(5000) }, { size: 5012 }), count: 13, since: new Date(now - 65_000) });
    const text = renderText(reply);
    expect(text).toContain('received a message (+12 more since 23:58:55 UTC, not shown).');
    expect(text).toContain(`5012 bytes (first ${SHOWN_CHARS} characters shown) · signature verified · message 7`);
    expect(shownPayload({ blob: 'x'.repeat(5000) }).text.length).toBeLessThanOrEqual(SHOWN_CHARS + 2);
  });

  it('never lets the body close its code block', () => {
    expect(shownPayload({ md: '```\n<!channel>\n```' }).text).not.toContain('```');
  });
});

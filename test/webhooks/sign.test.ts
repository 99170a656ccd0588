/** Patchbay's Standard Webhooks signatures, checked by the reference implementation (`standardwebhooks`), not by our own code. */
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateSecret, signature, signDelivery } from '../../src/webhooks/sign.ts';

const body = JSON.stringify({ eventType: 'task_added', entityId: '3f6c2a1e-8b4d-4c7e-9f12-5a6b7c8d9e0f', entity: { title: 'Ship it' } });

describe('Standard Webhooks signing', () => {
  it('generates whsec_ secrets of 32 random bytes', () => {
    const s = generateSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(32);
    expect(generateSecret()).not.toBe(s);
  });

  it("matches the reference library's own signature for the same id, timestamp and body", () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw3Jv1pYQ7u0E=';
    const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
    const payload = '{"test": 2432232314}';
    expect(signature(secret, id, 1614265330, payload)).toBe(new Webhook(secret).sign(id, new Date(1614265330 * 1000), payload));
  });

  it('produces headers that standardwebhooks verifies, and refuses a changed body, id or secret', () => {
    const secret = generateSecret();
    const headers = signDelivery([secret], 'msg_2c9e7a41', body);
    expect(headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('Ship', 'Sink'), headers)).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'msg_other' })).toThrow();
    expect(() => new Webhook(generateSecret()).verify(body, headers)).toThrow();
  });

  it('signs with both secrets during an overlap: either one alone verifies', () => {
    const [current, previous] = [generateSecret(), generateSecret()];
    const headers = signDelivery([current, previous], 'msg_rotating', body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=* v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(current).verify(body, headers)).toBeTruthy();
    expect(new Webhook(previous).verify(body, headers)).toBeTruthy();
  });

  it('keeps the timestamp of the attempt (a stale one is refused by receivers)', () => {
    const secret = generateSecret();
    const old = signDelivery([secret], 'msg_old', body, new Date(Date.now() - 3600_000));
    expect(() => new Webhook(secret).verify(body, old)).toThrow(/timestamp/i);
  });
});

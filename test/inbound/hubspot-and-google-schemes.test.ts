/**
 * HubSpot's and Google Calendar's schemes without a server: the edges the end-to-end tests do not
 * walk (URI decoding rules, future timestamps, generic `object.*` events, malformed bodies, channel
 * headers). Signatures are computed here from HubSpot's documented recipe, not with the scheme's code.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { InboundRequest } from '../../src/inbound/scheme.ts';
import { webhooks as google, parseRemoteId } from '../../src/providers/google-calendar/webhooks.ts';
import { webhooks as hubspot, signedUri } from '../../src/providers/hubspot/webhooks.ts';

const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const URL_ = 'https://patchbay.example.com/webhooks/hubspot';

function hubspotRequest(body: string, opts: { ts?: number; url?: string; signUrl?: string; receivedAt?: Date } = {}): InboundRequest {
  const ts = String(opts.ts ?? Date.now());
  const sig = createHmac('sha256', SECRET).update(`POST${opts.signUrl ?? opts.url ?? URL_}${body}${ts}`).digest('base64');
  return { method: 'POST', url: opts.url ?? URL_, headers: { 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': ts }, rawBody: Buffer.from(body), receivedAt: opts.receivedAt ?? new Date() };
}

describe('HubSpot v3 scheme', () => {
  it('decodes exactly the characters HubSpot lists (either case), nothing else', () => {
    expect(signedUri('https://x.example/a%3Ab%2Fc%3Fd%40e%21f%24g%27h%28i%29j%2Ak%2Cl%3Bm')).toBe("https://x.example/a:b/c?d@e!f$g'h(i)j*k,l;m");
    expect(signedUri('https://x.example/p?q=%3a%2f')).toBe('https://x.example/p?q=:/');
    // Spaces, ampersands, percent signs and the rest stay encoded.
    expect(signedUri('https://x.example/p?q=a%20b%26c%25d%3D')).toBe('https://x.example/p?q=a%20b%26c%25d%3D');
  });

  it('accepts a body signed over the decoded URI; refuses one signed over the encoded form', () => {
    const body = '[]';
    const url = 'https://patchbay.example.com/webhooks/hubspot?x=a%3Ab';
    expect(hubspot.scheme.verify(hubspotRequest(body, { url, signUrl: 'https://patchbay.example.com/webhooks/hubspot?x=a:b' }), SECRET)).toBe(true);
    expect(hubspot.scheme.verify(hubspotRequest(body, { url }), SECRET)).toBe(false);
  });

  it('refuses timestamps more than 5 minutes away either way, and ones that are not milliseconds', () => {
    const now = Date.now();
    expect(hubspot.scheme.verify(hubspotRequest('[]', { ts: now - 4 * 60_000 }), SECRET)).toBe(true);
    expect(hubspot.scheme.verify(hubspotRequest('[]', { ts: now - 6 * 60_000 }), SECRET)).toBe(false);
    expect(hubspot.scheme.verify(hubspotRequest('[]', { ts: now + 6 * 60_000 }), SECRET)).toBe(false);
    const req = hubspotRequest('[]');
    expect(hubspot.scheme.verify({ ...req, headers: { ...req.headers, 'x-hubspot-request-timestamp': '1.7e12' } }, SECRET)).toBe(false);
  });

  it('parses each event: portal-scoped ids, contacts by legacy or generic type, everything else ignored', () => {
    const body = JSON.stringify([
      { eventId: 1, portalId: 62515, subscriptionType: 'contact.propertyChange', objectId: 123, propertyName: 'email' },
      { eventId: 2, portalId: 62515, subscriptionType: 'object.creation', objectTypeId: '0-1', objectId: 124 },
      { eventId: 3, portalId: 62515, subscriptionType: 'object.creation', objectTypeId: '0-3', objectId: 9 },
      { eventId: 4, portalId: 99, subscriptionType: 'deal.deletion', objectId: 10 },
    ]);
    expect(hubspot.scheme.parse(hubspotRequest(body))).toEqual([
      { deliveryId: '62515:1', type: 'contact.propertyChange', object: 'contacts', accountId: '62515', remoteId: '123' },
      { deliveryId: '62515:2', type: 'object.creation', object: 'contacts', accountId: '62515', remoteId: '124' },
      { deliveryId: '62515:3', type: 'object.creation', object: null, accountId: '62515', remoteId: '9' },
      { deliveryId: '99:4', type: 'deal.deletion', object: null, accountId: '99', remoteId: '10' },
    ]);
  });

  it('a body that is not a batch of events is malformed (the ingress answers 400)', () => {
    expect(() => hubspot.scheme.parse(hubspotRequest('{"eventId":1}'))).toThrow();
    expect(() => hubspot.scheme.parse(hubspotRequest('[{"portalId":1,"subscriptionType":"contact.creation"}]'))).toThrow();
    expect(() => hubspot.scheme.parse(hubspotRequest('not json'))).toThrow();
  });

  it('is app-level: nothing registered per connection, and says what to configure once', () => {
    expect(hubspot.scheme).toMatchObject({ routing: 'app', secretSource: 'app' });
    expect(hubspot.register).toBeUndefined();
    expect(hubspot.resourcesFor).toBeUndefined();
    expect(hubspot.setup).toContain('{PUBLIC_URL}/webhooks/hubspot');
    expect(hubspot.setup).toContain('crm.objects.contacts.read');
  });
});

describe('Google Calendar channel scheme', () => {
  const req = (headers: Record<string, string>): InboundRequest => ({ method: 'POST', url: 'https://patchbay.example.com/webhooks/google-calendar/c/r', headers, rawBody: Buffer.alloc(0), receivedAt: new Date() });
  const base = { 'x-goog-channel-id': 'chan-1', 'x-goog-channel-token': 'tok', 'x-goog-resource-id': 'rid', 'x-goog-message-number': '7' };

  it('verifies the channel token (and needs a channel id)', () => {
    expect(google.scheme.verify(req({ ...base, 'x-goog-resource-state': 'exists' }), 'tok')).toBe(true);
    expect(google.scheme.verify(req({ ...base, 'x-goog-resource-state': 'exists' }), 'tok2')).toBe(false);
    expect(google.scheme.verify(req({ 'x-goog-channel-token': 'tok' }), 'tok')).toBe(false);
  });

  it('sync → nothing; exists / not_exists → the events object, keyed by channel and message number; others ignored', () => {
    expect(google.scheme.parse(req({ ...base, 'x-goog-resource-state': 'sync', 'x-goog-message-number': '1' }))).toEqual([]);
    expect(google.scheme.parse(req({ ...base, 'x-goog-resource-state': 'exists' }))).toEqual([{ deliveryId: 'chan-1:7', type: 'events.exists', object: 'events' }]);
    expect(google.scheme.parse(req({ ...base, 'x-goog-resource-state': 'not_exists' }))).toEqual([{ deliveryId: 'chan-1:7', type: 'events.not_exists', object: 'events' }]);
    expect(google.scheme.parse(req({ ...base, 'x-goog-resource-state': 'update' }))[0]!.object).toBeNull();
    expect(() => google.scheme.parse(req({ 'x-goog-channel-id': 'chan-1', 'x-goog-resource-state': 'exists' }))).toThrow();
  });

  it('watches the rule’s calendar (primary by default); the remote id carries what channels.stop needs', () => {
    expect(google.resourcesFor!({ remoteObject: 'events', scope: {} })).toEqual(['primary']);
    expect(google.resourcesFor!({ remoteObject: 'events', scope: { calendar: 'team@group.calendar.google.com' } })).toEqual(['team@group.calendar.google.com']);
    expect(parseRemoteId('3f1e0a52-8c1d|o3h|gv')).toEqual({ id: '3f1e0a52-8c1d', resourceId: 'o3h|gv' });
    expect(parseRemoteId('no-separator')).toBeNull();
    expect(google.renewBeforeSeconds).toBe(86_400);
  });
});

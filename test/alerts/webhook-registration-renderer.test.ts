/** The alert for a realtime webhook Patchbay could not register: an `errors` notice for the connection's channels. */
import { describe, expect, it } from 'vitest';
import { alertEventTypes, getRenderer } from '../../src/alerts/renderers/index.ts';
import { renderText } from '../../src/commands/render-text.ts';
import { eventCatalog, type RecordedEvent } from '../../src/events/catalog/index.ts';

const example = eventCatalog.connection_webhook_failed.example;
const base = { id: 9, workspaceId: 'ws-1', version: 1, entityType: 'connection' as const, traceId: 'corr-9', actorMemberId: null, via: 'system' as const, txid: '1', createdAt: new Date() };
const renderer = getRenderer('connection_webhook_failed')!;

describe('webhook registration alert renderer', () => {
  it('is registered, and notifies the connection\'s errors channels', () => {
    expect(alertEventTypes).toContain('connection_webhook_failed');
    const event = { ...base, type: 'connection_webhook_failed', entityId: example.entityId, snapshot: example.snapshot, data: example.data } as unknown as RecordedEvent;
    expect(renderer.match(event)).toEqual({ notifies: 'errors', connectionId: example.entityId });
  });

  it('says what failed and why (the provider\'s words inert), that the rule polls meanwhile, with Status and Log', () => {
    const data = { resource: '1207894561234567', reason: 'Forbidden <!channel> @here: webhooks:write scope missing' };
    const event = { ...base, type: 'connection_webhook_failed', entityId: example.entityId, snapshot: example.snapshot, data } as unknown as RecordedEvent;
    const reply = renderer.render({ event, connection: example.snapshot as never });
    expect(reply.visibility).toBe('in_channel');
    const text = renderText(reply);
    expect(text).toContain(`realtime webhooks could not be registered for 1207894561234567: Forbidden <!channel> @here: webhooks:write scope missing`);
    expect(text).toContain('Its realtime rules poll every 5 minutes meanwhile; Patchbay retries the registration.');
    const buttons = reply.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons.map((x) => x.label) : []));
    expect(buttons).toEqual(['Status', 'Log']);
    // The provider's words are marked as literal text: no platform turns them into pings.
    expect(reply.text).toContain(`\uE000${data.reason}\uE001`);
  });
});

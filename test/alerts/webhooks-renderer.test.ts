/** The `webhooks` alert renderer: what a paused, disabled or enabled endpoint's message says. */
import { describe, expect, it } from 'vitest';
import { alertEventTypes, getRenderer } from '../../src/alerts/renderers/index.ts';
import { renderText } from '../../src/commands/render-text.ts';
import type { NeutralReply } from '../../src/commands/view.ts';
import type { RecordedEvent } from '../../src/events/catalog/index.ts';

const ID = '5d2c9e7a-3b4f-4c1d-8e6f-0a9b8c7d6e5f';
const snapshot = {
  id: ID,
  name: 'Billing *sync* <!channel>',
  url: 'https://hooks.example.com/patchbay?token=s3cr3t',
  eventTypes: 'all' as const,
  status: 'paused' as const,
  statusReason: 'Paused after 11 failed attempts in a row (last: HTTP 503)',
  consecutiveFailures: 11,
  createdAt: '2026-11-20T14:03:11.000Z',
  updatedAt: '2026-11-29T09:12:04.511Z',
};
const base = { id: 7, workspaceId: 'ws-1', version: 1, entityType: 'webhook' as const, entityId: ID, traceId: 'corr-1', actorMemberId: null, via: 'system' as const, txid: '1', createdAt: new Date() };

const renderer = getRenderer('webhooks')!;
const buttonLines = (r: NeutralReply) => r.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons.map((x) => `${x.label}: ${'command' in x.action ? [x.action.command, ...x.action.args].join(' ') : ''}`) : []));

describe('webhooks alert renderer', () => {
  it('is registered for the three endpoint events, as workspace-wide notices', () => {
    expect(renderer.types).toEqual(['webhook_paused', 'webhook_disabled', 'webhook_enabled']);
    expect(alertEventTypes).toEqual(expect.arrayContaining(['webhook_paused', 'webhook_disabled', 'webhook_enabled']));
    const event = { ...base, type: 'webhook_paused', snapshot, data: { reason: 'x', by: 'auto', lastStatusCode: 503, lastError: null, pendingDeliveries: 3 } } as RecordedEvent;
    expect(renderer.match(event)).toEqual({ notifies: 'webhooks', connectionId: null });
  });

  it('auto-pause: why (last answer, failures in a row), what was kept, Enable and Test; the name and reason inert, the URL’s path never shown', () => {
    const event = { ...base, type: 'webhook_paused', snapshot, data: { reason: snapshot.statusReason, by: 'auto', lastStatusCode: 503, lastError: null, pendingDeliveries: 37 } } as RecordedEvent;
    const reply = renderer.render({ event, connection: null });
    expect(reply.visibility).toBe('in_channel');
    const text = renderText(reply);
    expect(text).toContain('⏸ Webhook Billing *sync* <!channel> is paused: Paused after 11 failed attempts in a row (last: HTTP 503).\nLast answer: HTTP 503 · 11 failures in a row.\n37 deliveries');
    expect(text).toContain('37 deliveries are kept, and new events are kept too: Enable sends them, oldest first.');
    expect(text).toContain('Posts to hooks.example.com');
    expect(JSON.stringify(reply)).not.toContain('s3cr3t');
    expect(reply.text).toContain(`\uE000${snapshot.name}\uE001`);
    expect(buttonLines(reply)).toEqual([`Test: webhooks test ${ID}`, `Enable: webhooks enable ${ID}`]);
  });

  it('a timeout reads as the error; nothing kept says so', () => {
    const event = { ...base, type: 'webhook_paused', snapshot, data: { reason: 'Paused after 11 failed attempts in a row (last: timeout)', by: 'auto', lastStatusCode: null, lastError: 'timeout after 30 s', pendingDeliveries: 0 } } as RecordedEvent;
    const text = renderText(renderer.render({ event, connection: null }));
    expect(text).toContain('Last answer: timeout after 30 s · 11 failures in a row.');
    expect(text).toContain('Nothing is waiting; new events are kept until it is enabled');
  });

  it('disabled by 410: gone for good, nothing kept, Enable revives it', () => {
    const s = { ...snapshot, status: 'disabled' as const, consecutiveFailures: 1 };
    const event = { ...base, type: 'webhook_disabled', snapshot: s, data: { reason: 'Disabled: the endpoint answered 410 Gone', by: 'auto', lastStatusCode: 410, lastError: null, pendingDeliveries: 0 } } as RecordedEvent;
    const reply = renderer.render({ event, connection: null });
    expect(renderText(reply)).toContain('⛔ Webhook Billing *sync* <!channel> is disabled: Disabled: the endpoint answered 410 Gone.\nLast answer: HTTP 410 · 1 failure in a row.');
    expect(renderText(reply)).toContain('its pending deliveries were given up and new events are not kept. Only Enable revives it.');
    expect(buttonLines(reply)).toEqual([`Test: webhooks test ${ID}`, `Enable: webhooks enable ${ID}`]);
  });

  it('enabled again: a short notice with what goes out now, no buttons', () => {
    const s = { ...snapshot, status: 'active' as const, statusReason: null, consecutiveFailures: 0 };
    const event = { ...base, type: 'webhook_enabled', snapshot: s, data: { previousStatus: 'paused', pendingDeliveries: 2 } } as RecordedEvent;
    const reply = renderer.render({ event, connection: null });
    expect(renderText(reply)).toBe('▶️ Webhook Billing *sync* <!channel> is enabled again (it was paused): its 2 kept deliveries go out now, oldest first.');
    expect(buttonLines(reply)).toEqual([]);
  });
});

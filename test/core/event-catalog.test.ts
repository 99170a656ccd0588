/** The event catalog is a public contract: every type documents itself and names fields as an API would. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeEventType, EVENT_TYPES, eventCatalog, eventPayloadSchema, type RecordedEvent } from '../../src/events/catalog/index.ts';

type JsonSchema = { type?: string; format?: string; properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[]; required?: string[] };

/** Every property name in a JSON Schema, with its schema, however deeply nested. */
function properties(s: JsonSchema, path = ''): Array<[string, JsonSchema]> {
  const own = Object.entries(s.properties ?? {}).flatMap(([k, v]) => [[`${path}${k}`, v] as [string, JsonSchema], ...properties(v, `${path}${k}.`)]);
  return [...own, ...(s.items ? properties(s.items, path) : []), ...(s.anyOf ?? []).flatMap((a) => properties(a, path))];
}

describe('event catalog', () => {
  it('declares the events Patchbay records today', () => {
    expect([...EVENT_TYPES].sort()).toEqual([
      'calendar_event_added',
      'calendar_event_deleted',
      'calendar_event_updated',
      'connection_authorization_failed',
      'connection_connected',
      'connection_disconnected',
      'connection_errored',
      'connection_paused',
      'connection_renamed',
      'connection_resumed',
      'connection_webhook_failed',
      'contact_added',
      'contact_deleted',
      'contact_updated',
      'hook_received',
      'sync_completed',
      'sync_conflict',
      'task_added',
      'task_deleted',
      'task_status_changed',
      'task_updated',
      'timetracking_added',
      'timetracking_deleted',
      'timetracking_updated',
      'webhook_disabled',
      'webhook_enabled',
      'webhook_paused',
      'webhook_removed',
    ]);
  });

  it.each(EVENT_TYPES)('%s has a description, a version, a JSON Schema and an example that matches it', (type) => {
    const doc = describeEventType(type);
    expect(doc.type).toMatch(/^[a-z]+(_[a-z]+)+$/);
    expect(doc.version).toBeGreaterThanOrEqual(1);
    expect(doc.description.length).toBeGreaterThan(20);
    const schema = doc.schema as JsonSchema;
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(expect.arrayContaining(['type', 'version', 'entityType', 'entityId', 'snapshot', 'data']));
    // Receivers must accept fields added later (a non-breaking change).
    expect(JSON.stringify(schema)).not.toContain('"additionalProperties":false');
    expect(eventPayloadSchema(type).safeParse(doc.example).success).toBe(true);
    expect(doc.example).toMatchObject({ type, entityType: eventCatalog[type].entityType });
    for (const [name, prop] of properties(schema)) {
      // Public field names: camelCase; timestamps are ISO 8601 strings.
      expect(name.split('.').at(-1), `${type}: ${name}`).toMatch(/^[a-z][a-zA-Z0-9]*$/);
      if (/(At|Until)$/.test(name)) {
        const formats = [prop.format, ...(prop.anyOf ?? []).map((a) => a.format)];
        expect(formats, `${type}: ${name} is an ISO timestamp`).toContain('date-time');
      }
    }
  });

  it('narrows a recorded event by its type, with no casts', () => {
    const until = (e: RecordedEvent) => (e.type === 'connection_paused' ? e.data.pausedUntil : e.entityType === 'connection' ? e.snapshot.pausedUntil : null);
    expect(until).toBeTypeOf('function');
  });

  it('alert renderers read typed events: no casts of snapshots or data', () => {
    const dir = join(import.meta.dirname, '../../src/alerts');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    for (const f of files) expect(readFileSync(join(dir, f), 'utf8'), `src/alerts/${f}`).not.toMatch(/as unknown as|(snapshot|data\??\.\w+) as /);
  });
});

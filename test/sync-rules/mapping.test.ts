import { describe, expect, it } from 'vitest';
import { checkMapping, mapIn, mapOut, suggestMapping } from '../../src/sync/mapping.ts';
import { htmlToText, parseTitleMinutes, splitName, textToHtml } from '../../src/sync/transforms.ts';
import type { MappingEntry, ObjectAdapter } from '../../src/sync/types.ts';
import { contactsAdapter, tasksAdapter } from '../fakes/sync-adapters.ts';

const titleEntry: MappingEntry = { local: 'title', remote: 'name', direction: 'both', transform: 'title_minutes' };
const sandbox = { providerName: 'Sandbox' };

describe('title syntax (title_minutes)', () => {
  it.each([
    ['Write report [1h30m]', 'Write report', 90],
    ['[75m] Review PR', 'Review PR', 75],
    ['Standup [1h]', 'Standup', 60],
    ['Call   [30m]  ', 'Call', 30],
    ['Plan [2H 15M] sprint', 'Plan sprint', 135],
  ])('pulls %j as %j with %i minutes', (remote, title, minutes) => {
    const r = mapIn('tasks', tasksAdapter, [titleEntry], { name: remote }, null);
    expect(r.values).toEqual({ title, scheduledMinutes: minutes });
    expect(r.mismatches).toEqual([]);
  });

  it('pulls a title without a bracket with null minutes, and [] or [abc] are just text', () => {
    expect(mapIn('tasks', tasksAdapter, [titleEntry], { name: 'Plain' }, null).values).toEqual({ title: 'Plain', scheduledMinutes: null });
    expect(parseTitleMinutes('Odd [] and [abc]')).toEqual({ title: 'Odd [] and [abc]', minutes: null, bracket: null });
  });

  it('keeps [75m] as written while minutes are unchanged, canonical when they changed here', () => {
    const pulled = mapIn('tasks', tasksAdapter, [titleEntry], { name: '[75m] Review PR' }, null);
    const base = pulled.values;
    expect(mapOut('tasks', tasksAdapter, [titleEntry], { title: 'Review PR', scheduledMinutes: 75 }, pulled.meta, base)).toEqual({ name: '[75m] Review PR' });
    // Title renamed here, minutes unchanged: the bracket stays as the provider wrote it, where it was.
    expect(mapOut('tasks', tasksAdapter, [titleEntry], { title: 'Review the PR', scheduledMinutes: 75 }, pulled.meta, base)).toEqual({ name: '[75m] Review the PR' });
    expect(mapOut('tasks', tasksAdapter, [titleEntry], { title: 'Review PR', scheduledMinutes: 90 }, pulled.meta, base)).toEqual({ name: '[1h30m] Review PR' });
    expect(mapOut('tasks', tasksAdapter, [titleEntry], { title: 'Review PR', scheduledMinutes: null }, pulled.meta, base)).toEqual({ name: 'Review PR' });
  });

  it('writes the canonical form for a record never pulled: [1h15m], [2h], [45m], at the end', () => {
    const out = (m: number) => mapOut('tasks', tasksAdapter, [titleEntry], { title: 'Task', scheduledMinutes: m }, null, null).name;
    expect([out(75), out(120), out(45), out(0)]).toEqual(['Task [1h15m]', 'Task [2h]', 'Task [45m]', 'Task [0m]']);
  });

  it('keeps a bracket inside the title in place', () => {
    const pulled = mapIn('tasks', tasksAdapter, [titleEntry], { name: 'Plan [1h] sprint' }, null);
    expect(pulled.values.title).toBe('Plan sprint');
    expect(mapOut('tasks', tasksAdapter, [titleEntry], pulled.values, pulled.meta, pulled.values)).toEqual({ name: 'Plan [1h] sprint' });
  });
});

describe('transforms both ways', () => {
  const nameEntry: MappingEntry = { local: 'name', remote: ['firstname', 'lastname'], direction: 'both', transform: 'name_parts' };

  it('name_parts: joins first and last; splits on the last space; keeps the provider parts while the name is unchanged', () => {
    const pulled = mapIn('contacts', contactsAdapter, [nameEntry], { firstname: 'Ada', lastname: 'King Lovelace' }, null);
    expect(pulled.values).toEqual({ name: 'Ada King Lovelace' });
    expect(mapOut('contacts', contactsAdapter, [nameEntry], { name: 'Ada King Lovelace' }, pulled.meta, pulled.values)).toEqual({ firstname: 'Ada', lastname: 'King Lovelace' });
    expect(mapOut('contacts', contactsAdapter, [nameEntry], { name: 'Grace Brewster Hopper' }, pulled.meta, pulled.values)).toEqual({ firstname: 'Grace Brewster', lastname: 'Hopper' });
    expect(mapOut('contacts', contactsAdapter, [nameEntry], { name: 'Cher' }, null, null)).toEqual({ firstname: 'Cher', lastname: null });
    expect(mapIn('contacts', contactsAdapter, [nameEntry], { firstname: 'Cher', lastname: null }, null).values).toEqual({ name: 'Cher' });
    expect(splitName('Ada King Lovelace', 3)).toEqual(['Ada', 'King', 'Lovelace']);
  });

  it('rich_text: HTML to plain text with entities decoded, and back to escaped paragraphs', () => {
    const entry: MappingEntry = { local: 'description', remote: 'html_notes', direction: 'both', transform: 'rich_text' };
    const html = '<body><p>Fish &amp; chips &lt;today&gt;</p><p>Line one<br/>line&nbsp;two &#8364;5 &#x2713;</p><ul><li>a</li><li>b</li></ul></body>';
    expect(mapIn('tasks', tasksAdapter, [entry], { html_notes: html }, null).values).toEqual({ description: 'Fish & chips <today>\n\nLine one\nline two €5 ✓\n\n- a\n- b' });
    expect(mapOut('tasks', tasksAdapter, [entry], { description: 'Fish & chips <today>\n\nLine "one"\nline two' }, null, null)).toEqual({
      html_notes: '<p>Fish &amp; chips &lt;today&gt;</p><p>Line &quot;one&quot;<br>line two</p>',
    });
    expect(htmlToText('<p> </p>')).toBeNull();
    expect(textToHtml(null)).toBeNull();
  });

  it('datetime_to_date: the day as written in its own offset; back keeps the provider time while the day is the same', () => {
    const adapter: ObjectAdapter = { ...tasksAdapter, fields: [...tasksAdapter.fields, { name: 'due_at', type: 'datetime' }] };
    const entry: MappingEntry = { local: 'dueDate', remote: 'due_at', direction: 'both', transform: 'datetime_to_date' };
    const pulled = mapIn('tasks', adapter, [entry], { due_at: '2026-12-04T23:30:00-05:00' }, null);
    expect(pulled.values).toEqual({ dueDate: '2026-12-04' });
    expect(mapOut('tasks', adapter, [entry], { dueDate: '2026-12-04' }, pulled.meta, pulled.values)).toEqual({ due_at: '2026-12-04T23:30:00-05:00' });
    expect(mapOut('tasks', adapter, [entry], { dueDate: '2026-12-06' }, pulled.meta, pulled.values)).toEqual({ due_at: '2026-12-06T00:00:00.000Z' });
    expect(mapOut('tasks', adapter, [entry], { dueDate: null }, pulled.meta, pulled.values)).toEqual({ due_at: null });
  });

  it('split_list: "a;b" and "a, b" to a list, and back with the provider separator', () => {
    const entry: MappingEntry = { local: 'labels', remote: 'tags', direction: 'both', transform: 'split_list' };
    const semi = mapIn('tasks', tasksAdapter, [entry], { tags: 'urgent;q1' }, null);
    expect(semi.values).toEqual({ labels: ['urgent', 'q1'] });
    const comma = mapIn('tasks', tasksAdapter, [entry], { tags: 'urgent, q1 , ' }, null);
    expect(comma.values).toEqual({ labels: ['urgent', 'q1'] });
    expect(mapIn('tasks', tasksAdapter, [entry], { tags: null }, null).values).toEqual({ labels: [] });
    expect(mapOut('tasks', tasksAdapter, [entry], { labels: ['a', 'b'] }, comma.meta, null)).toEqual({ tags: 'a, b' });
    expect(mapOut('tasks', tasksAdapter, [entry], { labels: ['a', 'b'] }, null, null)).toEqual({ tags: 'a;b' });
    expect(mapOut('tasks', tasksAdapter, [entry], { labels: [] }, null, null)).toEqual({ tags: null });
  });

  it('enum_map: through values both ways; a value the mapping does not list becomes a sensible default, reported when the provider does not declare it either', () => {
    const entry: MappingEntry = { local: 'status', remote: 'status', direction: 'both', transform: 'enum_map', values: { open: 'todo', done: 'completed' } };
    expect(mapIn('tasks', tasksAdapter, [entry], { status: 'completed' }, null, sandbox)).toEqual({ values: { status: 'done' }, meta: {}, mismatches: [] });
    expect(mapOut('tasks', tasksAdapter, [entry], { status: 'open' }, null, null)).toEqual({ status: 'todo' });
    // A value the provider declares but the mapping does not list is read by its meaning, silently.
    const declared = mapIn('tasks', tasksAdapter, [entry], { status: 'in_progress' }, null, sandbox);
    expect(declared).toMatchObject({ values: { status: 'open' }, mismatches: [] });
    // One it does not even declare is news.
    const unknown = mapIn('tasks', tasksAdapter, [entry], { status: 'blocked' }, null, sandbox);
    expect(unknown.values).toEqual({ status: 'open' });
    expect(unknown.mismatches).toEqual([expect.stringMatching(/^field mapping mismatch: Sandbox tasks sent status 'blocked'.*used 'open'/)]);
    expect(mapIn('tasks', tasksAdapter, [entry], { status: 'closed' }, null, sandbox).values).toEqual({ status: 'done' });
  });

  it('normalizes plain values to the API representation: days, UTC date-times, lists, nulls for empty', () => {
    const adapter: ObjectAdapter = {
      ...tasksAdapter,
      localObject: 'calendar_events',
      remoteObject: 'events',
      fields: [
        { name: 'start', type: 'datetime' },
        { name: 'all_day', type: 'boolean' },
        { name: 'where', type: 'string' },
        { name: 'guests', type: 'email_list' },
      ],
    };
    const mapping: MappingEntry[] = [
      { local: 'startAt', remote: 'start', direction: 'both' },
      { local: 'allDay', remote: 'all_day', direction: 'both' },
      { local: 'location', remote: 'where', direction: 'both' },
      { local: 'attendees', remote: 'guests', direction: 'both' },
    ];
    const r = mapIn('calendar_events', adapter, mapping, { start: '2026-12-04T10:00:00+02:00', all_day: 'false', where: '', guests: null }, null);
    expect(r.values).toEqual({ startAt: '2026-12-04T08:00:00.000Z', allDay: false, location: null, attendees: [] });
    expect(mapIn('tasks', tasksAdapter, [{ local: 'dueDate', remote: 'due_on', direction: 'both' }], { due_on: '2026-12-04' }, null).values).toEqual({ dueDate: '2026-12-04' });
  });
});

describe('mismatches and absent fields', () => {
  it('names a mapped field the record lacks and the adapter no longer declares, and what to do', () => {
    const mapping: MappingEntry[] = [titleEntry, { local: 'dueDate', remote: 'due_date_old', direction: 'both' }];
    const r = mapIn('tasks', tasksAdapter, mapping, { name: 'Task' }, null, sandbox);
    expect(r.mismatches).toEqual(["field mapping mismatch: Sandbox tasks no longer have 'due_date_old' (mapped to dueDate); edit the rule's mapping"]);
    expect(r.values).toEqual({ title: 'Task', scheduledMinutes: null });
  });

  it('a field that is merely null is no mismatch, and an absent declared field sets nothing', () => {
    const mapping: MappingEntry[] = [{ local: 'dueDate', remote: 'due_on', direction: 'both' }, { local: 'assigneeEmail', remote: 'assignee_email', direction: 'in' }];
    expect(mapIn('tasks', tasksAdapter, mapping, { due_on: null }, null)).toEqual({ values: { dueDate: null }, meta: {}, mismatches: [] });
  });

  it('maps in only in|both entries and out only out|both ones, never to read-only fields', () => {
    const mapping: MappingEntry[] = [
      { local: 'title', remote: 'name', direction: 'in' },
      { local: 'assigneeEmail', remote: 'assignee_email', direction: 'out' },
      { local: 'description', remote: 'permalink_url', direction: 'both' },
    ];
    expect(mapIn('tasks', tasksAdapter, mapping, { name: 'T', assignee_email: 'a@b.c', permalink_url: 'https://x.example/1' }, null).values).toEqual({ title: 'T', description: 'https://x.example/1' });
    expect(mapOut('tasks', tasksAdapter, mapping, { title: 'T', assigneeEmail: 'a@b.c', description: 'd' }, null, null)).toEqual({ assignee_email: 'a@b.c' });
  });
});

describe('suggestMapping', () => {
  it('pairs firstname + lastname into name, phone_number into phone, job title, with confidences and reasons', () => {
    const s = suggestMapping('contacts', contactsAdapter);
    const by = Object.fromEntries(s.pairs.map((p) => [p.local, p]));
    expect(by.name).toMatchObject({ remote: ['firstname', 'lastname'], transform: 'name_parts', direction: 'both' });
    expect(by.phone).toMatchObject({ remote: 'phone_number', direction: 'both' });
    expect(by.email).toMatchObject({ remote: 'email', confidence: 0.9 });
    expect(by.company).toMatchObject({ remote: 'company' });
    expect(by.title).toMatchObject({ remote: 'jobtitle' });
    for (const p of s.pairs) {
      expect(p.confidence).toBeGreaterThan(0);
      expect(p.confidence).toBeLessThanOrEqual(1);
      expect(p.reason.length).toBeGreaterThan(5);
    }
    expect(s.unmapped).toEqual({ local: [], remote: ['hs_object_source'] });
    expect(s.missingRequired).toEqual({ local: [], remote: [] });
    expect(checkMapping('contacts', contactsAdapter, s.pairs, 'both')).toEqual([]);
  });

  it('pairs due_on with dueDate, the status enum with guessed values, the title with the title syntax', () => {
    const s = suggestMapping('tasks', tasksAdapter);
    const by = Object.fromEntries(s.pairs.map((p) => [p.local, p]));
    expect(by.dueDate).toMatchObject({ remote: 'due_on', direction: 'both' });
    expect(by.title).toMatchObject({ remote: 'name', transform: 'title_minutes' });
    expect(by.description).toMatchObject({ remote: 'html_notes', transform: 'rich_text' });
    expect(by.status).toMatchObject({ remote: 'status', transform: 'enum_map', values: { open: 'todo', done: 'completed' } });
    expect(by.labels).toMatchObject({ remote: 'tags', transform: 'split_list' });
    expect(by.assigneeEmail).toMatchObject({ remote: 'assignee_email' });
    expect(s.unmapped.local).toEqual([]);
    expect(s.unmapped.remote).toEqual(['permalink_url']);
    expect(checkMapping('tasks', tasksAdapter, s.pairs, 'both')).toEqual([]);
  });

  it('uses the adapter aliases, and reports required fields left without a pair', () => {
    const adapter: ObjectAdapter = { ...tasksAdapter, fields: [{ name: 'headline', type: 'string' }, { name: 'project_gid', type: 'string', required: true }], aliases: { headline: 'title' } };
    const s = suggestMapping('tasks', adapter);
    expect(s.pairs[0]).toMatchObject({ local: 'title', remote: 'headline', confidence: 0.95 });
    expect(s.missingRequired).toEqual({ local: [], remote: ['project_gid'] });
    const none = suggestMapping('tasks', { ...adapter, fields: [{ name: 'zzz', type: 'number' }], aliases: {} });
    expect(none.missingRequired.local).toEqual(['title']);
  });
});

describe('checkMapping', () => {
  it('lists every problem with its path', () => {
    const mapping = [
      { local: 'titel', remote: 'name', direction: 'both' },
      { local: 'dueDate', remote: 'due_date', direction: 'both' },
      { local: 'name', remote: 'name', direction: 'both', transform: 'name_parts' },
      { local: 'labels', remote: 'tags', direction: 'out' },
      { local: 'dueDate', remote: 'due_on', direction: 'in' },
    ] as MappingEntry[];
    const issues = checkMapping('tasks', tasksAdapter, mapping, 'in');
    expect(issues.map((i) => i.path)).toEqual(['mapping.0.local', 'mapping.1.remote', 'mapping.2.local', 'mapping.2.transform', 'mapping.3.direction', 'mapping.4.local', 'mapping']);
    expect(issues.find((i) => i.path === 'mapping.1.remote')!.message).toMatch(/'due_date' is not a field of tasks.*due_on/);
    expect(issues.find((i) => i.path === 'mapping.3.direction')!.message).toMatch(/'out' cannot flow on a rule whose direction is 'in'/);
    expect(issues.at(-1)!.message).toMatch(/without title/);
  });

  it('needs no inbound title on an out rule, and refuses scheduledMinutes mapped beside the title syntax', () => {
    expect(checkMapping('tasks', tasksAdapter, [{ local: 'dueDate', remote: 'due_on', direction: 'out' }], 'out')).toEqual([]);
    const twice = checkMapping('tasks', tasksAdapter, [titleEntry, { local: 'scheduledMinutes', remote: 'status', direction: 'both' }], 'both');
    expect(twice).toEqual([{ path: 'mapping.1.local', message: 'scheduledMinutes is already mapped by entry 0; map each local field once' }]);
  });
});

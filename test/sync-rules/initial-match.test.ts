/** The initial match's pure parts: keys in local terms, and the snapshot a matched pair's link starts from. */
import { describe, expect, it } from 'vitest';
import { keyLabel, matchedSnapshot, matchKey } from '../../src/sync/initial-match.ts';
import { previewSummary } from '../../src/sync/match-preview.ts';
import type { MappingEntry } from '../../src/sync/types.ts';

const mapping: MappingEntry[] = [
  { local: 'title', remote: 'name', direction: 'both' },
  { local: 'description', remote: 'notes', direction: 'both' },
  { local: 'status', remote: 'status', direction: 'in' },
  { local: 'dueDate', remote: 'due_on', direction: 'out' },
];

describe('match keys', () => {
  it('contacts by email, trimmed and in any case; none without one', () => {
    expect(matchKey('contacts', { email: ' Ada@Example.COM ' })).toBe('ada@example.com');
    expect(matchKey('contacts', { email: null })).toBeNull();
    expect(matchKey('contacts', { email: '' })).toBeNull();
  });
  it('tasks by exact title and due date (both empty counts as equal)', () => {
    expect(matchKey('tasks', { title: 'Ship', dueDate: '2026-12-01' })).not.toBe(matchKey('tasks', { title: 'ship', dueDate: '2026-12-01' }));
    expect(matchKey('tasks', { title: 'Ship', dueDate: null })).toBe(matchKey('tasks', { title: 'Ship' }));
    expect(keyLabel('tasks', matchKey('tasks', { title: 'Ship', dueDate: '2026-12-01' })!)).toBe('"Ship" due 2026-12-01');
  });
  it('events by title and start instant, whatever the offset it is written with', () => {
    const a = matchKey('calendar_events', { title: 'Standup', startAt: '2026-12-01T09:00:00.000Z' });
    expect(a).toBe(matchKey('calendar_events', { title: 'Standup', startAt: '2026-12-01T10:00:00+01:00' }));
    expect(keyLabel('calendar_events', a!)).toBe('"Standup" at 2026-12-01T09:00:00.000Z');
  });
});

describe('a matched pair’s snapshot', () => {
  const local = { title: 'Ship', description: 'here', status: 'open', dueDate: '2026-12-01' };
  const remote = { title: 'Ship', description: 'there', status: 'done', dueDate: '2026-12-02' };
  const earlier = new Date('2026-11-01T00:00:00Z');
  const later = new Date('2026-11-02T00:00:00Z');
  it('both ways: equal values are the base; otherwise the base is the loser’s value (in-only: remote wins, out-only: local wins, two-way: the later write)', () => {
    // The remote wrote last: its description is pulled (base = local's); the out-only due date is pushed.
    expect(matchedSnapshot({ direction: 'both', mapping }, local, remote, earlier, later)).toEqual({ v: { title: 'Ship', description: 'here', status: 'open', dueDate: '2026-12-02' }, localAhead: true });
    // Local wrote last: its description is pushed (base = remote's).
    expect(matchedSnapshot({ direction: 'both', mapping }, local, remote, later, earlier).v).toMatchObject({ description: 'there' });
  });
  it('two-way: a value only one side has fills the other, whoever wrote last', () => {
    expect(matchedSnapshot({ direction: 'both', mapping }, { ...local, description: null }, remote, later, earlier).v).toMatchObject({ description: null });
    const r = matchedSnapshot({ direction: 'both', mapping }, local, { ...remote, description: '' }, earlier, later);
    expect(r).toMatchObject({ v: { description: '' }, localAhead: true });
  });
  it('an in rule: the remote values are pulled', () => {
    expect(matchedSnapshot({ direction: 'in', mapping }, local, remote, later, earlier)).toEqual({ v: { title: 'Ship', description: 'here', status: 'open' }, localAhead: false });
  });
  it('an out rule: the local values are pushed', () => {
    expect(matchedSnapshot({ direction: 'out', mapping }, local, remote, earlier, later)).toEqual({ v: { title: 'Ship', description: 'there', dueDate: '2026-12-02' }, localAhead: true });
  });
});

describe('the preview sentence', () => {
  const base = { ruleId: 'r', connectionId: 'c', localObject: 'contacts' as const, remoteObject: 'contacts', matchBy: '', firstRun: true, link: 412, createRemote: 30, createLocal: 12, unmatchedLocal: 30, unmatchedRemote: 12, ambiguous: [], ambiguousCount: 0, warnings: [] };
  it('follows the direction', () => {
    expect(previewSummary({ ...base, direction: 'both' }, 'HubSpot')).toBe('Will link 412, create 30 in HubSpot, create 12 here.');
    expect(previewSummary({ ...base, direction: 'out', createLocal: 0 }, 'HubSpot')).toBe('Will link 412, create 30 in HubSpot. 12 HubSpot records without a match stay there only (the rule only syncs out).');
    expect(previewSummary({ ...base, direction: 'both', ambiguousCount: 2 }, 'HubSpot')).toBe('Will link 412, create 30 in HubSpot, create 12 here. 2 ambiguous matches left unlinked (their records sync as new).');
  });
});

/**
 * The suggested mapping for a new rule: remote fields paired with local ones by the adapter's own
 * aliases, normalized names (case, underscores, camelCase), known aliases (`due_on` → dueDate,
 * `firstname` + `lastname` → name) and types, each pair with a confidence and the reason, plus
 * what stays unmapped and which required fields have no pair. A rule created without a mapping
 * takes the pairs with confidence ≥ 0.6 (src/sync/rules.ts).
 */
import { guessEnumValues } from './transforms.ts';
import { LOCAL_ENUM_VALUES, LOCAL_FIELD_TYPES } from './local-fields.ts';
import { LOCAL_FIELDS, REQUIRED_LOCAL_FIELDS, type FieldType, type LocalObject, type MappingEntry, type ObjectAdapter, type RemoteField } from './types.ts';

export type SuggestedPair = MappingEntry & { confidence: number; reason: string };
export type MappingSuggestion = {
  pairs: SuggestedPair[];
  unmapped: { local: string[]; remote: string[] };
  /** Local required fields with no inbound pair; provider required fields with no outbound pair. */
  missingRequired: { local: string[]; remote: string[] };
};

/** The confidence from which a suggested pair goes into a rule's default mapping. */
export const DEFAULT_MAPPING_CONFIDENCE = 0.6;

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Provider field names (normalized) that commonly mean a local field, per local object. */
const BUILT_IN: Record<LocalObject, Record<string, string>> = {
  tasks: {
    name: 'title', summary: 'title', subject: 'title',
    dueon: 'dueDate', duedate: 'dueDate', due: 'dueDate', dueat: 'dueDate', deadline: 'dueDate',
    notes: 'description', body: 'description', content: 'description', details: 'description', htmlnotes: 'description',
    tags: 'labels', categories: 'labels', label: 'labels',
    assignee: 'assigneeEmail', assigneeemail: 'assigneeEmail', owner: 'assigneeEmail', owneremail: 'assigneeEmail',
    state: 'status', completed: 'status', done: 'status',
    estimate: 'scheduledMinutes', estimateminutes: 'scheduledMinutes', durationminutes: 'scheduledMinutes', minutes: 'scheduledMinutes',
  },
  contacts: {
    fullname: 'name', displayname: 'name',
    phonenumber: 'phone', mobile: 'phone', mobilephone: 'phone', telephone: 'phone', tel: 'phone',
    jobtitle: 'title', position: 'title', role: 'title',
    companyname: 'company', organization: 'company', organisation: 'company', org: 'company', employer: 'company',
    emailaddress: 'email', mail: 'email',
  },
  calendar_events: {
    summary: 'title', name: 'title', subject: 'title',
    notes: 'description', body: 'description',
    start: 'startAt', starttime: 'startAt', startdatetime: 'startAt', startsat: 'startAt',
    end: 'endAt', endtime: 'endAt', enddatetime: 'endAt', endsat: 'endAt',
    isallday: 'allDay', tz: 'timeZone', timezone: 'timeZone', place: 'location', where: 'location',
    guests: 'attendees', participants: 'attendees', invitees: 'attendees',
  },
};
const FIRST_NAMES = ['firstname', 'givenname', 'first'];
const LAST_NAMES = ['lastname', 'familyname', 'surname', 'last'];
/** Types only one field of each side usually has: a lone pair of them is a weak suggestion. */
const DISTINCT_TYPES: FieldType[] = ['email', 'phone', 'email_list', 'timezone'];

const STRINGY: FieldType[] = ['string', 'text', 'rich_text', 'email', 'phone', 'timezone', 'enum'];
function compatible(local: FieldType, remote: FieldType): boolean {
  if (local === remote) return true;
  if (local === 'date' || local === 'datetime') return remote === 'date' || remote === 'datetime' || remote === 'string';
  if (local === 'string_list' || local === 'email_list') return remote === 'string_list' || remote === 'email_list' || remote === 'string' || remote === 'text';
  if (local === 'number') return remote === 'number' || remote === 'string';
  if (local === 'boolean') return remote === 'boolean';
  if (local === 'enum') return STRINGY.includes(remote) || remote === 'boolean';
  return STRINGY.includes(local) && STRINGY.includes(remote);
}

type Candidate = { local: string; remote: RemoteField; confidence: number; reason: string };

function entryFor(localObject: LocalObject, c: Candidate): SuggestedPair {
  const localType = LOCAL_FIELD_TYPES[localObject][c.local]!;
  const r = c.remote;
  const pair: SuggestedPair = { local: c.local, remote: r.name, direction: r.readOnly ? 'in' : 'both', confidence: c.confidence, reason: c.reason };
  if (r.type === 'rich_text' && localType !== 'rich_text') pair.transform = 'rich_text';
  else if (localType === 'date' && r.type === 'datetime') pair.transform = 'datetime_to_date';
  else if ((localType === 'string_list' || localType === 'email_list') && (r.type === 'string' || r.type === 'text')) pair.transform = 'split_list';
  else if (localType === 'enum') {
    const localValues = LOCAL_ENUM_VALUES[`${localObject}.${c.local}`] ?? [];
    const remoteValues = r.type === 'boolean' ? ['false', 'true'] : (r.values ?? []);
    if (remoteValues.length) {
      pair.transform = 'enum_map';
      pair.values = r.type === 'boolean' ? { open: 'false', done: 'true' } : guessEnumValues(localValues, remoteValues);
    }
  }
  return pair;
}

/** The suggested mapping of an adapter's fields onto a local object. */
export function suggestMapping(localObject: LocalObject, adapter: ObjectAdapter): MappingSuggestion {
  const localFields: readonly string[] = LOCAL_FIELDS[localObject];
  const localTypes = LOCAL_FIELD_TYPES[localObject];
  const candidates: Candidate[] = [];
  const adapterAliases = new Map(Object.entries(adapter.aliases).map(([k, v]) => [k, v]));
  for (const r of adapter.fields) {
    const n = norm(r.name);
    for (const l of localFields) {
      const localType = localTypes[l]!;
      let confidence = 0;
      let reason = '';
      if (adapterAliases.get(r.name) === l) [confidence, reason] = [0.95, `the provider's adapter maps '${r.name}' to ${l}`];
      else if (n === norm(l)) [confidence, reason] = [0.9, `same name ('${r.name}')`];
      else if (BUILT_IN[localObject][n] === l) [confidence, reason] = [0.8, `'${r.name}' is a common name for ${l}`];
      else if (DISTINCT_TYPES.includes(localType) && localType === r.type) {
        const alone = adapter.fields.filter((f) => f.type === r.type).length === 1 && Object.values(localTypes).filter((t) => t === localType).length === 1;
        if (alone) [confidence, reason] = [0.5, `the only ${r.type} field on both sides`];
      }
      if (!confidence) continue;
      if (!compatible(localType, r.type)) [confidence, reason] = [Math.max(0.1, confidence - 0.4), `${reason}, but it holds ${r.type} and ${l} is ${localType}`];
      candidates.push({ local: l, remote: r, confidence, reason });
    }
  }

  const pairs: SuggestedPair[] = [];
  const usedLocal = new Set<string>();
  const usedRemote = new Set<string>();
  // First + last name → the one full-name field, unless a field already is the full name.
  if (localObject === 'contacts' && !candidates.some((c) => c.local === 'name' && c.confidence >= 0.8)) {
    const first = adapter.fields.find((f) => FIRST_NAMES.includes(norm(f.name)));
    const last = adapter.fields.find((f) => LAST_NAMES.includes(norm(f.name)));
    if (first && last) {
      pairs.push({ local: 'name', remote: [first.name, last.name], direction: first.readOnly || last.readOnly ? 'in' : 'both', transform: 'name_parts', confidence: 0.85, reason: `'${first.name}' and '${last.name}' combine into the full name` });
      usedLocal.add('name');
      usedRemote.add(first.name).add(last.name);
    }
  }
  for (const c of candidates.sort((a, b) => b.confidence - a.confidence)) {
    if (usedLocal.has(c.local) || usedRemote.has(c.remote.name)) continue;
    pairs.push(entryFor(localObject, c));
    usedLocal.add(c.local);
    usedRemote.add(c.remote.name);
  }
  // HourStack's title syntax carries the scheduled minutes when no field of their own does.
  const title = pairs.find((p) => p.local === 'title');
  if (localObject === 'tasks' && title && !usedLocal.has('scheduledMinutes') && !title.transform) {
    title.transform = 'title_minutes';
    title.reason += '; a `[1h30m]` in the title carries the scheduled minutes';
    usedLocal.add('scheduledMinutes');
  }
  pairs.sort((a, b) => localFields.indexOf(a.local) - localFields.indexOf(b.local));

  const inbound = new Set(pairs.filter((p) => p.direction !== 'out').map((p) => p.local));
  const outbound = new Set(pairs.filter((p) => p.direction !== 'in').flatMap((p) => (Array.isArray(p.remote) ? p.remote : [p.remote])));
  return {
    pairs,
    unmapped: { local: localFields.filter((l) => !usedLocal.has(l)), remote: adapter.fields.filter((f) => !usedRemote.has(f.name)).map((f) => f.name) },
    missingRequired: {
      local: REQUIRED_LOCAL_FIELDS[localObject].filter((l) => !inbound.has(l)),
      remote: adapter.fields.filter((f) => f.required && !f.readOnly && !outbound.has(f.name)).map((f) => f.name),
    },
  };
}

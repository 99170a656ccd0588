/**
 * Field mapping: how a rule's entries turn a provider record's raw fields into local values
 * (`mapIn`) and local values back into the provider's fields (`mapOut`), with the transforms
 * where the two sides hold a value differently; what a mapping must satisfy (`checkMapping`); and
 * the suggested mapping for a new rule (`suggestMapping`, in suggest.ts). Pure functions: the
 * engine calls them per record, the rules service when a rule is saved.
 *
 * Local values are the API's representation, exactly as taskView / contactView /
 * calendarEventView produce them (days `YYYY-MM-DD`, date-times `toISOString()` in UTC, lists as
 * string arrays, null for empty). A remote field absent from a record (not merely null) sets
 * nothing: only the fields a record carries are mapped.
 */
import { listProviders } from '../providers/registry.ts';
import { LOCAL_ENUM_VALUES, LOCAL_FIELD_TYPES } from './local-fields.ts';
import {
  canonicalBracket,
  dayToDateTime,
  formatTitleMinutes,
  guessLocalEnum,
  htmlToText,
  joinList,
  joinName,
  parseTitleMinutes,
  splitList,
  splitName,
  textToHtml,
  toDay,
  toUtcIso,
  type TitleBracket,
} from './transforms.ts';
import { LOCAL_FIELDS, REQUIRED_LOCAL_FIELDS, type FieldType, type LocalObject, type MappingEntry, type ObjectAdapter, type RemoteField, type SyncDirection } from './types.ts';

export { suggestMapping, type MappingSuggestion, type SuggestedPair } from './suggest.ts';
export { canonicalBracket };

export { LOCAL_ENUM_VALUES, LOCAL_FIELD_TYPES };

export type MapInResult = { values: Record<string, unknown>; meta: Record<string, unknown>; mismatches: string[] };
export type MappingIssue = { path: string; message: string };
export type MapOptions = { providerName?: string };

const remotesOf = (e: MappingEntry): string[] => (Array.isArray(e.remote) ? e.remote : [e.remote]);
const flowsIn = (d: SyncDirection) => d === 'in' || d === 'both';
const flowsOut = (d: SyncDirection) => d === 'out' || d === 'both';
const isList = (t: FieldType | undefined) => t === 'string_list' || t === 'email_list';

/** "Sandbox tasks": the provider's name (looked up by adapter when not given) and its object. */
function objectLabel(adapter: ObjectAdapter, opts: MapOptions): string {
  const name = opts.providerName ?? listProviders().find((p) => p.adapters.includes(adapter))?.definition.displayName;
  return name ? `${name} ${adapter.remoteObject}` : `The provider's ${adapter.remoteObject}`;
}

/** A raw value normalized to the API's representation of a local field of this type. */
export function normalizeLocal(type: FieldType | undefined, v: unknown, required = false): unknown {
  if (isList(type)) return splitList(v).list;
  if (v === undefined || v === null) return null;
  switch (type) {
    case 'date':
      return toDay(v);
    case 'datetime':
      return toUtcIso(v);
    case 'number': {
      const n = typeof v === 'number' ? v : Number(String(v).trim());
      return String(v).trim() !== '' && Number.isFinite(n) ? Math.round(n) : null;
    }
    case 'boolean':
      return v === true || v === 'true' || v === 1 || v === '1' ? true : v === false || v === 'false' || v === 0 || v === '0' ? false : null;
    default: {
      const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
      return s.trim() === '' && !required ? null : type === 'email' || type === 'phone' ? s.trim() : s;
    }
  }
}

/** A local value in the form a provider field of this type takes. */
function toRemote(type: FieldType | undefined, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (isList(type)) return Array.isArray(v) ? v : splitList(v).list;
  if (Array.isArray(v)) return joinList(v, ', ');
  if (type === 'date') return toDay(v);
  if (type === 'datetime') return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00.000Z` : toUtcIso(v);
  return v;
}

/**
 * The local values of a remote record for the entries that flow in (`in` / `both`). `meta` keeps
 * what `mapOut` needs to write the provider's own form back (the title bracket as written, the
 * name parts, a list separator, a date-time's time of day). `mismatches` names each mapped
 * remote field the record lacks and the adapter no longer declares (renamed or dropped at the
 * provider), and each enum value the mapping does not know.
 */
export function mapIn(
  localObject: LocalObject,
  adapter: ObjectAdapter,
  mapping: readonly MappingEntry[],
  remoteFields: Record<string, unknown>,
  meta: Record<string, unknown> | null,
  opts: MapOptions = {},
): MapInResult {
  const values: Record<string, unknown> = {};
  const nextMeta: Record<string, unknown> = { ...meta };
  const mismatches: string[] = [];
  const types = LOCAL_FIELD_TYPES[localObject];
  const declared = new Set(adapter.fields.map((f) => f.name));
  const required = new Set(REQUIRED_LOCAL_FIELDS[localObject]);
  for (const e of mapping) {
    if (!flowsIn(e.direction)) continue;
    const names = remotesOf(e);
    const present = names.filter((n) => Object.hasOwn(remoteFields, n));
    for (const n of names) {
      if (!Object.hasOwn(remoteFields, n) && !declared.has(n)) {
        mismatches.push(`field mapping mismatch: ${objectLabel(adapter, opts)} no longer have '${n}' (mapped to ${e.local}); edit the rule's mapping`);
      }
    }
    if (!present.length) continue;
    const raw = remoteFields[names[0]!];
    switch (e.transform) {
      case 'title_minutes': {
        const parsed = parseTitleMinutes(typeof raw === 'string' ? raw : raw == null ? '' : String(raw));
        values[e.local] = parsed.title;
        values.scheduledMinutes = parsed.minutes;
        nextMeta[`${e.local}.bracket`] = parsed.bracket;
        break;
      }
      case 'name_parts': {
        const parts = names.map((n) => (Object.hasOwn(remoteFields, n) ? remoteFields[n] : null));
        values[e.local] = joinName(parts);
        nextMeta[`${e.local}.parts`] = parts.map((p) => (p == null || p === '' ? null : String(p)));
        break;
      }
      case 'rich_text':
        values[e.local] = raw == null ? null : htmlToText(String(raw));
        break;
      case 'datetime_to_date':
        values[e.local] = toDay(raw);
        nextMeta[`${e.local}.remote`] = raw ?? null;
        break;
      case 'split_list': {
        const { list, separator } = splitList(raw);
        values[e.local] = list;
        if (separator) nextMeta[`${e.local}.separator`] = separator;
        break;
      }
      case 'enum_map': {
        const local = enumIn(localObject, e, raw);
        values[e.local] = local.value;
        // A value the provider declares (e.g. `in_progress` among todo | in_progress | done) but the
        // mapping does not list is read by its meaning, silently; only an undeclared one is news.
        const declaredValues = adapter.fields.find((f) => f.name === names[0])?.values ?? [];
        if (local.unknown && !declaredValues.includes(String(raw))) {
          mismatches.push(`field mapping mismatch: ${objectLabel(adapter, opts)} sent ${names[0]} '${String(raw)}', which the mapping of ${e.local} does not list; used '${String(local.value)}'. Add it to the entry's values`);
        }
        break;
      }
      default: {
        const type = types[e.local];
        values[e.local] = type === 'enum' ? enumIn(localObject, e, raw).value : normalizeLocal(type, raw, required.has(e.local));
      }
    }
  }
  return { values, meta: nextMeta, mismatches };
}

function enumIn(localObject: LocalObject, e: MappingEntry, raw: unknown): { value: unknown; unknown: boolean } {
  const localValues = LOCAL_ENUM_VALUES[`${localObject}.${e.local}`] ?? [];
  if (raw === null || raw === undefined || raw === '') return { value: localValues[0] ?? null, unknown: false };
  const s = String(raw);
  const mapped = Object.entries(e.values ?? {}).find(([, r]) => r === s) ?? Object.entries(e.values ?? {}).find(([, r]) => r.toLowerCase() === s.toLowerCase());
  if (mapped) return { value: mapped[0], unknown: false };
  if (localValues.includes(s)) return { value: s, unknown: false };
  return { value: guessLocalEnum(s, localValues) ?? localValues[0] ?? null, unknown: e.transform === 'enum_map' };
}

/**
 * The provider's raw fields for the entries that flow out (`out` / `both`), transforms reversed;
 * read-only remote fields are never written. `base` holds the local values at the last sync: the
 * title bracket keeps the provider's own form (`[75m]`) while scheduled minutes are unchanged
 * from it, and split names keep their original parts while the name is unchanged.
 */
export function mapOut(
  localObject: LocalObject,
  adapter: ObjectAdapter,
  mapping: readonly MappingEntry[],
  local: Record<string, unknown>,
  meta: Record<string, unknown> | null,
  base: Record<string, unknown> | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = new Map(adapter.fields.map((f) => [f.name, f]));
  const m = meta ?? {};
  for (const e of mapping) {
    if (!flowsOut(e.direction)) continue;
    const names = remotesOf(e);
    if (names.some((n) => fields.get(n)?.readOnly)) continue;
    if (!Object.hasOwn(local, e.local) && !(e.transform === 'title_minutes' && Object.hasOwn(local, 'scheduledMinutes'))) continue;
    const v = local[e.local] ?? null;
    const remote = fields.get(names[0]!);
    switch (e.transform) {
      case 'title_minutes': {
        const minutes = Object.hasOwn(local, 'scheduledMinutes') ? ((local.scheduledMinutes as number | null) ?? null) : ((base?.scheduledMinutes as number | null | undefined) ?? null);
        const title = Object.hasOwn(local, e.local) ? String(v ?? '') : String(base?.[e.local] ?? '');
        const baseMinutes = base ? ((base.scheduledMinutes as number | null | undefined) ?? null) : undefined;
        out[names[0]!] = formatTitleMinutes(title, minutes, (m[`${e.local}.bracket`] as TitleBracket | null | undefined) ?? null, baseMinutes);
        break;
      }
      case 'name_parts': {
        const kept = m[`${e.local}.parts`] as Array<string | null> | undefined;
        const parts = kept && kept.length === names.length && joinName(kept) === (v === null ? null : String(v).trim()) ? kept : splitName(v === null ? null : String(v), names.length);
        names.forEach((n, i) => (out[n] = parts[i] ?? null));
        break;
      }
      case 'rich_text':
        out[names[0]!] = textToHtml(v === null ? null : String(v));
        break;
      case 'datetime_to_date':
        out[names[0]!] = dayToDateTime(toDay(v), m[`${e.local}.remote`]);
        break;
      case 'split_list':
        out[names[0]!] = joinList(v, m[`${e.local}.separator`] as string | undefined);
        break;
      case 'enum_map': {
        const s = v === null ? null : (e.values?.[String(v)] ?? String(v));
        out[names[0]!] = remote?.type === 'boolean' && s !== null ? s === 'true' : s;
        break;
      }
      default:
        out[names[0]!] = toRemote(remote?.type, v);
    }
  }
  return out;
}

/** Which transforms a local field may take, and whether it needs several remote fields. */
function transformIssue(localObject: LocalObject, e: MappingEntry, localType: FieldType | undefined, remote: RemoteField[]): string | null {
  const many = Array.isArray(e.remote);
  if (e.transform === 'name_parts') return many ? null : 'name_parts needs the provider fields as an array, e.g. ["firstname", "lastname"]';
  if (many) return 'several provider fields need the name_parts transform';
  if (e.values && e.transform !== 'enum_map') return 'values only go with the enum_map transform';
  switch (e.transform) {
    case 'title_minutes':
      return localObject === 'tasks' && e.local === 'title' ? null : 'title_minutes only maps a task title (it also sets scheduledMinutes)';
    case 'datetime_to_date':
      return localType === 'date' ? null : `datetime_to_date needs a local day field, and ${e.local} is not one`;
    case 'split_list':
      return isList(localType) ? null : `split_list needs a local list field, and ${e.local} is not one`;
    case 'enum_map': {
      if (localType !== 'enum') return `enum_map needs a local enum field, and ${e.local} is not one`;
      const localValues = LOCAL_ENUM_VALUES[`${localObject}.${e.local}`] ?? [];
      const bad = Object.keys(e.values ?? {}).filter((k) => !localValues.includes(k));
      if (bad.length) return `values keys must be ${e.local} values (${localValues.join(', ')}); not ${bad.join(', ')}`;
      const allowed = remote[0]?.values;
      const badRemote = allowed ? Object.values(e.values ?? {}).filter((v) => !allowed.includes(v)) : [];
      return badRemote.length ? `values must be ${remote[0]!.name} values (${allowed!.join(', ')}); not ${badRemote.join(', ')}` : null;
    }
    default:
      return null;
  }
}

/**
 * What is wrong with a mapping for this adapter and rule direction, as `{ path, message }` issues
 * (paths relative to the request body: `mapping.2.remote`). Empty when it is usable.
 */
export function checkMapping(localObject: LocalObject, adapter: ObjectAdapter, mapping: readonly MappingEntry[], ruleDirection: SyncDirection): MappingIssue[] {
  const issues: MappingIssue[] = [];
  const localFields: readonly string[] = LOCAL_FIELDS[localObject];
  const fields = new Map(adapter.fields.map((f) => [f.name, f]));
  const seen = new Map<string, number>();
  mapping.forEach((e, i) => {
    const at = `mapping.${i}`;
    if (!localFields.includes(e.local)) issues.push({ path: `${at}.local`, message: `'${e.local}' is not a field of ${localObject}; use one of ${localFields.join(', ')}` });
    const names = remotesOf(e);
    names.forEach((n, j) => {
      if (!fields.has(n)) {
        issues.push({ path: Array.isArray(e.remote) ? `${at}.remote.${j}` : `${at}.remote`, message: `'${n}' is not a field of ${adapter.remoteObject} at this provider; use one of ${[...fields.keys()].join(', ')}` });
      }
    });
    const problem = transformIssue(localObject, e, LOCAL_FIELD_TYPES[localObject][e.local], names.flatMap((n) => fields.get(n) ?? []));
    if (problem) issues.push({ path: `${at}.transform`, message: problem });
    if ((ruleDirection === 'in' && e.direction === 'out') || (ruleDirection === 'out' && e.direction === 'in')) {
      issues.push({ path: `${at}.direction`, message: `'${e.direction}' cannot flow on a rule whose direction is '${ruleDirection}'; use '${ruleDirection}' or 'both'` });
    }
    if (e.direction === 'out' && names.some((n) => fields.get(n)?.readOnly)) {
      issues.push({ path: `${at}.direction`, message: `${names.filter((n) => fields.get(n)?.readOnly).join(', ')} is read-only at the provider; map it 'in' only` });
    }
    const written = e.transform === 'title_minutes' ? [e.local, 'scheduledMinutes'] : [e.local];
    for (const w of written) {
      const first = seen.get(w);
      if (first !== undefined) issues.push({ path: `${at}.local`, message: `${w} is already mapped by entry ${first}; map each local field once` });
      else seen.set(w, i);
    }
  });
  if (ruleDirection !== 'out') {
    const inbound = new Set(mapping.filter((e) => flowsIn(e.direction)).map((e) => e.local));
    const missing = REQUIRED_LOCAL_FIELDS[localObject].filter((f) => !inbound.has(f));
    if (missing.length) {
      issues.push({ path: 'mapping', message: `${localObject} cannot be created without ${missing.join(', ')}: map ${missing.length > 1 ? 'them' : 'it'} with direction 'in' or 'both'` });
    }
  }
  return issues;
}

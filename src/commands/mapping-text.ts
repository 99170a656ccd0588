/**
 * A rule's field mapping as text people can read and edit in one multiline input (every chat
 * platform has one), one entry per line, the local field on the left:
 *
 *   title = name (title_minutes)          both ways, with a transform
 *   name = first_name + last_name (name_parts)
 *   createdAt <- created_at               into Patchbay only (`->`: out of Patchbay only)
 *   status = status (enum_map: open=todo, in_progress=in_progress, done=done)
 *
 * Blank lines and lines starting with `#` are skipped. Parsing only checks the shape; the rules
 * service checks the fields against the adapter (and its line numbers come back through `lineOf`).
 */
import { TRANSFORMS, type MappingEntry, type SyncDirection, type TransformName } from '../sync/types.ts';

const OP: Record<SyncDirection, string> = { both: '=', in: '<-', out: '->' };
const DIRECTION_OF: Record<string, SyncDirection> = { '=': 'both', '<-': 'in', '->': 'out' };

/** One entry as a line. */
export function entryLine(e: MappingEntry): string {
  const remote = Array.isArray(e.remote) ? e.remote.join(' + ') : e.remote;
  const values = e.values && Object.keys(e.values).length ? `: ${Object.entries(e.values).map(([l, r]) => `${l}=${r}`).join(', ')}` : '';
  return `${e.local} ${OP[e.direction]} ${remote}${e.transform ? ` (${e.transform}${values})` : ''}`;
}

/** The whole mapping as the text of the form's input. */
export const mappingText = (mapping: readonly MappingEntry[]) => mapping.map(entryLine).join('\n');

export type ParsedMapping = {
  entries: MappingEntry[];
  /** The 1-based line of each entry, to point the service's `mapping.<i>` issues at the line typed. */
  lineOf: number[];
  /** `line 3: …` for each line whose shape is wrong. */
  errors: string[];
};

const NAME = /^[^\s+()=<>,]+$/;

export function parseMappingText(text: string): ParsedMapping {
  const out: ParsedMapping = { entries: [], lineOf: [], errors: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const problem = (m: string) => out.errors.push(`line ${i + 1} (${line}): ${m}`);
    const m = /^([A-Za-z][A-Za-z0-9_]*)\s*(<-|->|=)\s*(.*)$/.exec(line);
    if (!m) return void problem('write it as `localField = remoteField` (or `<-` into Patchbay only, `->` out only)');
    const [, local, op, rest] = m as unknown as [string, string, string, string];
    let remotePart = rest.trim();
    let transform: TransformName | undefined;
    let values: Record<string, string> | undefined;
    const t = /\(([^()]*)\)\s*$/.exec(remotePart);
    if (t) {
      remotePart = remotePart.slice(0, t.index).trim();
      const [name = '', ...valueParts] = t[1]!.split(/[:\s]\s*/);
      if (!(TRANSFORMS as readonly string[]).includes(name)) return void problem(`'${name}' is not a transform; use one of ${TRANSFORMS.join(', ')}`);
      transform = name as TransformName;
      const list = valueParts.join(' ').trim();
      if (list) {
        values = {};
        for (const pair of list.split(',').map((p) => p.trim()).filter(Boolean)) {
          const [l, r, extra] = pair.split('=').map((s) => s.trim());
          if (!l || !r || extra !== undefined) return void problem(`'${pair}' should be localValue=remoteValue`);
          values[l] = r;
        }
      }
    }
    const remotes = remotePart.split('+').map((s) => s.trim());
    if (!remotePart || remotes.some((r) => !NAME.test(r))) return void problem('name the provider field after the operator (several joined with +, for name_parts)');
    if (remotes.length > 3) return void problem('at most 3 provider fields combine into one');
    out.entries.push({
      local,
      remote: remotes.length === 1 ? remotes[0]! : remotes,
      direction: DIRECTION_OF[op]!,
      ...(transform ? { transform } : {}),
      ...(values ? { values } : {}),
    });
    out.lineOf.push(i + 1);
  });
  if (!out.entries.length && !out.errors.length) out.errors.push('map at least one field, one `localField = remoteField` per line');
  return out;
}

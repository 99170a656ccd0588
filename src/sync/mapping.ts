/** Field mapping (placeholder: direct copies; the full version with transforms replaces this). */
import type { LocalObject, MappingEntry, ObjectAdapter } from './types.ts';

export function mapIn(_o: LocalObject, adapter: ObjectAdapter, mapping: MappingEntry[], remote: Record<string, unknown>, _meta: Record<string, unknown> | null) {
  const values: Record<string, unknown> = {};
  const mismatches: string[] = [];
  for (const e of mapping) {
    if (e.direction === 'out' || typeof e.remote !== 'string') continue;
    if (!(e.remote in remote) && !adapter.fields.some((f) => f.name === e.remote)) mismatches.push(`field mapping mismatch: '${e.remote}' is gone`);
    values[e.local] = remote[e.remote] ?? null;
  }
  return { values, meta: {} as Record<string, unknown>, mismatches };
}

export function mapOut(_o: LocalObject, _adapter: ObjectAdapter, mapping: MappingEntry[], local: Record<string, unknown>, _meta: Record<string, unknown> | null, _base: Record<string, unknown> | null) {
  const out: Record<string, unknown> = {};
  for (const e of mapping) {
    if (e.direction === 'in' || typeof e.remote !== 'string') continue;
    out[e.remote] = local[e.local] ?? null;
  }
  return out;
}

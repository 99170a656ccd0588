/**
 * Three-way, field by field, against the last synced values: a field changed on one side takes
 * that side's value; changed on both sides (to different values) the later write wins; writes
 * within the grace window of each other are reported as a conflict (the winner still applies).
 */
export type FieldDecision = {
  /** Fields to write here with the remote's value. */
  applyRemote: Record<string, unknown>;
  /** Fields changed here that the remote does not have yet (pushed later). */
  keptLocal: string[];
  conflicts: Array<{ field: string; localValue: unknown; remoteValue: unknown; winner: 'local' | 'remote' }>;
  /** Both sides changed, in different fields (or the same field to the same value): merged. */
  merged: boolean;
};

export const same = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function decideFields(opts: {
  /** Fields that flow inbound (direction in or both). */
  inbound: readonly string[];
  /** Fields that also flow outbound: local changes to them count (both). */
  twoWay: ReadonlySet<string>;
  base: Record<string, unknown>;
  local: Record<string, unknown>;
  remote: Record<string, unknown>;
  localAt: Date;
  remoteAt: Date;
  graceMs: number;
}): FieldDecision {
  const out: FieldDecision = { applyRemote: {}, keptLocal: [], conflicts: [], merged: false };
  let remoteChanged = false;
  let localChanged = false;
  for (const f of opts.inbound) {
    const r = !same(opts.remote[f], opts.base[f]);
    const l = opts.twoWay.has(f) && !same(opts.local[f], opts.base[f]);
    if (r) remoteChanged = true;
    if (l) localChanged = true;
    if (r && !l) out.applyRemote[f] = opts.remote[f];
    else if (l && !r) out.keptLocal.push(f);
    else if (r && l && !same(opts.remote[f], opts.local[f])) {
      const winner = opts.remoteAt.getTime() >= opts.localAt.getTime() ? 'remote' : 'local';
      if (winner === 'remote') out.applyRemote[f] = opts.remote[f];
      else out.keptLocal.push(f);
      if (Math.abs(opts.remoteAt.getTime() - opts.localAt.getTime()) <= opts.graceMs) {
        out.conflicts.push({ field: f, localValue: opts.local[f], remoteValue: opts.remote[f], winner });
      }
    }
  }
  // Local-only changes to outbound fields that are not inbound also make this a merge.
  for (const f of opts.twoWay) if (!opts.inbound.includes(f) && !same(opts.local[f], opts.base[f])) localChanged = true;
  out.merged = remoteChanged && localChanged;
  return out;
}

import { bold, commandButton, inChannel, plain } from '../../commands/view.ts';
import { runSubject } from '../../sync/runs.ts';
import { defineRenderer } from './types.ts';

/** Values as one short line each; they are outside text, shown literally. */
function shown(v: unknown): string {
  const s = v === null || v === undefined ? '(empty)' : typeof v === 'string' ? v : JSON.stringify(v);
  return plain(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

/**
 * A sync run wrote the same field on both sides within the grace window: one message per run
 * (its conflicts batched), each with the record, the field, both values and which one won.
 */
const syncConflicts = defineRenderer({
  name: 'sync_conflicts',
  types: ['sync_completed'],
  match: (event) => (event.data.conflicts.length ? { notifies: 'conflicts', connectionId: event.snapshot.connectionId } : null),
  render({ event }) {
    const run = event.snapshot;
    const subject = runSubject({ providerSlug: run.provider, localObject: run.object });
    const total = run.counts.conflicts;
    const head = `⚠️ ${total} sync conflict${total === 1 ? '' : 's'} in ${bold(subject)} — the later write won:`;
    const lines = event.data.conflicts.map(
      (c) => `• ${c.object.replace('_', ' ').replace(/s$/, '')} ${plain(c.localId)} (remote ${plain(c.remoteId)}), ${plain(c.field)}: here ${shown(c.localValue)} · remote ${shown(c.remoteValue)} → ${c.winner === 'local' ? 'kept the value here' : 'took the remote value'}`,
    );
    const more = total > lines.length ? `\n…and ${total - lines.length} more (see the run in the log).` : '';
    const text = `${head}\n${lines.join('\n')}${more}`;
    return inChannel(text, [
      { type: 'section', text },
      { type: 'actions', buttons: [commandButton('Log', 'log', [run.connectionId])] },
    ]);
  },
});

export default syncConflicts;

import { bold, commandButton, inChannel, plain } from '../../commands/view.ts';
import { getProvider, hasProvider } from '../../providers/registry.ts';
import { runSubject } from '../../sync/runs.ts';
import { defineRenderer } from './types.ts';

/** Values as one short line each; they are outside text, shown literally. */
function shown(v: unknown): string {
  const s = v === null || v === undefined ? '(empty)' : typeof v === 'string' ? v : JSON.stringify(v);
  return plain(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

const OBJECT_NOUN: Record<string, string> = { tasks: 'Task', contacts: 'Contact', calendar_events: 'Event' };

/**
 * A sync run found the same field changed on both sides within the grace window: one message per
 * run (its conflicts batched), each naming the record, the field, both values and which one won
 * (the later change; the value it left everywhere), with a Log button.
 */
const syncConflicts = defineRenderer({
  name: 'sync_conflicts',
  types: ['sync_completed'],
  match: (event) => (event.data.conflicts.length ? { notifies: 'conflicts', connectionId: event.snapshot.connectionId } : null),
  render({ event }) {
    const run = event.snapshot;
    const subject = runSubject({ providerSlug: run.provider, localObject: run.object });
    const provider = hasProvider(run.provider) ? getProvider(run.provider).definition.displayName : run.provider;
    const total = run.counts.conflicts;
    const head = `⚠️ ${total} sync conflict${total === 1 ? '' : 's'} in ${bold(subject)}: the same field changed here and in ${provider} at about the same time. The later change won:`;
    const lines = event.data.conflicts.map((c) => {
      // Record names and values come from people and the provider: shown literally. The field is
      // Patchbay's own field name.
      const record = `${OBJECT_NOUN[c.object] ?? 'Record'} ${c.name ? shown(c.name) : plain(c.localId)} (${provider} id ${plain(c.remoteId)})`;
      const won = c.winner === 'local' ? `Patchbay’s value won (${shown(c.localValue)})` : `${provider}’s value won (${shown(c.remoteValue)})`;
      return `• ${record}, field ${bold(c.field)}: Patchbay had ${shown(c.localValue)}, ${provider} had ${shown(c.remoteValue)} → ${won}`;
    });
    const more = total > lines.length ? `\n…and ${total - lines.length} more: see the run in the log.` : '';
    const text = `${head}\n${lines.join('\n')}${more}`;
    return inChannel(text, [
      { type: 'section', text },
      { type: 'actions', buttons: [commandButton('Log', 'log', [run.connectionId])] },
    ]);
  },
});

export default syncConflicts;

/**
 * Reports a run's progress to the chat message that started it ("Syncing Sandbox tasks… 3,200
 * pulled, 12 pushed"), edited in place. Called by the engine after every job of a run and once at
 * its end; a run without a reporter (scheduled, API) reports nothing.
 */
import type { ISyncRun } from '../entities/sync-run.ts';
import type { Runtime } from '../runtime.ts';

export async function reportRunProgress(_rt: Runtime, _run: ISyncRun): Promise<void> {
  // Filled in by the chat `sync` command (issue 11): edits the run's chat message.
}

/** The sync engine's job entry point (being written). */
import type { TaskContext } from '../jobs/define-task.ts';
import type { Runtime } from '../runtime.ts';

export async function runSyncJob(_rt: Runtime, _payload: { ruleId: string; runId?: string | undefined }, _ctx: TaskContext): Promise<void> {
  throw new Error('sync engine: not written yet');
}

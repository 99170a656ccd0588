/** Every job type, in one place. A task is one file in ./tasks named by its identifier. */
import dispatchEvents from './tasks/dispatch-events.ts';
import resumeConnection from './tasks/resume-connection.ts';
import retention from './tasks/retention.ts';
import type { TaskDefinition } from './define-task.ts';

export const tasks = {
  dispatch_events: dispatchEvents,
  resume_connection: resumeConnection,
  retention,
} satisfies Record<string, TaskDefinition<any>>;

export type TaskName = keyof typeof tasks;

/** Recurring jobs (graphile-worker crontab syntax; minute granularity). */
export const crontab = `
# prune old logs and records daily at 03:17 UTC
17 3 * * * retention ?max=1&jobKey=retention
`;

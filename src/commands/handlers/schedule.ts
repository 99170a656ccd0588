/**
 * `schedule <connection> <item id or URL> [at <time>]`: HourStack's "schedule this item" from chat,
 * through the same service as POST /api/v1/tasks/from-source — the item's open linked task (or a
 * new one made from the item) gets a time entry of the task's scheduled minutes, else 30.
 *
 * Times are UTC (the chat user's time zone is not known): `at 14:30` (today), `at tomorrow 9:00`,
 * `at today 9:00`, or an ISO date-time (`2026-12-01T09:00:00+01:00`; without an offset, UTC).
 */
import { AppError } from '../../errors.ts';
import { scheduleFromSource } from '../../work/task-sources.ts';
import { resolveConnection } from '../resolve.ts';
import type { Command } from '../types.ts';
import { bold, code, ephemeral, inChannel, mention, plain } from '../view.ts';
import { CONNECTION } from '../grammar.ts';

const USAGE = 'schedule <connection> <item id or URL> [at <time>]';
const TIME_HELP = 'a time as HH:MM (UTC, today), `tomorrow HH:MM`, or an ISO date-time such as 2026-12-01T09:00:00+01:00';

const usageError = (ctx: { cmd(t: string): string }, message: string) =>
  new AppError('validation_failed', `${message} Usage: ${code(ctx.cmd(USAGE))}, e.g. ${code(ctx.cmd('schedule sandbox tsk_3f9a… at 14:30'))}.`);

/** When `at …` says the entry starts, in UTC; null when the words are not a time this command reads. */
export function parseAt(words: string, now = new Date()): Date | null {
  const text = words.trim();
  const clock = /^(?:(today|tomorrow)\s+)?(\d{1,2}):(\d{2})$/i.exec(text);
  if (clock) {
    const [h, m] = [Number(clock[2]), Number(clock[3])];
    if (h > 23 || m > 59) return null;
    const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + (clock[1]?.toLowerCase() === 'tomorrow' ? 1 : 0), h, m));
    return day;
  }
  const iso = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(text);
  if (iso) {
    const at = new Date(iso[1] ? text.replace(' ', 'T') : `${text.replace(' ', 'T')}Z`);
    return Number.isNaN(at.getTime()) ? null : at;
  }
  return null;
}

/** Slack wraps pasted links in angle brackets (`<https://…>`, `<https://…|label>`). */
const unwrapLink = (s: string) => s.replace(/^<([^|>]+)(?:\|[^>]*)?>$/, '$1');

const utc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

const schedule: Command = {
  name: 'schedule',
  usage: USAGE,
  grammar: {
    params: [
      CONNECTION,
      { name: 'item', kind: 'text', required: true, description: 'The item’s id or URL at the provider' },
      { name: 'time', kind: 'text', keyword: 'at', rest: true, description: 'UTC: HH:MM, tomorrow HH:MM, or an ISO date-time' },
    ],
  },
  examples: ['schedule sandbox tsk_3f9a0c1d2e4b5a6c7d8e', 'schedule asana https://app.asana.com/0/1207894561234567/1209876543210987 at 14:30', 'schedule "Asana (ops)" 1209876543210987 at tomorrow 9:00'],
  summary: 'Schedules a provider item as work: its open task here (made from the item the first time) gets a time entry',
  // Tasks and time entries are work data any member may write (as POST /api/v1/tasks).
  permission: 'work_data.write',
  async run(ctx, line) {
    const args = line.args;
    const atIndex = args.findIndex((a, i) => i >= 2 && a.toLowerCase() === 'at');
    const positional = atIndex === -1 ? args : args.slice(0, atIndex);
    if (positional.length !== 2) throw usageError(ctx, positional.length < 2 ? 'Name a connection and the item to schedule.' : `Unexpected ${plain(positional.slice(2).join(' '))}.`);
    let start: Date | undefined;
    if (atIndex !== -1) {
      const words = args.slice(atIndex + 1).join(' ');
      const parsed = words ? parseAt(words) : null;
      if (!parsed) throw usageError(ctx, `${words ? `${plain(words)} is not a time I can read` : 'Say when after `at`'}: give ${TIME_HELP}.`);
      start = parsed;
    }
    const c = await resolveConnection(ctx, positional[0]);
    const item = unwrapLink(positional[1]!);
    const who = mention(ctx.invocation.userId);
    // The provider is read first and may take seconds: acknowledge now, answer when it has.
    const followUp = (async () => {
      const r = await scheduleFromSource(ctx.rt, { workspaceId: ctx.workspace.id, memberId: ctx.member.id }, { connectionId: c.id, remoteId: item, ...(start ? { start: start.toISOString() } : {}) });
      const title = bold(plain(r.task.title));
      const when = `${r.timeEntry.minutes} min from ${utc(r.timeEntry.startAt)}`;
      const text = r.taskCreated
        ? `📅 ${who} scheduled ${title} (${plain(c.displayName)} ${plain(r.source.remoteId)}): a new task, ${when}.`
        : `📅 ${who} scheduled ${title} again (${plain(c.displayName)} ${plain(r.source.remoteId)}): ${when} on its open task.`;
      return inChannel(text, [{ type: 'section', text, fields: [{ label: 'Task', value: r.task.id }, { label: 'Time entry', value: r.timeEntry.id }] }]);
    })();
    return { immediate: ephemeral(`⏳ Reading ${plain(item)} from ${bold(plain(c.displayName))}…`), followUp };
  },
};

export default schedule;

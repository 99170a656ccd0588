/**
 * Patchbay's own transitions, made for a reason rather than by a member: a provider's rate
 * limit pauses a connection and a job resumes it; a dead grant errors it. All go through the
 * lifecycle writer like a member's.
 */
import { scrubText } from '../logger.ts';
import { enqueue } from '../jobs/enqueue.ts';
import { getProvider } from '../providers/registry.ts';
import type { Runtime } from '../runtime.ts';
import type { SystemActor } from './actor.ts';
import { transition } from './lifecycle.ts';
import { viewOf, type ConnectionView } from './view.ts';

/**
 * Pauses a connection because its provider said to wait. A job resumes it at `pausedUntil`. A
 * connection a member paused stays paused by the member; a longer rate-limit pause is kept.
 */
export async function pauseForRateLimit(rt: Runtime, actor: SystemActor, id: string, waitSeconds: number, reason: string, pause?: DefinedPause): Promise<ConnectionView> {
  let until = new Date(Date.now() + Math.max(1, waitSeconds) * 1000);
  const { connection } = await transition(rt, actor, id, 'rate_limit_pause', async (c, tx) => {
    if (c.status === 'paused' && c.pausedBy === 'member') return 'skip';
    if (pause) {
      const seconds = nextDefinedPause(c.metadata.rateLimitPause, pause, Date.now());
      until = new Date(Date.now() + seconds * 1000);
      waitSeconds = seconds;
    }
    if (c.status === 'paused' && c.pausedBy === 'rate_limit' && c.pausedUntil && c.pausedUntil >= until) return 'skip';
    if (pause) c.metadata = { ...c.metadata, rateLimitPause: { seconds: waitSeconds, until: until.toISOString() } };
    c.pausedBy = 'rate_limit';
    c.pausedUntil = until;
    c.statusReason = `Rate limited by ${getProvider(c.providerSlug).definition.displayName}: ${scrubText(reason)}`;
    await enqueue(tx, 'resume_connection', { connectionId: c.id, workspaceId: c.workspace }, { runAt: until, jobKey: `resume_connection:${c.id}` });
    return {
      status: 'paused',
      log: { level: 'warn', kind: 'status', message: `Paused by the provider's rate limit until ${until.toISOString()}.`, data: { waitSeconds } },
      events: [{ type: 'connection_paused', data: { pausedBy: 'rate_limit', pausedUntil: until.toISOString(), reason: c.statusReason } }],
      audit: { details: { pausedBy: 'rate_limit', pausedUntil: until.toISOString() } },
    };
  });
  return viewOf(connection);
}

/** A rate-limit signal's defined pause (`pause` in the definition), carried in the `rate_limited` error's details. */
export type DefinedPause = { seconds: number; maxSeconds: number };

export function definedPauseOf(err: { details?: unknown }): DefinedPause | undefined {
  const d = err.details && typeof err.details === 'object' ? (err.details as { pause?: Partial<DefinedPause> }) : undefined;
  const p = d?.pause;
  return p && typeof p.seconds === 'number' && typeof p.maxSeconds === 'number' ? { seconds: p.seconds, maxSeconds: p.maxSeconds } : undefined;
}

/**
 * The pause for a defined-pause signal: its `seconds`, or double the last one (up to `maxSeconds`)
 * when the limit is hit again during that pause or within its length after it ended — it persists.
 */
export function nextDefinedPause(last: { seconds: number; until: string } | undefined, pause: DefinedPause, now: number): number {
  const lastUntil = last ? Date.parse(last.until) : NaN;
  if (!last || Number.isNaN(lastUntil) || now > lastUntil + last.seconds * 1000) return pause.seconds;
  return Math.min(Math.max(last.seconds, pause.seconds) * 2, pause.maxSeconds);
}

/** The `resume_connection` job: resumes only if still paused by the rate limit and the window has passed. */
export async function resumeAfterRateLimit(rt: Runtime, actor: SystemActor, id: string): Promise<'resumed' | 'skipped'> {
  const { skipped } = await transition(rt, actor, id, 'resume', (c) => {
    if (c.pausedBy !== 'rate_limit') return 'skip';
    if (c.pausedUntil && c.pausedUntil.getTime() > Date.now() + 1000) return 'skip'; // re-paused for longer; its own job will run
    c.pausedBy = null;
    c.pausedUntil = null;
    c.statusReason = null;
    return {
      status: 'connected',
      log: { level: 'info', kind: 'status', message: 'Resumed: the rate-limit window has passed.' },
      events: [{ type: 'connection_resumed', data: { previousPausedBy: 'rate_limit', resumedEarly: false } }],
    };
  });
  return skipped ? 'skipped' : 'resumed';
}

/** Moves a connection to errored (authorization revoked, credentials rejected, …). No-op when already errored. */
export async function markErrored(rt: Runtime, actor: SystemActor, id: string, reason: string): Promise<ConnectionView> {
  const { connection } = await transition(rt, actor, id, 'error', (c) => {
    c.statusReason = scrubText(reason);
    c.pausedBy = null;
    c.pausedUntil = null;
    return {
      status: 'errored',
      log: { level: 'error', kind: 'status', message: `Errored: ${c.statusReason}` },
      events: [{ type: 'connection_errored', data: { reason: c.statusReason } }],
      audit: { details: { reason: c.statusReason } },
    };
  });
  return viewOf(connection);
}

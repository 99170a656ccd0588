/** Connection log lines: what an admin reads in `log <connection>` and GET …/logs. */
import type { EntityManager } from '@mikro-orm/postgresql';
import { correlationId } from '../context.ts';
import { ConnectionLog, type LogLevel } from '../entities/connection-log.ts';
import { scrubText } from '../logger.ts';

export type LogLine = {
  level: LogLevel;
  kind: string;
  message: string;
  data?: Record<string, unknown>;
  /** The text is Patchbay's own words with no outside text in it: not scrubbed ("Access token refreshed" is no secret). */
  plain?: true;
};

/** Adds a line in the caller's transaction (or alone); secrets are scrubbed from the text. */
export async function writeConnectionLog(em: EntityManager, ref: { workspaceId: string; connectionId: string }, line: LogLine, opts: { flush?: boolean } = {}): Promise<void> {
  em.create(ConnectionLog, {
    workspace: ref.workspaceId,
    connection: ref.connectionId,
    level: line.level,
    kind: line.kind,
    message: line.plain ? line.message : scrubText(line.message),
    data: line.data ?? null,
    correlationId: correlationId(),
  });
  // A caller writing several rows in one transaction flushes once, at its end.
  if (opts.flush !== false) await em.flush();
}

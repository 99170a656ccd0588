/** Shared by every work-data event family (tasks, contacts, calendar events, time entries). */
import { z } from 'zod';

/**
 * Which sync made a change. Who and through what channel is in every event's envelope
 * (`triggeredBy.via`: api, slack, cli, … or `sync`); this names the connection and rule when a
 * sync did it, and is null when a member did.
 */
export const originSchema = z
  .object({
    connectionId: z.uuid().describe('The connection the change came from'),
    syncRuleId: z.string().describe('The sync rule that applied it'),
  })
  .nullable()
  .default(null)
  .describe('The sync behind the change; null when a member made it');
export type WorkOrigin = z.output<typeof originSchema>;

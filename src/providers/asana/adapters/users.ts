/**
 * Assignee emails. A task names its assignee by gid only (`assignee.email` is not one of the
 * tasks' `opt_fields`), so each distinct assignee of a page is read once with
 * GET /users/{user_gid}?opt_fields=email (scope `users:read`, which every connection has).
 * https://developers.asana.com/reference/getuser
 *
 * Looked up per page, not cached across calls: an email is personal data and the next page may
 * belong to another connection.
 */
import { z } from 'zod';
import { parseProviderResponse } from '../../_shared/parse.ts';
import type { ConnectorContext } from '../../types.ts';
import type { AsanaTask } from './records.ts';

const userSchema = z.object({ data: z.object({ email: z.string().nullish() }).loose().optional() });

/** Emails by assignee gid; null for a user this connection may not see (403/404: the task still syncs). */
export async function assigneeEmails(ctx: ConnectorContext, tasks: readonly AsanaTask[]): Promise<Map<string, string | null>> {
  const gids = [...new Set(tasks.flatMap((t) => (t.assignee?.gid ? [t.assignee.gid] : [])))];
  const out = new Map<string, string | null>();
  for (const gid of gids) {
    const res = await ctx.http.request({ url: `/users/${encodeURIComponent(gid)}`, query: { opt_fields: 'email' }, allowStatuses: [403, 404] });
    if (res.status !== 200) {
      out.set(gid, null);
      continue;
    }
    const body = parseProviderResponse(ctx.provider, userSchema, res.body, 'GET /users/{user_gid}');
    out.set(gid, body.data?.email || null);
  }
  return out;
}

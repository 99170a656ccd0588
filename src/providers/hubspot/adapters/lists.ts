/**
 * A rule's list scope. HubSpot's CRM search cannot filter on list membership (no list filter is
 * documented for it), so each search page is checked with the Lists API: one
 * `POST /crm/v3/lists/records/memberships/batch/read` per page, keeping the records in the list.
 * Contacts created from Patchbay are added with `PUT /crm/v3/lists/{listId}/memberships/add`
 * (MANUAL and SNAPSHOT lists only; a DYNAMIC list is filled by its own filters).
 *
 * Limits, as HubSpot behaves: adding a contact to a list does not change its `lastmodifieddate`,
 * so a contact that joins the list unchanged is picked up by the next full reconciliation, not
 * the next incremental pull; one that leaves it is swept then like a deleted one.
 */
import { z } from 'zod';
import { parseProviderResponse } from '../../_shared/parse.ts';
import type { ConnectorContext } from '../../types.ts';

/** HubSpot's object type id for contacts. */
export const CONTACT_TYPE_ID = '0-1';

const membershipsSchema = z.object({
  results: z.array(
    z.object({
      recordId: z.string(),
      // The description says string; its own example shows a number.
      recordListMemberships: z.array(z.object({ listId: z.union([z.string(), z.number()]).transform(String) }).loose()),
    }).loose(),
  ),
}).loose();

/** The ids among `ids` that are members of `listId`. */
export async function membersOf(ctx: ConnectorContext, listId: string, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const res = await ctx.http.request({
    method: 'POST',
    url: '/crm/v3/lists/records/memberships/batch/read',
    body: { inputs: ids.map((recordId) => ({ objectTypeId: CONTACT_TYPE_ID, recordId })) },
    idempotent: true,
  });
  const body = parseProviderResponse(ctx.provider, membershipsSchema, res.body, 'POST /crm/v3/lists/records/memberships/batch/read');
  return new Set(body.results.filter((r) => r.recordListMemberships.some((m) => m.listId === listId)).map((r) => r.recordId));
}

/** Adds a contact to a MANUAL or SNAPSHOT list; a list HubSpot refuses to add to is logged, not fatal. */
export async function addToList(ctx: ConnectorContext, listId: string, id: string): Promise<void> {
  const res = await ctx.http.request({ method: 'PUT', url: `/crm/v3/lists/${encodeURIComponent(listId)}/memberships/add`, body: [id], allowStatuses: [400, 404] });
  if (res.status !== 200) {
    ctx.logger.warn({ provider: 'hubspot', listId, status: res.status }, 'HubSpot did not add the new contact to the rule’s list (a dynamic list is filled by its own filters)');
  }
}

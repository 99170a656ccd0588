/**
 * HubSpot contacts ↔ Patchbay contacts, over the CRM v3 contacts API
 * (HubSpot/HubSpot-public-api-spec-collection, PublicApiSpecs/CRM/Contacts/Rollouts/424/v3/contacts.json):
 *
 * - change feed: CRM search on `lastmodifieddate`, ascending, with its 10,000-result window handled
 *   by restarting from the newest time seen (`search.ts`);
 * - deletes: search never returns archived contacts and nothing lists archivals by time, so
 *   `reportsDeletes: false` — the engine's periodic full pull sweeps them;
 * - no idempotency keys: contacts are unique by email, and a create HubSpot answers 409 ("Contact
 *   already exists") is resolved to that contact, written by email (`idProperty=email`, read from
 *   HubSpot's store, not the search index, which trails a create by seconds). A contact without
 *   email created by a process that stopped before recording it can be created twice;
 * - one record per call: the ObjectAdapter contract has no batch calls, so the batch endpoints
 *   (`/batch/read|create|update`) are not used;
 * - scope: a list (`lists.ts`);
 * - values: HubSpot holds every property as a string; an empty string is no value (and clears one).
 */
import { z } from 'zod';
import { AppError } from '../../../errors.ts';
import type { ObjectAdapter, RemoteField, RemoteRecord, SyncScope } from '../../../sync/types.ts';
import { parseProviderResponse } from '../../_shared/parse.ts';
import type { ConnectorContext } from '../../types.ts';
import { addToList, membersOf } from './lists.ts';
import { advance, MAX_SEARCH_LIMIT, nextWindow, readSearchCursor, searchBody, searchPacer } from './search.ts';

const PATH = '/crm/v3/objects/contacts';

export const CONTACT_FIELDS: readonly RemoteField[] = [
  { name: 'firstname', type: 'string', label: 'First name' },
  { name: 'lastname', type: 'string', label: 'Last name' },
  { name: 'email', type: 'email', label: 'Email' },
  { name: 'phone', type: 'phone', label: 'Phone number' },
  { name: 'mobilephone', type: 'phone', label: 'Mobile phone number' },
  { name: 'company', type: 'string', label: 'Company name' },
  { name: 'jobtitle', type: 'string', label: 'Job title' },
  { name: 'website', type: 'string', label: 'Website URL' },
  {
    name: 'lifecyclestage',
    type: 'enum',
    label: 'Lifecycle stage',
    values: ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'],
  },
  { name: 'createdate', type: 'datetime', label: 'Create date', readOnly: true },
];

/** The properties every read asks for: the mapped fields and the feed's clock. */
export const READ_PROPERTIES = [...CONTACT_FIELDS.map((f) => f.name), 'lastmodifieddate'];
const WRITABLE = new Set(CONTACT_FIELDS.filter((f) => !f.readOnly).map((f) => f.name));

/** SimplePublicObject (the description's required fields; properties are strings or null). */
export const contactSchema = z
  .object({
    id: z.string(),
    properties: z.record(z.string(), z.string().nullable()),
    createdAt: z.string(),
    updatedAt: z.string(),
    archived: z.boolean().optional(),
  })
  .loose();
/** CollectionResponseWithTotalSimplePublicObject. */
export const searchResponseSchema = z
  .object({
    total: z.number().optional(),
    results: z.array(contactSchema),
    paging: z.object({ next: z.object({ after: z.string() }).loose().optional() }).loose().optional(),
  })
  .loose();

const toIso = (s: string) => new Date(Date.parse(s)).toISOString();

/**
 * A contact as the engine reads it. A read that asked for `READ_PROPERTIES` (search, get) takes an
 * absent property as no value; a write's answer (`asked: false`) may carry only some properties,
 * so only those it carries are set.
 */
export function toRemote(c: z.infer<typeof contactSchema>, asked = true): RemoteRecord {
  const fields: Record<string, unknown> = {};
  for (const f of CONTACT_FIELDS) {
    const v = c.properties[f.name];
    if (v === undefined && !asked) continue;
    fields[f.name] = v === undefined || v === null || v === '' ? null : v;
  }
  // The feed filters and sorts on `lastmodifieddate`: it is the cursor's clock when present.
  const modified = c.properties.lastmodifieddate;
  return { id: c.id, updatedAt: toIso(modified && !Number.isNaN(Date.parse(modified)) ? modified : c.updatedAt), fields };
}

/** The writable properties as HubSpot takes them: strings, with "" clearing a value (a create leaves empty ones out). */
export function toProperties(fields: Record<string, unknown>, creating = false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (!WRITABLE.has(k) || v === undefined || (creating && v === null)) continue;
    out[k] = v === null ? '' : Array.isArray(v) ? v.join(';') : String(v);
  }
  return out;
}

/** HubSpot's `Date` header, so the next pull's overlap is measured on its clock. */
function answeredAt(headers: Headers): string | null {
  const at = Date.parse(headers.get('date') ?? '');
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}

const accountOf = (ctx: ConnectorContext) => String(ctx.metadata.accountId ?? 'hubspot');
const listOf = (scope: SyncScope) => scope.list?.trim() || null;
const contactPath = (id: string) => `${PATH}/${encodeURIComponent(id)}`;

function asContact(ctx: ConnectorContext, body: unknown, what: string, asked: boolean): RemoteRecord {
  return toRemote(parseProviderResponse(ctx.provider, contactSchema, body, what), asked);
}

async function patch(ctx: ConnectorContext, id: string, properties: Record<string, string>, byEmail = false) {
  return await ctx.http.request({
    method: 'PATCH',
    url: contactPath(id),
    ...(byEmail ? { query: { idProperty: 'email' } } : {}),
    body: { properties },
    idempotent: true,
    allowStatuses: byEmail ? [404] : [],
  });
}

export const contactsAdapter: ObjectAdapter = {
  remoteObject: 'contacts',
  localObject: 'contacts',
  fields: CONTACT_FIELDS,
  aliases: { jobtitle: 'title', company: 'company', email: 'email', phone: 'phone' },
  scope: { key: 'list', label: 'List (ILS list id)', required: false },
  reportsDeletes: false,

  async listChanged(ctx, req) {
    const cur = readSearchCursor(req.cursor);
    const window = nextWindow(cur);
    const limit = Math.max(1, Math.min(MAX_SEARCH_LIMIT, req.pageSize));
    await searchPacer.wait(accountOf(ctx));
    const res = await ctx.http.request({ method: 'POST', url: `${PATH}/search`, body: searchBody(window, READ_PROPERTIES, limit), idempotent: true });
    const page = parseProviderResponse(ctx.provider, searchResponseSchema, res.body, `POST ${PATH}/search`);
    const step = advance(cur, window, page.results.map((c) => toRemote(c)), page.paging?.next?.after, limit, answeredAt(res.headers));
    const list = listOf(req.scope);
    if (!list) return step;
    const members = await membersOf(ctx, list, step.records.map((r) => r.id));
    return { ...step, records: step.records.filter((r) => members.has(r.id)) };
  },

  async get(ctx, id) {
    const res = await ctx.http.request({ url: contactPath(id), query: { properties: READ_PROPERTIES.join(',') }, allowStatuses: [404] });
    return res.status === 404 ? null : asContact(ctx, res.body, `GET ${PATH}/{contactId}`, true);
  },

  async create(ctx, fields, opts) {
    const properties = toProperties(fields, true);
    // With an email a retry is safe (a create that did happen answers 409, resolved below), so a
    // lost answer is retried at once; without one a retry could create the contact twice.
    const res = await ctx.http.request({ method: 'POST', url: PATH, body: { properties, associations: [] }, idempotent: Boolean(properties.email), allowStatuses: [409] });
    let created: RemoteRecord;
    if (res.status === 409) {
      // Unique by email: a retried create (or a contact made meanwhile) is that contact, now
      // holding what this create meant to write.
      if (!properties.email) throw new AppError('provider_error', `HubSpot answered HTTP 409 to POST ${PATH}`, { details: { provider: 'hubspot', status: 409 } });
      const found = await patch(ctx, properties.email, properties, true);
      if (found.status === 404) throw new AppError('provider_error', `HubSpot said a contact with this email exists, then found none (HTTP 404 to PATCH ${PATH}/{email})`, { details: { provider: 'hubspot', status: 409 } });
      created = asContact(ctx, found.body, `PATCH ${PATH}/{contactId}?idProperty=email`, false);
      ctx.logger.info({ provider: 'hubspot', id: created.id }, 'HubSpot already had a contact with this email; linked to it');
    } else {
      created = asContact(ctx, res.body, `POST ${PATH}`, false);
    }
    const list = listOf(opts.scope);
    if (list) await addToList(ctx, list, created.id);
    return created;
  },

  async update(ctx, id, fields) {
    const res = await patch(ctx, id, toProperties(fields));
    return asContact(ctx, res.body, `PATCH ${PATH}/{contactId}`, false);
  },

  async delete(ctx, id) {
    // Archives the contact (HubSpot's delete); already gone is what a delete wants.
    await ctx.http.request({ method: 'DELETE', url: contactPath(id), allowStatuses: [404] });
  },
};

/** What the admin API (and later chat) may send to create or change a webhook endpoint. */
import { z } from 'zod';
import { WEBHOOK_STATUSES } from '../entities/webhook-endpoint.ts';
import { EVENT_TYPES, type EventType } from '../events/catalog/index.ts';

/** The longest overlap a rotation may keep the previous secret signing: 7 days. */
export const MAX_OVERLAP_HOURS = 7 * 24;
export const DEFAULT_OVERLAP_HOURS = 24;

// An HTTP token (RFC 9110), and not a header Patchbay sets itself.
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'connection', 'transfer-encoding', 'user-agent', 'webhook-id', 'webhook-timestamp', 'webhook-signature']);
const headerName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { error: 'must be an HTTP header name (letters, digits and - only)' })
  .refine((h) => !RESERVED_HEADERS.has(h.toLowerCase()), { error: 'is a header Patchbay sets itself; choose another (Authorization, X-Api-Key, …)' });
const headerValue = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^[^\r\n\0]*$/, { error: 'must be one line' });

export const authorizationInput = z.strictObject({
  header: headerName.describe('Header sent with every delivery, e.g. `Authorization`'),
  value: headerValue.describe('Its value (stored encrypted, never shown again)'),
});

// Checked after the union (not as an enum inside it), so an unknown type is reported at its own
// index (`eventTypes.2`) with the catalog's address, instead of as a bare "invalid input".
const CATALOG = new Set<string>(EVENT_TYPES);
export const eventTypesInput = z
  .union([
    z.literal('all'),
    z
      .array(z.string().max(100))
      .min(1, { error: 'must name at least one event type, or be "all"' })
      .max(EVENT_TYPES.length * 2),
  ])
  .superRefine((v, ctx) => {
    if (v === 'all') return;
    v.forEach((t, i) => {
      if (!CATALOG.has(t)) ctx.addIssue({ code: 'custom', path: [i], message: `'${t}' is not an event type of the catalog (GET /api/v1/webhooks/event-types)` });
    });
  })
  .transform((v) => (v === 'all' ? v : [...new Set(v)] as EventType[]));

export const webhookName = z.string().trim().min(1).max(100);
export const webhookUrl = z
  .string()
  .trim()
  .max(2000)
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }));

export const createWebhookInput = z.strictObject({
  name: webhookName.describe('Unique in the workspace'),
  url: webhookUrl.describe('Where events are POSTed: https in production, a public host unless the operator admitted internal ones'),
  eventTypes: eventTypesInput.default('all').describe('The catalog types this endpoint receives, or "all" (the default)'),
  authorization: authorizationInput.optional(),
});
export type CreateWebhookInput = z.output<typeof createWebhookInput>;

export const updateWebhookInput = z.strictObject({
  name: webhookName.optional(),
  url: webhookUrl.optional(),
  eventTypes: eventTypesInput.optional(),
  authorization: authorizationInput.nullable().optional().describe('`null` removes the header'),
  status: z
    .enum(WEBHOOK_STATUSES.filter((s) => s !== 'disabled') as ['active', 'paused'])
    .optional()
    .describe('`paused` holds deliveries; `active` (re-)enables the endpoint, also after it was paused or disabled by failures'),
});
export type UpdateWebhookInput = z.output<typeof updateWebhookInput>;

export const rotateSecretInput = z.strictObject({
  overlapHours: z
    .number()
    .min(0)
    .max(MAX_OVERLAP_HOURS, { error: `must be at most ${MAX_OVERLAP_HOURS} (7 days)` })
    .default(DEFAULT_OVERLAP_HOURS)
    .describe('How long the previous secret keeps signing beside the new one (0–168 hours, default 24)'),
});
export type RotateSecretInput = z.output<typeof rotateSecretInput>;

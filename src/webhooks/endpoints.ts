/**
 * Outbound webhook endpoints as data: create, list, get, change, delete and rotate the signing
 * secret. Admins and Owners (`webhooks.manage`); every change is audited in its transaction. A
 * signing secret leaves this module only once, in the answer to create or rotate; authorization
 * values never do. URLs pass the egress guard at creation and on every change (and, later, at
 * every delivery: DNS may answer differently then).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/postgresql';
import { authorizeOrAudit } from '../access/authorize.ts';
import { writeAudit } from '../audit/audit.ts';
import type { Config } from '../config/index.ts';
import type { Caller } from '../connections/actor.ts';
import { WebhookEndpoint, type IWebhookEndpoint, type WebhookSource, type WebhookStatus } from '../entities/webhook-endpoint.ts';
import { AppError, conflict, notFound, uniqueViolationOf } from '../errors.ts';
import { EVENT_TYPES, type EventType } from '../events/catalog/index.ts';
import { checkEgressTarget, EGRESS_REFUSED_TEXT, EgressRefusedError, egressPolicy, systemResolver, type EgressPolicy, type Resolver } from '../net/egress.ts';
import type { Runtime } from '../runtime.ts';
import type { CreateWebhookInput, RotateSecretInput, UpdateWebhookInput } from './input.ts';
import { recordEvent } from '../events/record.ts';
import { pendingCount, queueDrains, webhookSnapshot } from './drain.ts';
import { generateSecret } from './sign.ts';

/** An endpoint as the API and chat show it: no secret, no authorization value. */
export type WebhookView = {
  id: string;
  name: string;
  url: string;
  eventTypes: 'all' | EventType[];
  authorizationHeader: string | null;
  hasAuthorization: boolean;
  /** `api`: made by an admin; `zapier`: a Zap's REST hook (removed when the Zap is turned off or its URL answers 410). */
  source: WebhookSource;
  status: WebhookStatus;
  statusReason: string | null;
  consecutiveFailures: number;
  lastAttemptAt: string | null;
  /** The HTTP status of the last attempt; null when it got no answer (or there was none yet). */
  lastStatusCode: number | null;
  lastSuccessAt: string | null;
  /** While a rotation's overlap lasts: when the previous secret stops signing. */
  previousSecretExpiresAt: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
};

/** The answer to create and rotate: the view plus the secret, shown this once. */
export type WebhookWithSecret = WebhookView & { secret: string };

export function webhookView(w: IWebhookEndpoint, now = new Date()): WebhookView {
  const overlap = w.previousSecretExpiresAt && w.previousSecretExpiresAt > now ? w.previousSecretExpiresAt : null;
  return {
    id: w.id,
    name: w.name,
    url: w.url,
    eventTypes: w.eventTypes ? (w.eventTypes as EventType[]) : 'all',
    authorizationHeader: w.authorizationHeader ?? null,
    hasAuthorization: Boolean(w.authorizationHeader),
    source: w.source,
    status: w.status,
    statusReason: w.statusReason ?? null,
    consecutiveFailures: w.consecutiveFailures,
    lastAttemptAt: w.lastAttemptAt?.toISOString() ?? null,
    lastStatusCode: w.lastStatusCode ?? null,
    lastSuccessAt: w.lastSuccessAt?.toISOString() ?? null,
    previousSecretExpiresAt: overlap?.toISOString() ?? null,
    createdBy: w.createdBy ?? null,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}

/** The egress policy for webhook targets: the instance's, plus `WEBHOOKS_ALLOW_PRIVATE_TARGETS=true` as an alias of `EGRESS_ALLOW_PRIVATE=true`. */
export function webhookEgressPolicy(
  config: Pick<Config, 'NODE_ENV' | 'EGRESS_ALLOW_PRIVATE' | 'WEBHOOKS_ALLOW_PRIVATE_TARGETS'>,
  resolver: Resolver = systemResolver,
): EgressPolicy {
  const policy = egressPolicy(config, { resolver });
  if (config.WEBHOOKS_ALLOW_PRIVATE_TARGETS) policy.allowPrivate = { ...policy.allowPrivate, all: true };
  return policy;
}

const invalidUrl = (field: string) =>
  new AppError('validation_failed', `Invalid request: body.${field} is refused: ${EGRESS_REFUSED_TEXT}.`, {
    details: [{ location: 'body', path: field, message: `is refused: ${EGRESS_REFUSED_TEXT}` }],
  });

/** The URL must pass the egress guard now; every refusal has the one text (the reason goes to the log only). */
export async function checkUrl(rt: Runtime, url: string, field = 'url'): Promise<void> {
  try {
    await checkEgressTarget(new URL(url), webhookEgressPolicy(rt.config, rt.net.resolver));
  } catch (err) {
    if (!(err instanceof EgressRefusedError)) throw err;
    rt.logger.info({ reason: err.reason }, 'webhook URL refused by the egress guard');
    throw invalidUrl(field);
  }
}

/** The one permission check of every webhook change (`webhooks.manage`, refusals audited): the API's and Zapier's. */
export async function authorize(rt: Runtime, caller: Caller, targetId: string | null, what: string, details?: Record<string, unknown>): Promise<void> {
  await authorizeOrAudit(rt, {
    workspaceId: caller.workspaceId,
    role: caller.member.role,
    action: 'webhooks.manage',
    targetType: 'webhook',
    targetId,
    what,
    ...(details ? { details } : {}),
  });
}

async function findEndpoint(em: EntityManager, workspaceId: string, id: string, lock = false): Promise<IWebhookEndpoint> {
  const w = await em.findOne(WebhookEndpoint, { id, workspace: workspaceId }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
  if (!w) throw notFound('Webhook', id);
  return w;
}

const duplicateName = (name: string) =>
  conflict(`A webhook named '${name}' already exists in this workspace. Choose another name, or change that webhook.`, { name });

/** Runs a write, turning the (workspace, name) unique violation into a 409. */
async function guardName<T>(name: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (name !== undefined && uniqueViolationOf(err)) throw duplicateName(name);
    throw err;
  }
}

export async function listWebhooks(rt: Runtime, caller: Caller): Promise<WebhookView[]> {
  await authorize(rt, caller, null, 'Managing webhooks');
  const rows = await rt.em().find(WebhookEndpoint, { workspace: caller.workspaceId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  return rows.map((w) => webhookView(w));
}

export async function getWebhook(rt: Runtime, caller: Caller, id: string): Promise<WebhookView> {
  await authorize(rt, caller, id, 'Managing webhooks');
  return webhookView(await findEndpoint(rt.em(), caller.workspaceId, id));
}

/**
 * Writes a new endpoint with a fresh signing secret and its audit entry, in the caller's
 * transaction: the API's create and Zapier's subscribe (`source: 'zapier'`) both come here.
 */
export async function insertEndpoint(
  rt: Runtime,
  tx: EntityManager,
  caller: Caller,
  input: { id?: string; name: string; url: string; eventTypes: string[] | null; authorization?: { header: string; value: string } | undefined; source?: WebhookSource },
): Promise<{ endpoint: IWebhookEndpoint; secret: string }> {
  const secret = generateSecret();
  const w = tx.create(WebhookEndpoint, {
    ...(input.id ? { id: input.id } : {}),
    workspace: caller.workspaceId,
    name: input.name,
    url: input.url,
    eventTypes: input.eventTypes,
    authorizationHeader: input.authorization?.header ?? null,
    authorizationValue: input.authorization ? rt.vault.encrypt(input.authorization.value) : null,
    ...(input.source ? { source: input.source } : {}),
    secret: rt.vault.encrypt(secret),
    createdBy: caller.member.id,
  });
  await tx.flush();
  await writeAudit(tx, {
    workspaceId: caller.workspaceId,
    action: 'webhook.create',
    targetType: 'webhook',
    targetId: w.id,
    outcome: 'success',
    details: { name: w.name, eventTypes: w.eventTypes ?? 'all', hasAuthorization: Boolean(input.authorization), ...(input.source === 'zapier' ? { source: 'zapier' } : {}) },
  });
  return { endpoint: w, secret };
}

export async function createWebhook(rt: Runtime, caller: Caller, input: CreateWebhookInput): Promise<WebhookWithSecret> {
  await authorize(rt, caller, null, 'Managing webhooks');
  await checkUrl(rt, input.url);
  return await guardName(input.name, () =>
    rt.em().transactional(async (tx) => {
      const { endpoint, secret } = await insertEndpoint(rt, tx, caller, {
        name: input.name,
        url: input.url,
        eventTypes: input.eventTypes === 'all' ? null : input.eventTypes,
        authorization: input.authorization,
      });
      return { ...webhookView(endpoint), secret };
    }),
  );
}

export async function updateWebhook(rt: Runtime, caller: Caller, id: string, patch: UpdateWebhookInput): Promise<WebhookView> {
  await authorize(rt, caller, id, 'Managing webhooks');
  if (patch.url !== undefined) await checkUrl(rt, patch.url);
  return await guardName(patch.name, () =>
    rt.em().transactional(async (tx) => {
      const w = await findEndpoint(tx, caller.workspaceId, id, true);
      const changed: string[] = [];
      if (patch.name !== undefined && patch.name !== w.name) {
        w.name = patch.name;
        changed.push('name');
      }
      if (patch.url !== undefined && patch.url !== w.url) {
        w.url = patch.url;
        changed.push('url');
      }
      if (patch.eventTypes !== undefined) {
        const next = patch.eventTypes === 'all' ? null : patch.eventTypes;
        if (JSON.stringify(next) !== JSON.stringify(w.eventTypes ?? null)) {
          w.eventTypes = next;
          changed.push('eventTypes');
        }
      }
      if (patch.authorization !== undefined) {
        // The value is write-only: any given value counts as a change (it cannot be compared without decrypting).
        w.authorizationHeader = patch.authorization?.header ?? null;
        w.authorizationValue = patch.authorization ? rt.vault.encrypt(patch.authorization.value) : null;
        changed.push('authorization');
      }
      const previousStatus = w.status;
      if (patch.status !== undefined && patch.status !== w.status) {
        w.status = patch.status;
        w.statusReason = patch.status === 'paused' ? `Paused by ${caller.member.displayName}` : null;
        if (patch.status === 'active') w.consecutiveFailures = 0;
        changed.push('status');
      }
      if (!changed.length) return webhookView(w);
      await tx.flush();
      if (changed.includes('status')) await statusChanged(tx, w, previousStatus);
      await writeAudit(tx, {
        workspaceId: caller.workspaceId,
        action: 'webhook.update',
        targetType: 'webhook',
        targetId: w.id,
        outcome: 'success',
        details: { name: w.name, changed, ...(changed.includes('status') ? { status: w.status } : {}) },
      });
      return webhookView(w);
    }),
  );
}

export async function deleteWebhook(rt: Runtime, caller: Caller, id: string): Promise<void> {
  await authorize(rt, caller, id, 'Managing webhooks');
  await rt.em().transactional(async (tx) => {
    const w = await findEndpoint(tx, caller.workspaceId, id, true);
    tx.remove(w);
    await tx.flush();
    await writeAudit(tx, { workspaceId: caller.workspaceId, action: 'webhook.delete', targetType: 'webhook', targetId: id, outcome: 'success', details: { name: w.name } });
  });
}

/**
 * Follows a member's status change: the event (alerts and other endpoints hear of it) and, on
 * enable, the drain job — kept deliveries go out oldest first. Retry waits are reset: the admin
 * says the receiver is fixed, so the next attempt is now.
 */
async function statusChanged(tx: EntityManager, w: IWebhookEndpoint, previousStatus: WebhookStatus): Promise<void> {
  if (w.status === 'active') {
    await tx.execute(`update webhook_deliveries set next_attempt_at = null where endpoint_id = ? and status = 'pending'`, [w.id]);
    await recordEvent(tx, {
      workspaceId: w.workspace,
      type: 'webhook_enabled',
      entityId: w.id,
      snapshot: await webhookSnapshot(tx, w.id),
      data: { previousStatus, pendingDeliveries: await pendingCount(tx, w.id) },
    });
    await queueDrains(tx, [w.id], { now: true });
  } else if (w.status === 'paused') {
    await recordEvent(tx, {
      workspaceId: w.workspace,
      type: 'webhook_paused',
      entityId: w.id,
      snapshot: await webhookSnapshot(tx, w.id),
      data: { reason: w.statusReason ?? 'Paused by a member', by: 'member', lastStatusCode: w.lastStatusCode ?? null, lastError: null, pendingDeliveries: await pendingCount(tx, w.id) },
    });
  }
}

/** Finds an endpoint by id or (case-insensitive) name, for chat. */
export async function findWebhookByRef(rt: Runtime, workspaceId: string, ref: string): Promise<IWebhookEndpoint> {
  const em = rt.em();
  const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
  const byId = isId ? await em.findOne(WebhookEndpoint, { id: ref, workspace: workspaceId }) : null;
  if (byId) return byId;
  const [row] = await em.execute<Array<{ id: string }>>('select id from webhook_endpoints where workspace_id = ? and lower(name) = lower(?) limit 1', [workspaceId, ref.trim()]);
  const found = row ? await em.findOne(WebhookEndpoint, { id: row.id }) : null;
  if (!found) throw notFound('Webhook', ref);
  return found;
}

/** Re-enables a paused or disabled endpoint (chat's Enable, `PATCH … { status: "active" }`). */
export async function enableWebhook(rt: Runtime, caller: Caller, id: string): Promise<WebhookView> {
  return await updateWebhook(rt, caller, id, { status: 'active' });
}

/**
 * A new signing secret. The current one keeps signing beside it for `overlapHours` (0 drops it at
 * once), so receivers can switch without losing a delivery. A previous secret still in its overlap
 * is dropped: at most two sign at any time.
 */
export async function rotateWebhookSecret(rt: Runtime, caller: Caller, id: string, input: RotateSecretInput, now = new Date()): Promise<WebhookWithSecret> {
  await authorize(rt, caller, id, 'Managing webhooks');
  const secret = generateSecret();
  return await rt.em().transactional(async (tx) => {
    const w = await findEndpoint(tx, caller.workspaceId, id, true);
    const rows = await tx.execute<Array<{ secret: string }>>('select secret from webhook_endpoints where id = ?', [w.id]);
    const overlapMs = Math.round(input.overlapHours * 3600_000);
    w.previousSecret = overlapMs > 0 ? rows[0]!.secret : null;
    w.previousSecretExpiresAt = overlapMs > 0 ? new Date(now.getTime() + overlapMs) : null;
    w.secret = rt.vault.encrypt(secret);
    await tx.flush();
    await writeAudit(tx, {
      workspaceId: caller.workspaceId,
      action: 'webhook.rotate_secret',
      targetType: 'webhook',
      targetId: w.id,
      outcome: 'success',
      details: { name: w.name, overlapHours: input.overlapHours, previousSecretExpiresAt: w.previousSecretExpiresAt?.toISOString() ?? null },
    });
    return { ...webhookView(w, now), secret };
  });
}

/**
 * The endpoints a service subscribed through Patchbay's API (`source` = its provider slug, e.g.
 * `zapier`), oldest first: what an inbound provider's connection test reports. No secrets, no URLs.
 */
export async function subscriptionsOf(rt: Runtime, workspaceId: string, source: string): Promise<Array<{ id: string; eventTypes: string[]; status: string; createdAt: string }>> {
  const rows = await rt
    .em()
    .execute<Array<{ id: string; event_types: string[] | null; status: string; created_at: Date }>>(
      'select id, event_types, status, created_at from webhook_endpoints where workspace_id = ? and source = ? order by created_at, id',
      [workspaceId, source],
    );
  return rows.map((r) => ({ id: r.id, eventTypes: r.event_types ?? [...EVENT_TYPES], status: r.status, createdAt: new Date(r.created_at).toISOString() }));
}

/**
 * The ingress of provider webhooks: `/webhooks/<provider>/<connectionId>[/<registrationId>]`, or
 * `/webhooks/<provider>` for providers that send every account's events to one app-level URL.
 *
 * Order matters: handshakes are answered first; then the raw body is verified (constant time)
 * against the secrets that may have signed it — nothing is parsed or stored before that; then the
 * events are parsed, their receipts stored and their connection's apply job queued in one
 * transaction (src/inbound/intake.ts), and only then is 200 answered. A duplicate delivery is 200
 * with no second effect; events Patchbay has no use for are 200 and logged as ignored, because
 * providers retry — and eventually disable webhooks — on anything else.
 */
import express, { type Request, type Response, type Router } from 'express';
import { AppError } from '../errors.ts';
import { hasProvider, getProvider } from '../providers/registry.ts';
import type { Provider } from '../providers/types.ts';
import type { Runtime } from '../runtime.ts';
import { ReceiptIntake, type ReceiptRow } from './intake.ts';
import { acceptHandshake } from './registrations.ts';
import type { InboundEvent, InboundRequest } from './scheme.ts';
import { appSecrets, connectionSecrets, connectionsForAccount, InboundCache, loadConnection, type ConnectionTarget, type SecretCandidate } from './secrets.ts';
import { bodyDigest } from './verify.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_BODY = '1mb';

export type InboundDeps = { intake: ReceiptIntake; cache: InboundCache };

export function inboundDeps(rt: Runtime): InboundDeps {
  return { intake: new ReceiptIntake(rt.db.pool, rt.logger), cache: new InboundCache() };
}

const notFound = () => new AppError('route_not_found', 'No webhook receiver at this URL. Copy the URL again from the connection or the provider doc page.');
const badSignature = (why: string) => new AppError('signature_invalid', `Webhook refused: ${why}.`);

function toInbound(rt: Runtime, req: Request): InboundRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return {
    method: req.method,
    url: `${rt.config.PUBLIC_URL}${req.originalUrl}`,
    headers,
    rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    receivedAt: new Date(),
  };
}

function verifiedBy(provider: Provider, req: InboundRequest, candidates: SecretCandidate[]): SecretCandidate | null {
  // Every candidate is tried (no early exit on the first), so timing says nothing of which matched.
  let match: SecretCandidate | null = null;
  for (const c of candidates) if (provider.webhooks!.scheme.verify(req, c.secret) && !match) match = c;
  return match;
}

function parseEvents(provider: Provider, req: InboundRequest): InboundEvent[] {
  try {
    return provider.webhooks!.scheme.parse(req);
  } catch (err) {
    throw new AppError('validation_failed', `The ${provider.definition.displayName} webhook body could not be read: ${err instanceof Error ? err.message.slice(0, 200) : 'malformed'}.`);
  }
}

async function receive(rt: Runtime, deps: InboundDeps, req: Request, res: Response): Promise<void> {
  const slug = String(req.params.provider ?? '');
  if (!hasProvider(slug) || !getProvider(slug).webhooks) throw notFound();
  const provider = getProvider(slug);
  const scheme = provider.webhooks!.scheme;
  const inbound = toInbound(rt, req);
  const connectionId = req.params.connectionId as string | undefined;
  const registrationId = (req.params.registrationId as string | undefined) ?? null;
  if (scheme.routing === 'connection' ? !connectionId || !UUID.test(connectionId) || (registrationId && !UUID.test(registrationId)) : connectionId) throw notFound();

  const handshake = scheme.handshake?.(inbound);
  if (handshake) {
    if (handshake.secret !== undefined && !(connectionId && registrationId && (await acceptHandshake(rt, connectionId, registrationId, handshake.secret)))) {
      // Only a registration Patchbay is making right now may receive a secret this way.
      rt.logger.warn({ provider: slug, connectionId }, 'inbound webhook: handshake for no pending registration refused');
      throw badSignature('no registration of this connection is waiting for a handshake');
    }
    for (const [k, v] of Object.entries(handshake.headers ?? {})) res.setHeader(k, v);
    res.status(handshake.status).end(handshake.body);
    return;
  }

  // Each event with the connections it is for: the one of the URL, or those of its account.
  let routed: Array<{ event: InboundEvent; to: ConnectionTarget[]; resource?: string | null }>;
  if (scheme.routing === 'connection') {
    const conn = await deps.cache.get(`c|${slug}|${connectionId}`, () => loadConnection(rt, provider, connectionId!));
    if (!conn) throw notFound();
    if (conn.status === 'disconnected') throw new AppError('gone', 'This connection was disconnected: its webhooks are no longer received.');
    const secretsOf = (fresh: boolean) => deps.cache.get(`s|${slug}|${connectionId}|${registrationId}`, () => connectionSecrets(rt, provider, conn, registrationId), { fresh });
    let secrets = await secretsOf(false);
    let verified = verifiedBy(provider, inbound, secrets);
    if (!verified) {
      secrets = await secretsOf(true);
      verified = verifiedBy(provider, inbound, secrets);
    }
    if (!secrets.length) {
      rt.logger.warn({ provider: slug, connectionId }, 'inbound webhook: the connection has no webhook secret to verify with');
      throw badSignature(`the connection has no ${provider.definition.displayName} webhook secret configured`);
    }
    if (!verified) {
      rt.logger.warn({ provider: slug, connectionId }, 'inbound webhook: signature invalid');
      throw badSignature('the signature is missing, does not match, or is too old');
    }
    const resource = verified.resource ?? null;
    routed = parseEvents(provider, inbound).map((event) => ({ event, to: [conn], resource }));
  } else {
    let secrets = await deps.cache.get(`a|${slug}`, () => appSecrets(rt, provider));
    let match = verifiedBy(provider, inbound, secrets);
    if (!match) {
      secrets = await deps.cache.get(`a|${slug}`, () => appSecrets(rt, provider), { fresh: true });
      match = verifiedBy(provider, inbound, secrets);
    }
    if (!match) {
      rt.logger.warn({ provider: slug }, 'inbound webhook: signature invalid');
      throw badSignature(secrets.length ? 'the signature is missing, does not match, or is too old' : `no ${provider.definition.displayName} app secret is configured`);
    }
    const app = match.appWorkspaceId ?? null;
    routed = [];
    for (const event of parseEvents(provider, inbound)) {
      const to = event.accountId ? await deps.cache.get(`r|${slug}|${event.accountId}|${app}`, () => connectionsForAccount(rt, provider, event.accountId!, app)) : [];
      // An account no live connection has (disconnected since): acknowledged, nothing to do.
      if (!to.length) rt.logger.info({ provider: slug, type: event.type }, 'inbound webhook: event for an account with no connection ignored');
      routed.push({ event, to });
    }
  }

  const digest = bodyDigest(inbound.rawBody);
  const rows: ReceiptRow[] = routed.flatMap(({ event: e, to, resource }) =>
    to.map((t) => ({
      source: `webhook:${slug}`,
      scope: `connection:${t.id}`,
      deliveryId: e.deliveryId.slice(0, 400),
      kind: e.type.slice(0, 200),
      payloadHash: digest,
      connectionId: t.id,
      object: e.object,
      remoteId: e.remoteId?.slice(0, 400) ?? null,
      resource: resource ?? null,
    })),
  );
  const firsts = await deps.intake.record(rows);
  const fresh = firsts.filter(Boolean).length;
  const ignored = rows.filter((r, i) => firsts[i] && r.object === null).length;
  const m = rt.metrics.inboundWebhooks;
  if (fresh - ignored) m.inc({ provider: slug, outcome: 'applied' }, fresh - ignored);
  if (ignored) m.inc({ provider: slug, outcome: 'ignored' }, ignored);
  if (rows.length - fresh) m.inc({ provider: slug, outcome: 'duplicate' }, rows.length - fresh);
  if (ignored) rt.logger.info({ provider: slug, types: [...new Set(rows.filter((r) => r.object === null).map((r) => r.kind))] }, 'inbound webhook: events ignored (nothing to apply)');
  res.status(200).json({ received: rows.length, applied: fresh - ignored, duplicates: rows.length - fresh, ignored });
}

/** Mounted before the API's JSON parser: the signature is over the exact bytes sent. */
export function inboundWebhookRouter(rt: Runtime, deps: InboundDeps = inboundDeps(rt)): Router {
  const router = express.Router();
  // Any content type: providers send JSON, form bodies (Twilio) or nothing (Google channels).
  router.use('/webhooks', express.raw({ type: () => true, limit: MAX_BODY }));
  const handle = (req: Request, res: Response, next: express.NextFunction) => {
    receive(rt, deps, req, res).catch((err: unknown) => {
      if (err instanceof AppError && err.code === 'signature_invalid') rt.metrics.inboundWebhooks.inc({ provider: String(req.params.provider).slice(0, 40), outcome: 'rejected' });
      next(err);
    });
  };
  router.all('/webhooks/:provider', handle);
  router.all('/webhooks/:provider/:connectionId', handle);
  router.all('/webhooks/:provider/:connectionId/:registrationId', handle);
  return router;
}

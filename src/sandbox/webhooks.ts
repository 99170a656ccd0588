/**
 * Signed change webhooks (scheme in ./README.md): subscriptions per account, and delivery of
 * `{ type, id, account_id, occurred_at }` to each subscribed URL after the change committed —
 * through the egress guard (the URL is the API user's choice), with a few retries, never holding
 * up or failing the API request that made the change.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from '../logger.ts';
import { checkEgressTarget, EGRESS_REFUSED_TEXT, EgressRefusedError, egressPolicy, guardedFetch, type EgressPolicy } from '../net/egress.ts';
import type { Config } from '../config/index.ts';
import { newId } from './objects.ts';
import { SandboxError, type Db } from './store.ts';

export type ChangeEvent = { type: string; id: string; account_id: string; occurred_at: string };

export type Subscription = { id: string; url: string; created_at: string };

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export function signatureHeader(secret: string, body: string, t = Math.floor(Date.now() / 1000)): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

function checkUrl(url: unknown): string {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    throw new SandboxError(400, 'invalid_request', 'url must be an absolute http(s) URL.');
  }
  if (typeof url !== 'string' || !['http:', 'https:'].includes(u.protocol) || u.username || u.password || url.length > 2000) {
    throw new SandboxError(400, 'invalid_request', 'url must be an absolute http(s) URL without credentials.');
  }
  return u.toString();
}

/**
 * A subscription; the secret (`sbxwh_…`) is answered here only. The URL must pass the egress
 * policy now (a loopback, private or metadata target is a 400 unless the operator admitted it), and
 * every delivery checks it again (DNS may answer differently later).
 */
export async function subscribe(db: Db, accountId: string, url: unknown, egress: EgressPolicy, ownReceivers: () => string[] = () => []): Promise<Subscription & { secret: string }> {
  const target = checkUrl(url);
  const own = isOwnReceiver(target, ownReceivers);
  try {
    if (!own) await checkEgressTarget(new URL(target), egress);
  } catch (err) {
    // The one refusal text for every reason, so the check cannot map internal hosts.
    if (err instanceof EgressRefusedError) throw new SandboxError(400, 'invalid_request', `url is refused: ${EGRESS_REFUSED_TEXT}.`);
    throw err;
  }
  const id = newId('whk');
  const secret = `sbxwh_${randomBytes(24).toString('base64url')}`;
  const { rows } = await db.query<{ created_at: Date }>('insert into sandbox.webhooks (id, account_id, url, secret, own_receiver) values ($1, $2, $3, $4, $5) returning created_at', [
    id,
    accountId,
    target,
    secret,
    own,
  ]);
  return { id, url: target, secret, created_at: rows[0]!.created_at.toISOString() };
}

export async function listSubscriptions(db: Db, accountId: string): Promise<Subscription[]> {
  const { rows } = await db.query<{ id: string; url: string; created_at: Date }>('select id, url, created_at from sandbox.webhooks where account_id = $1 order by created_at, id', [accountId]);
  return rows.map((r) => ({ id: r.id, url: r.url, created_at: r.created_at.toISOString() }));
}

export async function unsubscribe(db: Db, accountId: string, id: string): Promise<void> {
  const { rowCount } = await db.query('delete from sandbox.webhooks where account_id = $1 and id = $2', [accountId, id]);
  if (!rowCount) throw new SandboxError(404, 'not_found', `No webhook '${id}'.`);
}

/**
 * Patchbay's own Sandbox receiver (`<PUBLIC_URL or this process's address>/webhooks/sandbox/…`):
 * the Sandbox is served by Patchbay, so sending to Patchbay's receiver reaches no third host, and
 * the walkthrough's realtime rule works on a laptop without admitting private addresses.
 */
export function ownReceivers(config: Pick<Config, 'PUBLIC_URL' | 'SANDBOX_URL'>): string[] {
  return [config.PUBLIC_URL, new URL(config.SANDBOX_URL).origin].map((o) => `${o}/webhooks/sandbox/`);
}

export function isOwnReceiver(url: string, ownReceivers: () => string[]): boolean {
  return ownReceivers().some((prefix) => url.startsWith(prefix) && !url.slice(prefix.length).includes('..'));
}

export type DeliveryDeps = {
  db: Db;
  /** URL prefixes of Patchbay's own Sandbox receiver, admitted at subscription without the egress policy. */
  ownReceivers?: () => string[];
  config: Pick<Config, 'NODE_ENV' | 'EGRESS_ALLOW_PRIVATE'>;
  logger: Logger;
  /** Test seams. */
  egress?: EgressPolicy;
  retryDelaysMs?: number[];
};

const RETRY_DELAYS_MS = [500, 2_000];

/**
 * Sends each event to each of the account's subscriptions; resolves when every delivery has
 * succeeded or used its retries. Never rejects: failures are logged (without the secret).
 */
export async function deliverChanges(deps: DeliveryDeps, accountId: string, events: ChangeEvent[]): Promise<void> {
  if (!events.length) return;
  let subs: Array<{ id: string; url: string; secret: string; own_receiver: boolean }>;
  try {
    subs = (await deps.db.query<{ id: string; url: string; secret: string; own_receiver: boolean }>('select id, url, secret, own_receiver from sandbox.webhooks where account_id = $1', [accountId])).rows;
  } catch (err) {
    deps.logger.warn({ err: String(err) }, 'sandbox webhooks: could not load subscriptions');
    return;
  }
  const guarded = guardedFetch(deps.egress ?? egressPolicy(deps.config));
  const delays = deps.retryDelaysMs ?? RETRY_DELAYS_MS;
  await Promise.all(
    subs.flatMap((sub) =>
      events.map(async (event) => {
        const body = JSON.stringify(event);
        const delivery = randomUUID();
        for (let attempt = 0; attempt <= delays.length; attempt++) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, delays[attempt - 1]));
          try {
            // Patchbay's own receiver was recognised at subscription (by the server, which knows its addresses).
            const res = await (sub.own_receiver ? fetch : guarded)(sub.url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'sandbox-signature': signatureHeader(sub.secret, body), 'sandbox-delivery': delivery },
              body,
              redirect: 'manual',
              signal: AbortSignal.timeout(5_000),
            });
            await res.body?.cancel().catch(() => undefined);
            if (res.ok) return;
            deps.logger.info({ webhook: sub.id, delivery, status: res.status, attempt }, 'sandbox webhook: receiver refused');
          } catch (err) {
            deps.logger.info({ webhook: sub.id, delivery, attempt, err: (err as Error).message }, 'sandbox webhook: delivery failed');
          }
        }
        deps.logger.warn({ webhook: sub.id, delivery, type: event.type }, 'sandbox webhook: gave up after retries');
      }),
    ),
  );
}

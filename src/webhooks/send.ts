/**
 * One HTTP attempt of a webhook delivery: a JSON POST through the egress guard, to the address the
 * guard checked, over a keep-alive connection, redirects not followed (a 3xx is a failure, as in
 * Standard Webhooks), with a timeout. Any 2xx is success; anything else, or no answer, is a failure.
 *
 * Connections are pooled per (origin, checked address): every attempt resolves and checks the host
 * again (DNS may answer differently now) and reuses the pool only when the answer is the same
 * address, so keep-alive never carries a request to an address that was not checked.
 */
import { Agent } from 'undici';
import { checkEgressTarget, EGRESS_REFUSED_TEXT, EgressRefusedError, type EgressPolicy } from '../net/egress.ts';
import type { IpAddress } from '../net/addresses.ts';

export type AttemptResult = {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  /** The first 1 KB of the response body. */
  response: string | null;
  /** Why there was no usable answer (timeout, refused, connection error); null when the receiver answered. */
  error: string | null;
  /** `Retry-After` of a failed answer, in seconds, when the receiver sent one. */
  retryAfterSeconds: number | null;
  /** The egress guard refused the target: no request was made. Why, for the operator's log only. */
  refused: string | null;
};

export const RESPONSE_KEEP_BYTES = 1024;
const USER_AGENT = 'Patchbay-Webhooks/1.0';

type Pooled = { agent: Agent; lastUsed: number };
const IDLE_MS = 60_000;

/** Keep-alive pools, one per receiver origin and checked address. */
export class DeliveryAgents {
  readonly #pools = new Map<string, Pooled>();
  #sweeper: NodeJS.Timeout | undefined;

  agentFor(origin: string, ip: IpAddress): Agent {
    const key = `${origin}|${ip.address}`;
    let pooled = this.#pools.get(key);
    if (!pooled) {
      const agent = new Agent({
        keepAliveTimeout: 30_000,
        connections: 8,
        connect: {
          lookup: (_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) =>
            opts?.all ? cb(null, [{ address: ip.address, family: ip.family }]) : cb(null, ip.address, ip.family),
        } as never,
      });
      pooled = { agent, lastUsed: Date.now() };
      this.#pools.set(key, pooled);
      this.#sweep();
    }
    pooled.lastUsed = Date.now();
    return pooled.agent;
  }

  #sweep(): void {
    if (this.#sweeper) return;
    this.#sweeper = setInterval(() => {
      const now = Date.now();
      for (const [key, p] of this.#pools) {
        if (now - p.lastUsed < IDLE_MS) continue;
        this.#pools.delete(key);
        void p.agent.close().catch(() => undefined);
      }
      if (!this.#pools.size) {
        clearInterval(this.#sweeper);
        this.#sweeper = undefined;
      }
    }, IDLE_MS);
    this.#sweeper.unref();
  }

  async close(): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.agent.close().catch(() => undefined)));
  }
}

/** `Retry-After` as seconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.round((at - now) / 1000));
}

async function firstBytes(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    // The rest is not read: cancelling frees the connection for the next delivery.
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

export type SendOptions = {
  url: string;
  body: string;
  headers: Record<string, string>;
  policy: EgressPolicy;
  timeoutMs: number;
  agents: DeliveryAgents;
};

export async function sendAttempt(opts: SendOptions): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const url = new URL(opts.url);
  let ip: IpAddress;
  try {
    ip = await checkEgressTarget(url, opts.policy);
  } catch (err) {
    if (!(err instanceof EgressRefusedError)) throw err;
    // The one refusal text: the attempt log must not map internal hosts; the reason goes to the log.
    return { ok: false, statusCode: null, durationMs: elapsed(), response: null, error: `Refused: ${EGRESS_REFUSED_TEXT}`, retryAfterSeconds: null, refused: err.reason };
  }
  try {
    const res = await fetch(url, {
      method: 'POST',
      body: opts.body,
      headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...opts.headers },
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs),
      dispatcher: opts.agents.agentFor(url.origin, ip),
    } as unknown as RequestInit);
    const response = await firstBytes(res, RESPONSE_KEEP_BYTES).catch(() => '');
    const ok = res.status >= 200 && res.status < 300;
    return {
      ok,
      statusCode: res.status,
      durationMs: elapsed(),
      response,
      error: ok ? null : res.status >= 300 && res.status < 400 ? 'redirects are not followed: point the webhook at the final URL' : null,
      retryAfterSeconds: ok ? null : parseRetryAfter(res.headers.get('retry-after')),
      refused: null,
    };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const timedOut = e?.name === 'TimeoutError' || e?.name === 'AbortError';
    const error = timedOut ? `no answer within ${Math.round(opts.timeoutMs / 1000)} s (timeout)` : `connection failed: ${e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err)}`;
    return { ok: false, statusCode: null, durationMs: elapsed(), response: null, error, retryAfterSeconds: null, refused: null };
  }
}

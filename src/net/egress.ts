/**
 * The egress guard: the one door for requests to hosts an API user chose (per-connection provider
 * URLs, OAuth endpoints they set, later outbound webhooks and webhook registration).
 *
 * - `https` only in production; no credentials in the URL;
 * - the host is resolved (resolver injectable, so tests run offline) and every address must be
 *   public — loopback, private, link-local, unique-local, CGNAT, multicast, reserved and cloud
 *   metadata are refused unless `EGRESS_ALLOW_PRIVATE` admits them;
 * - the connection goes to the address that was checked (an undici Agent whose lookup is pinned),
 *   so a second DNS answer cannot swap in an internal address;
 * - redirects are followed by hand, each hop checked the same way, credentials dropped across origins;
 * - every refusal has the same text, so the guard cannot be used to map internal hosts or ports.
 */
import { lookup } from 'node:dns/promises';
import { Agent } from 'undici';
import { AppError } from '../errors.ts';
import { allowListAdmits, internalRanges, isInternalAddress, NO_PRIVATE, normalizeIp, type AllowPrivate, type IpAddress } from './addresses.ts';

export type Resolver = (hostname: string) => Promise<IpAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

export type EgressPolicy = {
  /** Refuse plain http (production). */
  httpsOnly: boolean;
  /** Internal hosts an operator admitted (`EGRESS_ALLOW_PRIVATE`). */
  allowPrivate: AllowPrivate;
  resolver: Resolver;
  /** Redirect hops followed (each checked); default 5. */
  maxRedirects: number;
};

/** The strictest policy: what a caller gets when it passes none. */
export const STRICT_EGRESS: EgressPolicy = Object.freeze({ httpsOnly: true, allowPrivate: NO_PRIVATE, resolver: systemResolver, maxRedirects: 5 });

/** The policy for this instance: https only in production, plus the operator's allow-list. */
export function egressPolicy(
  config: { NODE_ENV?: string; EGRESS_ALLOW_PRIVATE?: AllowPrivate },
  over: Partial<EgressPolicy> = {},
): EgressPolicy {
  return {
    httpsOnly: config.NODE_ENV === 'production',
    allowPrivate: config.EGRESS_ALLOW_PRIVATE ?? NO_PRIVATE,
    resolver: systemResolver,
    maxRedirects: 5,
    ...over,
  };
}

/** The one text for every refused target (a bad scheme, an internal address, a failed lookup, a bad redirect). */
export const EGRESS_REFUSED_TEXT =
  'the target address is not allowed: Patchbay only calls public hosts (https in production); an operator can admit internal hosts with EGRESS_ALLOW_PRIVATE';

export class EgressRefusedError extends AppError {
  /** Why, for the operator's logs only: never part of a message or of details. */
  readonly reason: string;
  constructor(reason: string) {
    super('provider_error', `Refused: ${EGRESS_REFUSED_TEXT}.`, { details: { egress: 'refused' } });
    this.name = 'EgressRefusedError';
    this.reason = reason;
  }
}

const LOCALHOST = /(^|\.)localhost\.?$/i;

/** Checks a URL against the policy and returns the address to connect to; throws EgressRefusedError. */
export async function checkEgressTarget(url: URL, policy: EgressPolicy): Promise<IpAddress> {
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && !policy.httpsOnly)) throw new EgressRefusedError(`scheme ${url.protocol}`);
  if (url.username || url.password) throw new EgressRefusedError('credentials in the URL');
  const host = url.hostname;
  const literal = normalizeIp(host);
  let addresses: IpAddress[];
  if (literal) addresses = [literal];
  else if (LOCALHOST.test(host)) addresses = [{ address: '127.0.0.1', family: 4 }]; // RFC 6761: never ask DNS
  else {
    try {
      addresses = (await policy.resolver(host)).map((a) => normalizeIp(a.address) ?? a);
    } catch (err) {
      throw new EgressRefusedError(`lookup failed: ${(err as Error)?.message ?? err}`);
    }
  }
  if (!addresses.length) throw new EgressRefusedError('no address');
  const ranges = internalRanges();
  // Every answer must pass: a mixed answer would let the connection pick the internal one.
  for (const ip of addresses) {
    if (isInternalAddress(ip, ranges) && !allowListAdmits(policy.allowPrivate, host, ip)) {
      throw new EgressRefusedError(`${host} is internal (${ip.address})`);
    }
  }
  return addresses[0]!;
}

/** An undici Agent that connects only to `ip`, whatever name the request carries (TLS still checks the name). */
export function pinnedAgent(ip: IpAddress): Agent {
  return new Agent({
    connect: {
      lookup: (_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) =>
        opts?.all ? cb(null, [{ address: ip.address, family: ip.family }]) : cb(null, ip.address, ip.family),
    } as never,
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

export type GuardedFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * A fetch for user-chosen targets: checks and pins every hop, follows at most `maxRedirects`
 * redirects (303, and 301/302 after POST, become GET), and never carries credentials to another origin.
 */
export function guardedFetch(policy: EgressPolicy, fetchImpl: typeof fetch = (i, o) => fetch(i, o)): GuardedFetch {
  return async (input, init = {}) => {
    let url = new URL(String(input));
    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body;
    const headers = new Headers(init.headers);
    for (let hop = 0; ; hop++) {
      const ip = await checkEgressTarget(url, policy);
      const dispatcher = pinnedAgent(ip);
      let res: Response;
      try {
        res = await fetchImpl(url, { ...init, method, headers, body, redirect: 'manual', dispatcher } as unknown as RequestInit);
      } finally {
        // Graceful: undici closes the pinned connection once the response body has been read.
        void dispatcher.close().catch(() => undefined);
      }
      const location = res.headers.get('location');
      if (!REDIRECTS.has(res.status) || !location || init.redirect === 'manual') return res;
      await res.body?.cancel().catch(() => undefined);
      if (init.redirect === 'error' || hop >= policy.maxRedirects) throw new EgressRefusedError('too many redirects');
      const next = new URL(location, url);
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        if (method !== 'HEAD') method = 'GET';
        body = undefined;
        headers.delete('content-type');
        headers.delete('content-length');
      }
      if (next.origin !== url.origin) for (const h of CREDENTIAL_HEADERS) headers.delete(h);
      url = next;
    }
  };
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { fetch as undiciFetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { normalizeIp, parseAllowPrivate, type AllowPrivate, type IpAddress } from '../../src/net/addresses.ts';
import { checkEgressTarget, egressPolicy, EGRESS_REFUSED_TEXT, EgressRefusedError, guardedFetch, type EgressPolicy } from '../../src/net/egress.ts';
import { caught } from '../providers/helpers.ts';

const PUBLIC: IpAddress = { address: '93.184.216.34', family: 4 };

/** An offline resolver: known names only; anything else fails like NXDOMAIN. */
function resolver(names: Record<string, IpAddress[]>): EgressPolicy['resolver'] {
  return async (host) => {
    const found = names[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found;
  };
}

const names = {
  'api.example.com': [PUBLIC],
  'other.example.com': [PUBLIC],
  'internal.example.com': [{ address: '10.0.0.1', family: 4 as const }],
  'mixed.example.com': [PUBLIC, { address: '127.0.0.1', family: 4 as const }],
  'mapped.example.com': [{ address: '::ffff:169.254.169.254', family: 6 as const }],
};

function policy(over: Partial<EgressPolicy> = {}, allow?: AllowPrivate): EgressPolicy {
  return egressPolicy({ NODE_ENV: 'development', ...(allow ? { EGRESS_ALLOW_PRIVATE: allow } : {}) }, { resolver: resolver(names), ...over });
}

const allowList = (v: string) => parseAllowPrivate(v) as AllowPrivate;

const REFUSED_HOSTS = [
  '127.0.0.1',
  'localhost',
  'app.localhost',
  '2130706433',
  '0x7f000001',
  '127.1',
  '0177.0.0.1',
  '0.0.0.0',
  '10.0.0.1',
  '172.16.5.4',
  '192.168.1.1',
  '100.64.0.1',
  '169.254.169.254',
  '224.0.0.1',
  '[::1]',
  '[::]',
  '[fd00::1]',
  '[fe80::1]',
  '[::ffff:7f00:1]',
  '[::ffff:10.0.0.1]',
  '[64:ff9b::a9fe:a9fe]',
  'internal.example.com',
  'mixed.example.com',
  'mapped.example.com',
  'unknown.example.com',
];

describe('address normalization', () => {
  it('reads every IPv4 form as its dotted quad, and IPv6 with or without brackets', () => {
    for (const form of ['2130706433', '0x7f000001', '127.1', '0177.0.0.1', '0x7f.0.0.1', '127.0.1']) {
      expect(normalizeIp(form), form).toEqual({ address: '127.0.0.1', family: 4 });
    }
    expect(normalizeIp('[::FFFF:7f00:1]')).toEqual({ address: '::ffff:7f00:1', family: 6 });
    expect(normalizeIp('api.example.com')).toBeNull();
    expect(normalizeIp('256.1.1.1')).toBeNull();
    expect(normalizeIp('1.2.3.4.5')).toBeNull();
  });

  it('parses the allow-list and refuses malformed entries', () => {
    expect(parseAllowPrivate('true')).toEqual({ all: true, hosts: [], cidrs: [] });
    expect(parseAllowPrivate(' gitlab.corp , *.corp.example, 10.20.0.0/16, fd00::/8 ')).toEqual({
      all: false,
      hosts: ['gitlab.corp', '*.corp.example'],
      cidrs: [
        { address: '10.20.0.0', prefix: 16, family: 4 },
        { address: 'fd00::', prefix: 8, family: 6 },
      ],
    });
    expect(parseAllowPrivate('10.0.0.0/33')).toMatch(/prefix/);
    expect(parseAllowPrivate('http://x')).toMatch(/neither/);
  });
});

describe('checkEgressTarget', () => {
  it('refuses loopback, private, link-local, unique-local, CGNAT, multicast and metadata targets, in every form, with one text', async () => {
    const messages = new Set<string>();
    for (const host of REFUSED_HOSTS) {
      const err = await caught(() => checkEgressTarget(new URL(`http://${host}:8080/internal?x=`), policy()));
      expect(err, host).toBeInstanceOf(EgressRefusedError);
      expect((err as EgressRefusedError).code).toBe('provider_error');
      messages.add((err as Error).message);
      expect(JSON.stringify((err as EgressRefusedError).details)).not.toContain(host.replace(/[[\]]/g, ''));
    }
    expect([...messages]).toEqual([`Refused: ${EGRESS_REFUSED_TEXT}.`]);
  });

  it('admits a public host and returns the address it checked', async () => {
    expect(await checkEgressTarget(new URL('https://api.example.com/v1'), policy())).toEqual(PUBLIC);
  });

  it('requires https in production, and refuses credentials in the URL', async () => {
    const prod = egressPolicy({ NODE_ENV: 'production' }, { resolver: resolver(names) });
    expect(await caught(() => checkEgressTarget(new URL('http://api.example.com/'), prod))).toBeInstanceOf(EgressRefusedError);
    expect(await checkEgressTarget(new URL('https://api.example.com/'), prod)).toEqual(PUBLIC);
    expect(await caught(() => checkEgressTarget(new URL('https://u:p@api.example.com/'), prod))).toBeInstanceOf(EgressRefusedError);
  });

  it('EGRESS_ALLOW_PRIVATE admits listed hosts and CIDRs; true admits internal hosts but never cloud metadata', async () => {
    const listed = policy({}, allowList('internal.example.com,127.0.0.0/8'));
    expect(await checkEgressTarget(new URL('http://internal.example.com/'), listed)).toEqual({ address: '10.0.0.1', family: 4 });
    expect((await checkEgressTarget(new URL('http://[::ffff:127.0.0.1]/'), listed)).family).toBe(6);
    expect(await caught(() => checkEgressTarget(new URL('http://192.168.1.1/'), listed))).toBeInstanceOf(EgressRefusedError);
    const all = policy({}, allowList('true'));
    expect(await checkEgressTarget(new URL('http://10.0.0.1/'), all)).toEqual({ address: '10.0.0.1', family: 4 });
    expect(await caught(() => checkEgressTarget(new URL('http://169.254.169.254/'), all))).toBeInstanceOf(EgressRefusedError);
    expect(await caught(() => checkEgressTarget(new URL('http://mapped.example.com/'), all))).toBeInstanceOf(EgressRefusedError);
  });
});

describe('guardedFetch', () => {
  type Call = { url: string; method: string; auth: string | null };
  function recorder(answers: Array<(url: URL) => Response>) {
    const calls: Call[] = [];
    const impl = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(String(input));
      calls.push({ url: url.toString(), method: init?.method ?? 'GET', auth: new Headers(init?.headers).get('authorization') });
      return answers[calls.length - 1]!(url);
    }) as typeof fetch;
    return { calls, impl };
  }
  const redirect = (status: number, location: string) => () => new Response(null, { status, headers: { location } });

  it('never calls an internal first hop, and refuses a redirect to one with the same text', async () => {
    const { calls, impl } = recorder([redirect(302, 'http://0x7f000001:6379/')]);
    const f = guardedFetch(policy(), impl);
    const first = await caught(() => f('http://2130706433/', { headers: { authorization: 'Bearer t' } }));
    expect(first).toBeInstanceOf(EgressRefusedError);
    expect(calls).toEqual([]);
    const hop = await caught(() => f('https://api.example.com/start', { headers: { authorization: 'Bearer t' } }));
    expect((hop as Error).message).toBe((first as Error).message);
    expect(calls.map((c) => c.url)).toEqual(['https://api.example.com/start']);
  });

  it('follows checked redirects: 303 becomes GET, credentials stay on their origin, and the hop count is bounded', async () => {
    const { calls, impl } = recorder([
      redirect(307, '/again'),
      redirect(303, 'https://other.example.com/done'),
      () => new Response('ok'),
    ]);
    const res = await guardedFetch(policy(), impl)('https://api.example.com/start', { method: 'POST', body: 'x', headers: { authorization: 'Bearer t' } });
    expect(await res.text()).toBe('ok');
    expect(calls).toEqual([
      { url: 'https://api.example.com/start', method: 'POST', auth: 'Bearer t' },
      { url: 'https://api.example.com/again', method: 'POST', auth: 'Bearer t' },
      { url: 'https://other.example.com/done', method: 'GET', auth: null },
    ]);
    const loop = recorder(Array.from({ length: 3 }, () => redirect(302, '/loop')));
    expect(await caught(() => guardedFetch(policy({ maxRedirects: 2 }), loop.impl)('https://api.example.com/loop'))).toBeInstanceOf(EgressRefusedError);
    expect(loop.calls).toHaveLength(3);
  });

  it('connects to the address it checked, whatever DNS would say later (real HTTP, pinned lookup)', async () => {
    const server = http.createServer((req, res) => res.end(`host=${req.headers.host}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    // nock sees sockets too: let this one name through (test/setup.ts allows only 127.0.0.1 and localhost).
    nock.enableNetConnect(/^(127\.0\.0\.1|localhost|pinned\.invalid)(:\d+)?$/);
    try {
      // `pinned.invalid` exists in no DNS: the request only works if the checked address is used.
      const p = policy({ resolver: resolver({ 'pinned.invalid': [{ address: '127.0.0.1', family: 4 }] }) }, allowList('127.0.0.1'));
      const res = await guardedFetch(p, undiciFetch as unknown as typeof fetch)(`http://pinned.invalid:${port}/x`);
      expect(await res.text()).toBe(`host=pinned.invalid:${port}`);
    } finally {
      nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

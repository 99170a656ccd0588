/**
 * SSRF through Sandbox webhook subscriptions: the URL is the API user's choice and Patchbay's
 * own process POSTs to it, so an internal target (loopback, private, link-local, metadata, or a
 * name resolving there) is refused when the subscription is made, and again at every delivery
 * (a name may resolve elsewhere by then), unless the operator admitted internal hosts. Secrets
 * (API keys, webhook secrets) stay out of logs and answers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { parseAllowPrivate, type AllowPrivate, type IpAddress } from '../../src/net/addresses.ts';
import { EGRESS_REFUSED_TEXT, egressPolicy, type EgressPolicy } from '../../src/net/egress.ts';
import { sandboxRouter } from '../../src/sandbox/router.ts';
import type { TestApp } from '../helpers/app.ts';
import { eventually } from '../helpers/sql.ts';
import { newAccount, sbx, startSandboxApp } from '../sandbox/support.ts';

let app: TestApp;
let receiver: Server;
let receiverPort: number;
const received: string[] = [];
beforeAll(async () => {
  app = await startSandboxApp();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(body);
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverPort = (receiver.address() as AddressInfo).port;
});
afterAll(async () => {
  await app?.close();
  await new Promise((r) => receiver?.close(r));
});

/** The Sandbox router alone, on the test database, with an offline resolver whose answers a test can change. */
async function sandboxWith(names: Record<string, IpAddress[]>, allow?: AllowPrivate) {
  const lines: string[] = [];
  const logger = createLogger('debug', new Writable({ write: (c, _e, cb) => (lines.push(...String(c).split('\n').filter(Boolean)), cb()) }));
  const egress: EgressPolicy = egressPolicy({ NODE_ENV: 'development', ...(allow ? { EGRESS_ALLOW_PRIVATE: allow } : {}) }, {
    resolver: async (host) => {
      const found = names[host];
      if (!found) throw new Error(`getaddrinfo ENOTFOUND ${host}`);
      return found;
    },
  });
  const server = express().use(sandboxRouter({ db: app.pb.rt.db.pool, config: app.config, logger, delivery: { egress, retryDelaysMs: [10, 10] } })).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (key: string, path: string, init: { method?: string; json?: unknown } = {}) => {
    const res = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${key}`, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    });
    const text = await res.text();
    return { status: res.status, text, body: text ? (JSON.parse(text) as any) : undefined };
  };
  return { call, lines, close: () => new Promise((r) => server.close(r)) };
}

const INTERNAL_URLS = [
  'http://127.0.0.1/hook',
  'http://127.1:8080/hook',
  'http://2130706433/hook',
  'http://0x7f000001/hook',
  'http://localhost/hook',
  'http://app.localhost/hook',
  'http://10.0.0.1/hook',
  'http://192.168.1.1/hook',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::1]/hook',
  'http://[::ffff:127.0.0.1]/hook',
  'http://[fd00::1]/hook',
  'http://0.0.0.0/hook',
];

describe('Sandbox webhooks: SSRF', () => {
  it('refuses an internal URL when subscribing, with the one egress text, and stores nothing', async () => {
    const { key, account } = await newAccount(app, 'SSRF literal');
    for (const url of INTERNAL_URLS) {
      const r = await sbx(app, key, '/webhooks', { method: 'POST', json: { url } });
      expect(r.status, url).toBe(400);
      expect(r.body.error).toEqual({ code: 'invalid_request', message: `url is refused: ${EGRESS_REFUSED_TEXT}.` });
    }
    expect((await sbx(app, key, '/webhooks')).body.data).toEqual([]);
    const rows = await app.pb.rt.db.pool.query('select 1 from sandbox.webhooks where account_id = $1', [account.id]);
    expect(rows.rowCount).toBe(0);
  });

  it('refuses a host name that resolves to an internal address, or to nothing, when subscribing', async () => {
    const sandbox = await sandboxWith({
      'hooks.example.com': [{ address: '93.184.216.34', family: 4 }],
      'internal.example.com': [{ address: '10.0.0.1', family: 4 }],
      'metadata.example.com': [{ address: '169.254.169.254', family: 4 }],
      'mixed.example.com': [{ address: '93.184.216.34', family: 4 }, { address: '127.0.0.1', family: 4 }],
    });
    try {
      const { key } = await newAccount(app, 'SSRF names');
      for (const host of ['internal.example.com', 'metadata.example.com', 'mixed.example.com', 'nowhere.example.com']) {
        const r = await sandbox.call(key, '/webhooks', { method: 'POST', json: { url: `https://${host}/hook` } });
        expect(r.status, host).toBe(400);
        expect(r.body.error.message).toBe(`url is refused: ${EGRESS_REFUSED_TEXT}.`);
      }
      expect((await sandbox.call(key, '/webhooks', { method: 'POST', json: { url: 'https://hooks.example.com/hook' } })).status).toBe(201);
    } finally {
      await sandbox.close();
    }
  });

  it('does not deliver when a name that was public at subscription resolves to loopback later (rebinding)', async () => {
    const names: Record<string, IpAddress[]> = { 'rebind.example.com': [{ address: '93.184.216.34', family: 4 }] };
    const sandbox = await sandboxWith(names);
    try {
      const { key } = await newAccount(app, 'SSRF rebind');
      const sub = await sandbox.call(key, '/webhooks', { method: 'POST', json: { url: `http://rebind.example.com:${receiverPort}/hook` } });
      expect(sub.status).toBe(201);
      names['rebind.example.com'] = [{ address: '127.0.0.1', family: 4 }];
      received.length = 0;
      expect((await sandbox.call(key, '/tasks', { method: 'POST', json: { name: 'Rebound' } })).status).toBe(201);
      await eventually(async () => sandbox.lines.some((l) => l.includes('sandbox webhook: gave up after retries')), 10_000);
      expect(received).toEqual([]);
      expect(sandbox.lines.filter((l) => l.includes('sbxwh_') || l.includes(key) || l.includes(sub.body.secret))).toEqual([]);
    } finally {
      await sandbox.close();
    }
  });

  it('admits an internal receiver the operator listed, and still never the metadata address', async () => {
    const sandbox = await sandboxWith({ 'metadata.example.com': [{ address: '169.254.169.254', family: 4 }] }, parseAllowPrivate('true') as AllowPrivate);
    try {
      const { key } = await newAccount(app, 'SSRF admitted');
      const sub = await sandbox.call(key, '/webhooks', { method: 'POST', json: { url: `http://127.0.0.1:${receiverPort}/hook` } });
      expect(sub.status).toBe(201);
      for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://metadata.example.com/']) {
        expect((await sandbox.call(key, '/webhooks', { method: 'POST', json: { url } })).status, url).toBe(400);
      }
      received.length = 0;
      const task = await sandbox.call(key, '/tasks', { method: 'POST', json: { name: 'Delivered' } });
      await eventually(async () => received.some((b) => b.includes(task.body.id)));
    } finally {
      await sandbox.close();
    }
  });

  it('shows the webhook secret only in the 201, never in the list, errors or logs; the API key never at all', async () => {
    const sandbox = await sandboxWith({ 'hooks.example.com': [{ address: '93.184.216.34', family: 4 }] });
    try {
      const { key } = await newAccount(app, 'Secrets');
      const sub = await sandbox.call(key, '/webhooks', { method: 'POST', json: { url: 'https://hooks.example.com/hook' } });
      const secret = sub.body.secret as string;
      expect(secret).toMatch(/^sbxwh_/);
      const answers = [
        await sandbox.call(key, '/webhooks'),
        await sandbox.call(key, '/webhooks', { method: 'POST', json: { url: 'https://hooks.example.com/hook', secret } }),
        await sandbox.call(key, `/webhooks/${sub.body.id}x`, { method: 'DELETE' }),
        await sandbox.call(`${key}x`, '/webhooks'),
        await sandbox.call(key, '/me'),
      ];
      for (const a of answers) {
        expect(a.text).not.toContain(secret);
        expect(a.text).not.toContain(key);
      }
      expect(sandbox.lines.filter((l) => l.includes(secret) || l.includes(key))).toEqual([]);
      expect(app.logs.filter((l) => l.includes(secret) || l.includes(key))).toEqual([]);
    } finally {
      await sandbox.close();
    }
  });
});

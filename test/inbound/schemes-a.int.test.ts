/**
 * Inbound webhooks of GitHub, Linear, Jira, Twilio and Trello through the real ingress: a valid
 * signature → 200, a receipt and the connection's apply job; a duplicate delivery id → 200 and
 * still one receipt; a tampered body or a wrong secret (and Linear's stale timestamp) → 401 and
 * nothing stored; an event Patchbay ignores → 200, its receipt processed at once, no apply job.
 * Each delivery is signed here as the provider documents it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyJobs, deliver, hmacOf, insertRegistration, PUBLIC_URL, receipts, startSchemesEnv, TRELLO, TWILIO, type Env } from './schemes-a-support.ts';

let env: Env;
const SECRETS = { github: 'gh-hook-secret-3f9a1c7e5b2d4f60', linear: 'lin-wh-secret-8c2e4a6b0d1f3e57', jira: 'jira-admin-secret-Jq7vT2xKp9RmW4sLc8Nd' };
const paths: Record<string, string> = {};

beforeAll(async () => {
  env = await startSchemesEnv();
  const gh = await insertRegistration(env, 'github', 'acme/api', SECRETS.github);
  const lin = await insertRegistration(env, 'linear', 'eng-team', SECRETS.linear);
  const put = await env.e2e.call(`/api/v1/connections/${env.ids.jira}/webhook-secret`, { method: 'PUT', json: { secret: SECRETS.jira } });
  expect(put.status, put.text).toBe(204);
  paths.github = `/webhooks/github/${env.ids.github}/${gh}`;
  paths.linear = `/webhooks/linear/${env.ids.linear}/${lin}`;
  paths.jira = `/webhooks/jira/${env.ids.jira}`;
  paths.twilio = `/webhooks/twilio/${env.ids.twilio}`;
  paths.trello = `/webhooks/trello/${env.ids.trello}/${randomUUID()}`;
}, 60_000);
afterAll(async () => {
  await env?.e2e.close();
});

type Delivery = { body: string; headers: Record<string, string>; path?: string };
type Make = (o: { id: string; ignored?: boolean; secret?: string }) => Delivery;
type Case = { provider: keyof Env['ids']; make: Make; tamper(d: Delivery): Delivery; object: string; remoteId: string; kind: string; ignoredKind: string };

const json = { 'content-type': 'application/json' };
const flip = (d: Delivery, from: string, to: string): Delivery => {
  expect(d.body).toContain(from);
  return { ...d, body: d.body.replace(from, to) };
};

const cases: Case[] = [
  {
    provider: 'github',
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
    make: ({ id, ignored, secret = SECRETS.github }) => {
      const body = ignored ? JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 12345678 }) : JSON.stringify({ action: 'edited', issue: { id: 1347, number: 42, title: 'Fix the thing' }, repository: { full_name: 'acme/api' } });
      return { body, headers: { ...json, 'x-github-event': ignored ? 'ping' : 'issues', 'x-github-delivery': id, 'x-hub-signature-256': `sha256=${hmacOf('sha256', secret, body, 'hex')}` } };
    },
    tamper: (d) => flip(d, 'Fix the thing', 'Fix the thing!'),
    object: 'issues',
    remoteId: '1347',
    kind: 'issues.edited',
    ignoredKind: 'ping',
  },
  {
    provider: 'linear',
    // https://linear.app/developers/webhooks#securing-webhooks
    make: ({ id, ignored, secret = SECRETS.linear }) => {
      const body = JSON.stringify({ action: 'update', type: ignored ? 'Comment' : 'Issue', data: { id: ignored ? 'comment-1' : 'issue-7f3a', title: 'Ship it' }, webhookTimestamp: Date.now(), webhookId: 'wh-1' });
      return { body, headers: { ...json, 'linear-delivery': id, 'linear-event': ignored ? 'Comment' : 'Issue', 'linear-signature': hmacOf('sha256', secret, body, 'hex') } };
    },
    tamper: (d) => flip(d, 'Ship it', 'Ship it now'),
    object: 'issues',
    remoteId: 'issue-7f3a',
    kind: 'Issue.update',
    ignoredKind: 'Comment.update',
  },
  {
    provider: 'jira',
    // https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks
    make: ({ id, ignored, secret = SECRETS.jira }) => {
      const body = JSON.stringify(ignored ? { webhookEvent: 'project_updated', project: { id: '10000', key: 'ABC' } } : { webhookEvent: 'jira:issue_updated', timestamp: Date.now(), issue: { id: '10042', key: 'ABC-42', fields: { summary: 'Broken build' } } });
      return { body, headers: { ...json, 'x-atlassian-webhook-identifier': id, 'x-hub-signature': `sha256=${hmacOf('sha256', secret, body, 'hex')}` } };
    },
    tamper: (d) => flip(d, 'Broken build', 'Fixed build'),
    object: 'issues',
    remoteId: '10042',
    kind: 'jira:issue_updated',
    ignoredKind: 'project_updated',
  },
  {
    provider: 'twilio',
    // https://www.twilio.com/docs/usage/webhooks/webhooks-security (form POST: URL + sorted name+value)
    make: ({ id, ignored, secret = TWILIO.authToken }) => {
      const params: Record<string, string> = ignored
        ? { AccountSid: TWILIO.sid, CallSid: 'CA5f4dcc3b5aa765d61d8327deb882cf99', CallStatus: 'completed', To: '+15005550006' }
        : { AccountSid: TWILIO.sid, MessageSid: 'SM1f2e3d4c5b6a79880f1e2d3c4b5a6978', MessageStatus: 'delivered', To: '+15005550006', From: '+15017122661' };
      const url = `${PUBLIC_URL}${paths.twilio}`;
      const signed = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
      return {
        body: new URLSearchParams(params).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'i-twilio-idempotency-token': id, 'x-twilio-signature': hmacOf('sha1', secret, signed, 'base64') },
      };
    },
    tamper: (d) => flip(d, 'MessageStatus=delivered', 'MessageStatus=failed'),
    object: 'messages',
    remoteId: 'SM1f2e3d4c5b6a79880f1e2d3c4b5a6978',
    kind: 'message.delivered',
    ignoredKind: 'call.completed',
  },
  {
    provider: 'trello',
    // https://developer.atlassian.com/cloud/trello/guides/rest-api/webhooks/ (body + callback URL, app secret)
    make: ({ id, ignored, secret = TRELLO.appSecret }) => {
      const body = JSON.stringify({
        action: ignored
          ? { id, type: 'addMemberToBoard', data: { board: { id: '5a6b7c8d9e0f1a2b3c4d5e6f' } } }
          : { id, type: 'updateCard', data: { card: { id: '5c1d2e3f4a5b6c7d8e9f0a1b', name: 'Write docs' }, board: { id: '5a6b7c8d9e0f1a2b3c4d5e6f' } } },
        model: { id: '5a6b7c8d9e0f1a2b3c4d5e6f', name: 'Roadmap' },
      });
      return { body, headers: { ...json, 'x-trello-webhook': hmacOf('sha1', secret, body + `${PUBLIC_URL}${paths.trello}`, 'base64') } };
    },
    tamper: (d) => flip(d, 'Write docs', 'Write more docs'),
    object: 'tasks',
    remoteId: '5c1d2e3f4a5b6c7d8e9f0a1b',
    kind: 'updateCard',
    ignoredKind: 'addMemberToBoard',
  },
];

describe.each(cases)('$provider webhooks', (c) => {
  const post = (d: Delivery) => deliver(env, d.path ?? paths[c.provider]!, d.body, d.headers);
  // Trello's delivery id is the action id in the body; the others' a header.
  const ids = { ignored: `ign-${randomUUID()}`, valid: `dlv-${randomUUID()}`, bad: `bad-${randomUUID()}` };

  it('an ignored event type → 200, its receipt processed at once, no apply job', async () => {
    const res = await post(c.make({ id: ids.ignored, ignored: true }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ received: 1, ignored: 1, applied: 0 });
    const [row] = await receipts(env, c.provider, ids.ignored);
    expect(row).toMatchObject({ kind: c.ignoredKind, object: null });
    expect(row!.processed_at).not.toBeNull();
    expect(await applyJobs(env, c.provider)).toBe(0);
  });

  it('a valid signature → 200, a receipt for the object and the apply job', async () => {
    const res = await post(c.make({ id: ids.valid }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ received: 1, applied: 1, duplicates: 0 });
    expect(await receipts(env, c.provider, ids.valid)).toEqual([{ delivery_id: ids.valid, kind: c.kind, object: c.object, remote_id: c.remoteId, processed_at: null }]);
    expect(await applyJobs(env, c.provider)).toBe(1);
  });

  it('the same delivery again → 200, still one receipt', async () => {
    const res = await post(c.make({ id: ids.valid }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ duplicates: 1, applied: 0 });
    expect(await receipts(env, c.provider, ids.valid)).toHaveLength(1);
  });

  it('a tampered body → 401 signature_invalid, nothing stored', async () => {
    const res = await post(c.tamper(c.make({ id: ids.bad })));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('signature_invalid');
    expect(await receipts(env, c.provider, ids.bad)).toEqual([]);
  });

  it('a wrong secret → 401, nothing stored', async () => {
    const res = await post(c.make({ id: ids.bad, secret: 'not-the-secret-0000000000000000' }));
    expect(res.status).toBe(401);
    expect(await receipts(env, c.provider, ids.bad)).toEqual([]);
  });

  it('no signature at all → 401', async () => {
    const d = c.make({ id: ids.bad });
    const headers = Object.fromEntries(Object.entries(d.headers).filter(([k]) => !/signature|x-trello-webhook/.test(k)));
    expect((await post({ ...d, headers })).status).toBe(401);
    expect(await receipts(env, c.provider, ids.bad)).toEqual([]);
  });
});

describe('scheme specifics', () => {
  it('Linear: a webhookTimestamp more than a minute old → 401, nothing stored', async () => {
    const id = `stale-${randomUUID()}`;
    const body = JSON.stringify({ action: 'update', type: 'Issue', data: { id: 'issue-7f3a' }, webhookTimestamp: Date.now() - 61_000 });
    const res = await deliver(env, paths.linear!, body, { ...json, 'linear-delivery': id, 'linear-signature': hmacOf('sha256', SECRETS.linear, body, 'hex') });
    expect(res.status).toBe(401);
    expect(await receipts(env, 'linear', id)).toEqual([]);
  });

  it('Trello: the HEAD Trello sends when a webhook is created → 200', async () => {
    const res = await deliver(env, paths.trello!, '', {}, 'HEAD');
    expect(res.status).toBe(200);
  });

  it('Twilio: a JSON body is bound by the bodySHA256 in the signed URL; a changed body → 401', async () => {
    const body = JSON.stringify({ MessageSid: 'SM9a8b7c6d5e4f30211f2e3d4c5b6a7988', MessageStatus: 'sent' });
    const path = `${paths.twilio}?bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
    const id = `json-${randomUUID()}`;
    const headers = { ...json, 'i-twilio-idempotency-token': id, 'x-twilio-signature': hmacOf('sha1', TWILIO.authToken, `${PUBLIC_URL}${path}`, 'base64') };
    const bad = await deliver(env, path, body.replace('sent', 'failed'), headers);
    expect(bad.status).toBe(401);
    const ok = await deliver(env, path, body, headers);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(await receipts(env, 'twilio', id)).toMatchObject([{ kind: 'message.sent', object: 'messages', remote_id: 'SM9a8b7c6d5e4f30211f2e3d4c5b6a7988' }]);
  });

  it('Jira: after the admin secret is removed, deliveries are refused', async () => {
    const del = await env.e2e.call(`/api/v1/connections/${env.ids.jira}/webhook-secret`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    // The ingress caches a connection's secrets for a few seconds.
    await new Promise((r) => setTimeout(r, 5_200));
    const id = `after-${randomUUID()}`;
    const d = cases.find((x) => x.provider === 'jira')!.make({ id });
    expect((await deliver(env, paths.jira!, d.body, d.headers)).status).toBe(401);
    expect(await receipts(env, 'jira', id)).toEqual([]);
  });

  it('no secret, header or signature value appears in the logs', async () => {
    const logs = env.e2e.app.logs.join('\n');
    for (const s of [...Object.values(SECRETS), TWILIO.authToken, TRELLO.appSecret]) expect(logs).not.toContain(s);
  });
});

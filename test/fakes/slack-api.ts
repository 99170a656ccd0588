import { randomBytes } from 'node:crypto';
/**
 * A local fake of Slack's Web API (https://api.slack.com/methods) that records every call, for
 * tests that drive the Slack app over HTTP. Point Bolt at it with SLACK_API_URL=<url>/api/.
 * Methods answer `{ ok: true }` plus sensible defaults; tests can script answers per method.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** `at`: when the request arrived (Date.now()), for pacing assertions. */
export type SlackCall = { method: string; token: string | null; body: Record<string, unknown>; at: number };

export type FakeSlack = {
  url: string;
  calls: SlackCall[];
  /** Override the answer for a method: a fixed body, or a function of the request body. */
  answer(method: string, body: Record<string, unknown> | ((req: Record<string, unknown>) => Record<string, unknown>)): void;
  callsTo(method: string): SlackCall[];
  /** Makes `method` answer only after `ms` (null: at once again). */
  delay(method: string, ms: number | null): void;
  /** Makes `method` answer HTTP 429 with Retry-After `seconds` (null: normally again). */
  rateLimit(method: string, seconds: number | null): void;
  /** Waits until `method` has been called `count` times (bounded). */
  waitFor(method: string, count?: number, timeoutMs?: number): Promise<SlackCall[]>;
  close(): Promise<void>;
};

const DEFAULTS: Record<string, (b: Record<string, unknown>) => Record<string, unknown>> = {
  'auth.test': () => ({ ok: true, url: 'https://acme.slack.com/', team: 'Acme', user: 'patchbay', team_id: 'T0001', user_id: 'UBOT', bot_id: 'B0001' }),
  'chat.postMessage': (b) => ({ ok: true, channel: b.channel, ts: `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}` }),
  'chat.postEphemeral': () => ({ ok: true, message_ts: `${Math.floor(Date.now() / 1000)}.000100` }),
  'chat.update': (b) => ({ ok: true, channel: b.channel, ts: b.ts }),
  'views.open': () => ({ ok: true, view: { id: 'V0001' } }),
  'users.info': (b) => ({ ok: true, user: { id: b.user, name: 'someone', is_admin: false, is_owner: false, profile: { email: `${String(b.user).toLowerCase()}@example.com`, real_name: 'Some One' } } }),
};

async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  let data = '';
  for await (const chunk of req) data += chunk;
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) return data ? (JSON.parse(data) as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(data)) {
    // @slack/web-api form-encodes nested values as JSON strings.
    try {
      out[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
    } catch {
      out[k] = v;
    }
  }
  return out;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  const scripted = new Map<string, Record<string, unknown> | ((req: Record<string, unknown>) => Record<string, unknown>)>();
  const delays = new Map<string, number>();
  const limited = new Map<string, number>();
  const server = http.createServer(async (req, res) => {
    const at = Date.now();
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
    const body = await readBody(req);
    const auth = req.headers.authorization ?? null;
    const token = auth ? auth.replace(/^Bearer /, '') : typeof body.token === 'string' ? body.token : null;
    calls.push({ method, token, body, at });
    const wait = delays.get(method);
    if (wait) await new Promise((r) => setTimeout(r, wait));
    const retryAfter = limited.get(method);
    if (retryAfter !== undefined) {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfter) }).end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    const s = scripted.get(method);
    const answer = s ? (typeof s === 'function' ? s(body) : s) : (DEFAULTS[method]?.(body) ?? { ok: true });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const fake: FakeSlack = {
    url: `http://127.0.0.1:${port}`,
    calls,
    answer: (m, b) => void scripted.set(m, b),
    callsTo: (m) => calls.filter((c) => c.method === m),
    delay: (m, ms) => void (ms === null ? delays.delete(m) : delays.set(m, ms)),
    rateLimit: (m, seconds) => void (seconds === null ? limited.delete(m) : limited.set(m, seconds)),
    async waitFor(m, count = 1, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (fake.callsTo(m).length < count) {
        if (Date.now() > deadline) throw new Error(`fake Slack: ${m} called ${fake.callsTo(m).length} times, expected ${count}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return fake.callsTo(m);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  return fake;
}

/** Signs a request body exactly as Slack does (v0 HMAC-SHA256 of `v0:{ts}:{body}`). */
export function slackSignature(signingSecret: string, body: string, timestamp = Math.floor(Date.now() / 1000)) {
  const sig = 'v0=' + createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-signature': sig, 'x-slack-request-timestamp': String(timestamp) };
}

/** A slash command body, form-encoded as Slack sends it. */
export function slashCommandBody(fields: { text: string; team_id?: string; user_id?: string; channel_id?: string; user_name?: string; trigger_id?: string; response_url?: string }) {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: fields.team_id ?? 'T0001',
    team_domain: 'acme',
    channel_id: fields.channel_id ?? 'C0001',
    channel_name: 'ops',
    user_id: fields.user_id ?? 'U0001',
    user_name: fields.user_name ?? 'ada',
    command: '/integrations',
    text: fields.text,
    api_app_id: 'A0001',
    is_enterprise_install: 'false',
    response_url: fields.response_url ?? 'https://hooks.slack.com/commands/T0001/1/abc',
    // Unique per command, as Slack's are (a repeated trigger_id is refused as a replay).
    trigger_id: fields.trigger_id ?? `${Date.now()}.${Math.floor(Math.random() * 1e9)}.${randomBytes(6).toString('hex')}`,
  }).toString();
}

/** An interactive payload (`payload=<json>`), form-encoded as Slack sends it. */
export function interactionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

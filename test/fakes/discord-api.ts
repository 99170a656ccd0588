/**
 * A local fake of Discord's REST API (https://discord.com/developers/docs/reference) that
 * records every request, for tests that drive the Discord app over HTTP. Point the app at it
 * with DISCORD_API_URL=<url>/api (discord.js adds /v10). Channel posts, interaction follow-ups
 * and callbacks answer like Discord; guilds, failures and rate limits are scripted per test.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request, and what the fake answered (`reply`: its JSON body, e.g. a posted message with its id). */
export type DiscordCall = { method: string; path: string; auth: string | null; body: any; at: number; status?: number; reply?: any };

export type FakeDiscord = {
  url: string;
  calls: DiscordCall[];
  /** Guilds the bot is in, with their owners (GET /guilds/{id}). */
  guilds: Map<string, { name: string; ownerId: string }>;
  /** Makes posts to a channel fail with a Discord error (status + JSON code); null restores it. */
  failChannel(channelId: string, failure: { status: number; code: number } | null): void;
  /** Makes posts to a channel answer 429 with `retry_after` seconds; null restores it. */
  rateLimitChannel(channelId: string, seconds: number | null): void;
  /** Calls whose `METHOD path` matches. */
  callsTo(method: string, path: RegExp): DiscordCall[];
  /** Waits until `count` calls match (bounded). */
  waitFor(method: string, path: RegExp, count?: number, timeoutMs?: number): Promise<DiscordCall[]>;
  close(): Promise<void>;
};

const answer = (res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
  // Like Discord: a 204 has no body and no content type.
  res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};

export async function startFakeDiscord(): Promise<FakeDiscord> {
  const calls: DiscordCall[] = [];
  const guilds = new Map<string, { name: string; ownerId: string }>();
  const failing = new Map<string, { status: number; code: number }>();
  const limited = new Map<string, number>();
  let seq = 0;
  const nextId = () => String(1_300_000_000_000_000_000n + BigInt(++seq));

  const server = http.createServer(async (req, res) => {
    let data = '';
    for await (const chunk of req) data += chunk;
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v10/, '');
    const method = req.method ?? 'GET';
    let body: any = null;
    try {
      body = data ? JSON.parse(data) : null;
    } catch {
      body = data;
    }
    const call: DiscordCall = { method, path, auth: req.headers.authorization ?? null, body, at: Date.now() };
    calls.push(call);
    const json = (r: http.ServerResponse, status: number, reply?: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      if (reply !== undefined) call.reply = reply;
      answer(r, status, reply, headers);
    };
    let m: RegExpExecArray | null;
    if ((m = /^\/channels\/(\d+)\/messages(?:\/(\d+))?$/.exec(path))) {
      const channel = m[1]!;
      const seconds = limited.get(channel);
      if (seconds !== undefined) {
        json(res, 429, { message: 'You are being rate limited.', retry_after: seconds, global: false }, {
          'retry-after': String(Math.ceil(seconds)),
          'x-ratelimit-scope': 'user',
          'x-ratelimit-bucket': `bucket-${channel}`,
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(seconds),
        });
        return;
      }
      const failure = failing.get(channel);
      if (failure) {
        json(res, failure.status, { message: 'scripted failure', code: failure.code });
        return;
      }
      json(res, 200, { id: m[2] ?? nextId(), channel_id: channel, ...(body ?? {}) });
      return;
    }
    if ((m = /^\/guilds\/(\d+)$/.exec(path))) {
      const guild = guilds.get(m[1]!);
      if (!guild) json(res, 403, { message: 'Missing Access', code: 50001 });
      else json(res, 200, { id: m[1], name: guild.name, owner_id: guild.ownerId });
      return;
    }
    if (/^\/interactions\/\d+\/[^/]+\/callback$/.test(path)) {
      json(res, 204);
      return;
    }
    if ((m = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/(@original|\d+))?$/.exec(path))) {
      if (method === 'DELETE') json(res, 204);
      else json(res, 200, { id: m[3] === '@original' || !m[3] ? nextId() : m[3], ...(body ?? {}) });
      return;
    }
    json(res, 404, { message: '404: Not Found', code: 0 });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const callsTo = (method: string, path: RegExp) => calls.filter((c) => c.method === method && path.test(c.path));
  return {
    url,
    calls,
    guilds,
    failChannel: (channelId, failure) => void (failure ? failing.set(channelId, failure) : failing.delete(channelId)),
    rateLimitChannel: (channelId, seconds) => void (seconds === null ? limited.delete(channelId) : limited.set(channelId, seconds)),
    callsTo,
    async waitFor(method, path, count = 1, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (callsTo(method, path).length < count) {
        if (Date.now() > deadline) throw new Error(`fake Discord: expected ${count} × ${method} ${path}, got ${callsTo(method, path).length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return callsTo(method, path);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

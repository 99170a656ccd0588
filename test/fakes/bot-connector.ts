/**
 * A local fake of the Bot Framework Connector (the `serviceUrl` of Teams activities,
 * https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference),
 * recording every reply, send, update and delete the bot makes. Failures per conversation are
 * scripted by tests (403: the bot was removed; 429: rate limited).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** `targeted`: sent with `?isTargetedActivity=true` (a message only its recipient sees). */
export type ConnectorCall = { method: string; conversation: string; activityId: string | null; auth: string | null; body: any; at: number; targeted: boolean; replyId?: string };

export type FakeConnector = {
  /** The service URL activities name (ends in `/`). */
  url: string;
  calls: ConnectorCall[];
  failConversation(conversationId: string, failure: { status: number; retryAfter?: number } | null): void;
  /** Calls to one conversation (thread suffixes `;messageid=` included unless `exact`). */
  callsTo(conversationId: string, opts?: { exact?: boolean }): ConnectorCall[];
  waitFor(predicate: (c: ConnectorCall) => boolean, count?: number, timeoutMs?: number): Promise<ConnectorCall[]>;
  close(): Promise<void>;
};

export async function startFakeConnector(): Promise<FakeConnector> {
  const calls: ConnectorCall[] = [];
  const failing = new Map<string, { status: number; retryAfter?: number }>();
  let seq = 0;
  const server = http.createServer(async (req, res) => {
    let data = '';
    for await (const chunk of req) data += chunk;
    const url = new URL(req.url ?? '/', 'http://fake');
    const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'NotFound', message: 'fake connector: unknown route' } }));
      return;
    }
    const conversation = decodeURIComponent(m[1]!);
    const activityId = m[2] ? decodeURIComponent(m[2]) : null;
    let body: any = null;
    try {
      body = data ? JSON.parse(data) : null;
    } catch {
      body = data;
    }
    const call: ConnectorCall = { method: req.method ?? 'GET', conversation, activityId, auth: req.headers.authorization ?? null, body, at: Date.now(), targeted: url.searchParams.get('isTargetedActivity') === 'true' };
    calls.push(call);
    const failure = failing.get(conversation.split(';')[0]!);
    if (failure) {
      res.writeHead(failure.status, { 'content-type': 'application/json', ...(failure.retryAfter ? { 'retry-after': String(failure.retryAfter) } : {}) });
      res.end(JSON.stringify({ error: { code: failure.status === 403 ? 'BotNotInConversationRoster' : 'Failed', message: 'scripted failure' } }));
      return;
    }
    if (req.method === 'DELETE') {
      res.writeHead(200);
      res.end();
      return;
    }
    const id = req.method === 'PUT' && activityId ? activityId : `activity-${++seq}`;
    call.replyId = id;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const callsTo = (conversationId: string, opts: { exact?: boolean } = {}) =>
    calls.filter((c) => (opts.exact ? c.conversation === conversationId : c.conversation.split(';')[0] === conversationId));
  return {
    url,
    calls,
    failConversation: (id, failure) => void (failure ? failing.set(id, failure) : failing.delete(id)),
    callsTo,
    async waitFor(predicate, count = 1, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = calls.filter(predicate);
        if (found.length >= count) return found;
        if (Date.now() > deadline) throw new Error(`fake connector: expected ${count} matching calls, got ${found.length}: ${JSON.stringify(calls.map((c) => `${c.method} ${c.conversation}`))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

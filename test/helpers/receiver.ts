/**
 * A local webhook receiver for tests: records every request (headers and raw body) and answers
 * what the test scripted — a status, headers, a delay, or "hang" (never answer) — per request.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Received = { at: number; method: string; path: string; headers: IncomingHttpHeaders; body: string };
export type Reply = { status?: number; headers?: Record<string, string>; body?: string; delayMs?: number; hang?: boolean };

export type Receiver = {
  url: string;
  received: Received[];
  /** The answer to the next requests, in order; once used up, `fallback` answers. */
  script: Reply[];
  fallback: Reply;
  /** When set, answers every request (after the script): e.g. "503 until the outage ends". */
  respond?: ((req: Received) => Reply) | undefined;
  /** Resolves once `n` requests have arrived in all (polls). */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
};

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const hanging = new Set<import('node:http').ServerResponse>();
  const r: Partial<Receiver> = { received, script: [], fallback: { status: 200, body: '{"ok":true}' } };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ at: Date.now(), method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const reply = r.script!.shift() ?? r.respond?.(received.at(-1)!) ?? r.fallback!;
      if (reply.hang) {
        hanging.add(res);
        return;
      }
      const send = () => {
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.body ?? '');
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  r.url = `http://127.0.0.1:${port}/hook`;
  r.waitFor = async (n, timeoutMs = 15_000) => {
    const until = Date.now() + timeoutMs;
    while (received.length < n) {
      if (Date.now() > until) throw new Error(`receiver: ${received.length} of ${n} requests after ${timeoutMs} ms`);
      await new Promise((res) => setTimeout(res, 20));
    }
    return received.slice(0, n);
  };
  r.close = async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return r as Receiver;
}

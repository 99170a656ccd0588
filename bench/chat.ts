/**
 * `npm run bench -- chat`: how fast the Slack app acknowledges slash commands.
 *
 * Starts Patchbay as `npm start` does (embedded PostgreSQL in a temp dir, the Slack app in
 * single-token mode against a local fake Slack Web API), links the Slack team, connects Linear,
 * and makes Linear slow (every call answers after PROVIDER_DELAY_MS). Then, for ROUNDS rounds,
 * fires 50 concurrent signed slash commands — half `list`, half `test linear` (whose provider
 * call runs after the acknowledgement) — beside 50 concurrent bare `GET /healthz` to the same
 * server, and prints the acknowledgement latency p50/p99 of both, their ratio, and the misses
 * of Slack's 3 s deadline. The load comes from a worker thread (its own event loop), so the
 * client does not slow the server's. First contact (users.info, new identities) is measured
 * separately in a first round.
 *
 * The same commands are then sent one at a time: their service time shows where a burst's time
 * goes. Settings: BENCH_ROUNDS (6), BENCH_CONCURRENCY (50), BENCH_PROVIDER_DELAY_MS (5000),
 * BENCH_POOL (DATABASE_POOL_SIZE, 10). Exits 1 when the target is missed.
 *
 * Target: p99 < 250 ms and zero misses of the 3 s deadline.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';

type Req = { path: string; method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string };
type Timing = { ms: number; status: number; body: string };
type WorkerRequest =
  | { kind: 'burst' | 'sequence'; base: string; reqs: Req[] }
  | { kind: 'slow'; ms: number }
  | { kind: 'wait'; method: string; count: number; timeoutMs: number }
  | { kind: 'close' };

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const PROVIDER_DELAY_MS = Number(process.env.BENCH_PROVIDER_DELAY_MS ?? 5_000);
const DEADLINE_MS = 3_000;
const TARGET_P99_MS = 250;

if (!isMainThread) {
  // The worker thread: the load generator, the fake Slack Web API and a fake Linear whose answers
  // are slow — everything that is not Patchbay, on its own event loop.
  const { startFakeSlack } = await import('../test/fakes/slack-api.ts');
  const fake = await startFakeSlack();
  fake.answer('users.info', (b) => ({ ok: true, user: { id: b.user, name: String(b.user), is_admin: true, is_owner: false, profile: { email: `${String(b.user).toLowerCase()}@bench.test` } } }));
  let linearDelayMs = 0;
  const viewer = JSON.stringify({ data: { viewer: { id: 'lin-1', name: 'Ada Lovelace', email: 'ada@example.com' } } });
  const linear = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(viewer), linearDelayMs);
    });
  });
  await new Promise<void>((r) => linear.listen(0, '127.0.0.1', r));
  const linearUrl = `http://127.0.0.1:${(linear.address() as AddressInfo).port}`;
  parentPort!.on('message', async (msg: WorkerRequest) => {
    if (msg.kind === 'slow') {
      linearDelayMs = msg.ms;
      parentPort!.postMessage(null);
    } else if (msg.kind === 'wait') {
      await fake.waitFor(msg.method, msg.count, msg.timeoutMs);
      parentPort!.postMessage(fake.callsTo(msg.method).length);
    } else if (msg.kind === 'close') {
      await fake.close();
      linear.closeAllConnections();
      linear.close();
      parentPort!.postMessage(null);
    } else {
      const one = async (r: Req): Promise<Timing> => {
        const started = performance.now();
        const res = await fetch(`${msg.base}${r.path}`, { method: r.method, ...(r.headers ? { headers: r.headers } : {}), ...(r.body ? { body: r.body } : {}) });
        const body = await res.text();
        return { ms: performance.now() - started, status: res.status, body: body.slice(0, 300) };
      };
      const timings: Timing[] = [];
      if (msg.kind === 'burst') timings.push(...(await Promise.all(msg.reqs.map(one))));
      else for (const r of msg.reqs) timings.push(await one(r));
      parentPort!.postMessage(timings);
    }
  });
  parentPort!.postMessage({ slackUrl: fake.url, linearUrl });
} else {
  await main();
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function main(): Promise<void> {
  const { slackSignature, slashCommandBody } = await import('../test/fakes/slack-api.ts');
  const { loadConfig } = await import('../src/config/index.ts');
  const { createLogger } = await import('../src/logger.ts');
  const { startPatchbay } = await import('../src/main/lifecycle.ts');
  const { createLinkCode } = await import('../src/chat/link-codes.ts');

  const worker = new Worker(new URL(import.meta.url));
  const ask = <T>(msg: WorkerRequest) =>
    new Promise<T>((resolve) => {
      worker.once('message', resolve);
      worker.postMessage(msg);
    });
  const fakes = await new Promise<{ slackUrl: string; linearUrl: string }>((resolve) => worker.once('message', resolve));

  const SECRET = 'bench-signing-secret-0123456789';
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'patchbay-bench-'));
  chmodSync(dataDir, 0o755); // the postgres OS user (when running as root) must traverse it
  const config = loadConfig({
    NODE_ENV: 'development',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
    LOG_LEVEL: 'error',
    WORKER_ENABLED: 'false',
    DATABASE_POOL_SIZE: process.env.BENCH_POOL ?? '10',
    PUBLIC_URL: 'https://patchbay.bench.test',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_API_URL: `${fakes.slackUrl}/api/`,
    PROVIDER_LINEAR_BASE_URL: fakes.linearUrl,
  });
  process.stdout.write('starting Patchbay with an embedded PostgreSQL…\n');
  const pb = await startPatchbay(config, createLogger('error'), { http: true, workers: false, processMetrics: false });
  const burst = (reqs: Req[]) => ask<Timing[]>({ kind: 'burst', base: pb.url, reqs });
  const sequence = (reqs: Req[]) => ask<Timing[]>({ kind: 'sequence', base: pb.url, reqs });
  const slash = (text: string, user: string): Req => {
    const body = slashCommandBody({ text, user_id: user, user_name: user.toLowerCase(), response_url: `${fakes.slackUrl}/hooks/${user}` });
    return { path: '/slack/events', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignature(SECRET, body) }, body };
  };

  try {
    // Link the team with the Owner's code, connect Linear (answering at once), then make Linear slow.
    const { workspace, owner, token } = pb.bootstrap!;
    const { code } = await createLinkCode(pb.rt, { workspaceId: workspace.id, member: owner });
    const [linked] = await burst([slash(`link ${code}`, 'U_OWNER')]);
    if (linked!.status !== 200) throw new Error(`link failed: HTTP ${linked!.status}`);
    const connected = await fetch(`${pb.url}/api/v1/connections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'linear', displayName: 'Linear', credentials: { apiKey: 'lin_api_BenchKey000000000000000' } }),
    });
    if (connected.status !== 201) throw new Error(`connecting Linear failed: HTTP ${connected.status} ${await connected.text()}`);
    await ask({ kind: 'slow', ms: PROVIDER_DELAY_MS });

    const users = Array.from({ length: CONCURRENCY }, (_, i) => `U_BENCH${String(i).padStart(2, '0')}`);
    const commands = () => users.map((u, i) => slash(i % 2 ? 'test linear' : 'list', u));
    const healthz = () => users.map((): Req => ({ path: '/healthz', method: 'GET' }));

    // First contact: users.info for each user, identities and members created.
    const cold = await burst(commands());
    await burst(healthz()); // warm the health route's connections too

    const cmd: Timing[] = [];
    const base: Timing[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which burst goes first, so neither always meets a server still busy with the other.
      if (r % 2) {
        cmd.push(...(await burst(commands())));
        base.push(...(await burst(healthz())));
      } else {
        base.push(...(await burst(healthz())));
        cmd.push(...(await burst(commands())));
      }
    }

    // Service time: the same requests one at a time (what each costs the server on its own).
    const seqCmd = await sequence(commands());
    const seqBase = await sequence(healthz());

    const tests = (ROUNDS + 2) * (CONCURRENCY / 2);
    const waitStarted = Date.now();
    const updates = await ask<number>({ kind: 'wait', method: 'chat.update', count: tests, timeoutMs: PROVIDER_DELAY_MS + 60_000 });
    const deliveredAfter = Date.now() - waitStarted;

    const all = [...cold, ...cmd, ...seqCmd];
    const failed = all.filter((t) => t.status !== 200).length + base.filter((t) => t.status !== 200).length;
    // A `list` is acknowledged with the connection list; a `test` with nothing (its reply is a bot message, edited later).
    const unexpected = all.filter((t, i) => (i % 2 === 0 ? !t.body.includes('Connections (1)') : t.body !== '')).length;
    const misses = all.filter((t) => t.ms > DEADLINE_MS).length;
    const f = (n: number) => `${n.toFixed(1).padStart(7)} ms`;
    const ms = (ts: Timing[]) => ts.map((t) => t.ms);
    const [c50, c99, b50, b99] = [percentile(ms(cmd), 50), percentile(ms(cmd), 99), percentile(ms(base), 50), percentile(ms(base), 99)];
    const pass = c99 < TARGET_P99_MS && misses === 0 && failed === 0 && unexpected === 0;
    const mean = (ts: Timing[]) => ts.reduce((a, t) => a + t.ms, 0) / ts.length;
    const lines = [
      '',
      `Slack acknowledgement latency — ${CONCURRENCY} concurrent signed slash commands per round (${CONCURRENCY / 2} \`list\`, ${CONCURRENCY / 2} \`test linear\` with Linear answering after ${PROVIDER_DELAY_MS / 1000} s), ${ROUNDS} rounds, ${os.cpus().length} CPUs, Node ${process.versions.node}`,
      '',
      `                                   p50          p99          max     n`,
      `GET /healthz (same server)   ${f(b50)}   ${f(b99)}   ${f(Math.max(...ms(base)))}   ${base.length}`,
      `slash command acknowledged   ${f(c50)}   ${f(c99)}   ${f(Math.max(...ms(cmd)))}   ${cmd.length}`,
      `  of which list              ${f(percentile(ms(cmd.filter((_, i) => i % 2 === 0)), 50))}   ${f(percentile(ms(cmd.filter((_, i) => i % 2 === 0)), 99))}`,
      `  of which test              ${f(percentile(ms(cmd.filter((_, i) => i % 2 === 1)), 50))}   ${f(percentile(ms(cmd.filter((_, i) => i % 2 === 1)), 99))}`,
      `first contact (cold round)   ${f(percentile(ms(cold), 50))}   ${f(percentile(ms(cold), 99))}   ${f(Math.max(...ms(cold)))}   ${cold.length}`,
      '',
      `one at a time (service time): healthz ${f(percentile(ms(seqBase), 50))} p50, command ${f(percentile(ms(seqCmd), 50))} p50, mean ${mean(seqCmd).toFixed(1)} ms`,
      `  → a burst of ${CONCURRENCY} needs about ${CONCURRENCY} × ${mean(seqCmd).toFixed(1)} ms = ${((CONCURRENCY * mean(seqCmd)) / 1000).toFixed(2)} s of server time before its last acknowledgement`,
      '',
      `ratio command / healthz:  p50 ${(c50 / b50).toFixed(1)}×   p99 ${(c99 / b99).toFixed(1)}×`,
      `misses of Slack's 3 s deadline: ${misses} of ${all.length}   non-200 answers: ${failed}   unexpected acknowledgements: ${unexpected}`,
      `test results delivered as chat.update: ${updates} of ${tests} (all within ${(deliveredAfter / 1000).toFixed(1)} s of the last burst)`,
      `target p99 < ${TARGET_P99_MS} ms, zero misses: ${pass ? 'met' : 'MISSED'}`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    process.exitCode = pass ? 0 : 1;
  } finally {
    await pb.stop();
    await ask({ kind: 'close' });
    await worker.terminate();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

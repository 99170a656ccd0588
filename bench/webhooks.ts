/**
 * `npm run bench -- webhooks`: how fast outbound webhooks are delivered, against two ceilings
 * measured in the same run.
 *
 * Starts Patchbay as `npm start` does (HTTP, graphile-worker with its separate deliveries pool,
 * an embedded PostgreSQL in a temp dir) and one local receiver — a plain `node:http` server on its
 * own thread (its own event loop) that answers 200 at once and notes when each request arrives.
 * Events are produced as the app produces them: `createTask` (what `POST /api/v1/tasks` calls),
 * one transaction per task, through the outbox (event row → dispatch_events job → the webhooks
 * subscriber's fan-out → one webhook_drain job per endpoint → signed keep-alive POST).
 *
 * - **throughput**: 50 endpoints (BENCH_ENDPOINTS) of one workspace, each subscribed to
 *   `task_added`, all pointing at the receiver; BENCH_EVENTS (200) tasks created by 8 concurrent
 *   writers = 10,000 deliveries. Deliveries/s from the first commit to the last arrival, and the
 *   commit → arrival latency p50/p99 of that burst (mostly queueing: it is a backlog).
 * - **paced**: 50 more workspaces with one endpoint each; tasks created at BENCH_RATE (200)
 *   events/s, round robin over the workspaces, for BENCH_PACED_SECONDS (10) after a 1 s warm-up,
 *   each sent on schedule (not waiting for the previous one). Commit → arrival p50/p99/max.
 *   Before it, the same at 10 events/s for 5 s: the pipeline's latency when nothing queues.
 *   Each latency is split into its stages from the rows (see `stages`).
 * - **ceilings** (each measured before and after the deliveries; the faster counts):
 *   (a) graphile-worker running BENCH_NOOP_JOBS (5,000) no-op jobs, queued in one statement, on a
 *       runner with the deliveries pool's settings (same pg pool, WEBHOOK_CONCURRENCY,
 *       useNodeTime, completeJobBatchDelay 0, pollInterval 2 s); also, for information, the same
 *       jobs spread over 50 named queues as drain jobs are;
 *   (b) a bare keep-alive POST loop: WEBHOOK_CONCURRENCY loops POSTing a delivery-sized JSON body
 *       to the same receiver with `fetch` over one undici keep-alive Agent, BENCH_POSTS (20,000).
 *
 * Targets: delivery throughput / the lower ceiling ≥ 0.5, and paced p99 < 100 ms. Exits 1 when
 * one is missed. Settings: the BENCH_* above, and WEBHOOK_*, WORKER_* passed through.
 *
 * Then the inbound figures (bench/inbound.ts, its own Patchbay): verified provider webhooks per
 * second beside a bare Express route; target ≥ 2,000/s.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const ENDPOINTS = Number(process.env.BENCH_ENDPOINTS ?? 50);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 10);
const NOOP_JOBS = Number(process.env.BENCH_NOOP_JOBS ?? 5_000);
const POSTS = Number(process.env.BENCH_POSTS ?? 20_000);
const WRITERS = 8;
const LOW_RATE = 10;
const LOW_SECONDS = 5;
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 100;

/** Absolute time in ms with sub-ms precision, comparable across threads. */
const now = () => performance.timeOrigin + performance.now();

type Arrival = { key: string; msg: string; at: number };
type ToReceiver = { kind: 'collect' } | { kind: 'close' };

if (!isMainThread) {
  // The receiver: answers 200 at once; for deliveries (`/ep/…`) notes path + entityId and when
  // the request arrived (its headers), counting unique ones in the shared counter.
  const counter = new Int32Array(workerData.shared as SharedArrayBuffer);
  let arrivals: Arrival[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  const server = http.createServer((req, res) => {
    const at = now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' }).end('{"ok":true}');
      if (!req.url?.startsWith('/ep/')) return;
      const m = /"entityId":"([^"]+)"/.exec(Buffer.concat(chunks).toString('utf8'));
      const key = `${req.url} ${m?.[1] ?? '?'}`;
      if (seen.has(key)) {
        duplicates++;
        return;
      }
      seen.add(key);
      arrivals.push({ key, msg: String(req.headers['webhook-id']), at });
      Atomics.add(counter, 0, 1);
    });
  });
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 130_000;
  server.listen(0, '127.0.0.1', () => parentPort!.postMessage({ port: (server.address() as AddressInfo).port }));
  parentPort!.on('message', (msg: ToReceiver) => {
    if (msg.kind === 'collect') {
      parentPort!.postMessage({ arrivals, duplicates });
      arrivals = [];
    } else {
      server.closeAllConnections();
      server.close(() => parentPort!.postMessage(null));
    }
  });
} else {
  await main();
}

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function main(): Promise<void> {
  const { EventEmitter } = await import('node:events');
  const { run } = await import('graphile-worker');
  const { Agent } = await import('undici');
  const { loadConfig } = await import('../src/config/index.ts');
  const { createLogger } = await import('../src/logger.ts');
  const { startPatchbay } = await import('../src/main/lifecycle.ts');
  const { freePort } = await import('../src/db/embedded.ts');
  const { createTask } = await import('../src/work/tasks.ts');
  const { createWorkspace } = await import('../src/workspaces/workspaces.ts');
  const { workerLogger } = await import('../src/jobs/worker-logger.ts');
  const { newCorrelationId, runWithContext } = await import('../src/context.ts');

  const shared = new SharedArrayBuffer(4);
  const received = new Int32Array(shared);
  const receiver = new Worker(new URL(import.meta.url), { workerData: { shared } });
  const ask = <T>(msg: ToReceiver) =>
    new Promise<T>((resolve) => {
      receiver.once('message', resolve);
      receiver.postMessage(msg);
    });
  const { port: rxPort } = await new Promise<{ port: number }>((resolve) => receiver.once('message', resolve));
  const rxBase = `http://127.0.0.1:${rxPort}`;

  const apiPort = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'patchbay-bench-webhooks-'));
  chmodSync(dataDir, 0o755); // the postgres OS user (when running as root) must traverse it
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    LOG_LEVEL: 'error',
    PUBLIC_URL: 'https://patchbay.bench.test',
    WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
  };
  for (const [k, v] of Object.entries(process.env)) if ((k.startsWith('WEBHOOK_') || k.startsWith('WORKER_')) && v) env[k] = v;
  const config = loadConfig(env);
  const concurrency = config.WEBHOOK_CONCURRENCY;

  process.stdout.write('starting Patchbay with an embedded PostgreSQL…\n');
  const pb = await startPatchbay(config, createLogger('error'), { http: true, workers: true, processMetrics: false });
  const pool = pb.rt.db.pool;
  const api = async (token: string, p: string, json: unknown) => {
    const res = await fetch(`http://127.0.0.1:${apiPort}${p}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(json) });
    const body = (await res.json()) as any;
    if (res.status >= 300) throw new Error(`${p}: HTTP ${res.status} ${JSON.stringify(body)}`);
    return body;
  };

  /** Waits until the receiver has `target` unique deliveries; false after `timeoutMs` without progress. */
  const waitReceived = async (target: number, timeoutMs = 30_000): Promise<boolean> => {
    let last = -1;
    let since = performance.now();
    while (Atomics.load(received, 0) < target) {
      const n = Atomics.load(received, 0);
      if (n !== last) [last, since] = [n, performance.now()];
      else if (performance.now() - since > timeoutMs) return false;
      await sleep(5);
    }
    return true;
  };
  const collect = () => ask<{ arrivals: Arrival[]; duplicates: number }>({ kind: 'collect' });

  /** Ceiling (a): no-op jobs through a runner with the deliveries pool's settings. */
  async function noopCeiling(queues: number): Promise<{ ms: number; rate: number }> {
    const events = new EventEmitter() as any;
    let done = 0;
    let finished: () => void = () => {};
    const all = new Promise<void>((r) => (finished = r));
    events.on('job:success', () => {
      if (++done === NOOP_JOBS) finished();
    });
    const runner = await run({
      events,
      pgPool: pool,
      taskList: { bench_noop: async () => {} },
      concurrency,
      noHandleSignals: true,
      pollInterval: 2_000,
      logger: workerLogger(pb.rt.logger),
      parsedCronItems: [],
      preset: { worker: { useNodeTime: true, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    });
    await sleep(200);
    await pool.query(
      `select graphile_worker.add_job('bench_noop', '{}'::json, queue_name => case when $2::int > 0 then 'bench:' || (i % $2::int) end)
         from generate_series(1, $1::int) as i`,
      [NOOP_JOBS, queues],
    );
    const t0 = performance.now();
    await all;
    const ms = performance.now() - t0;
    await runner.stop();
    return { ms, rate: NOOP_JOBS / (ms / 1000) };
  }

  /** Ceiling (b): WEBHOOK_CONCURRENCY loops of keep-alive POSTs of a delivery-sized body. */
  async function postCeiling(body: string): Promise<{ ms: number; rate: number }> {
    const agent = new Agent({ keepAliveTimeout: 30_000, connections: concurrency });
    let next = 0;
    const loop = async () => {
      while (next++ < POSTS) {
        const res = await fetch(`${rxBase}/bare`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
          redirect: 'manual',
          dispatcher: agent,
        } as unknown as RequestInit);
        await res.text();
        if (res.status !== 200) throw new Error(`bare POST: HTTP ${res.status}`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, loop)); // warm: connections open
    next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, loop));
    const ms = performance.now() - t0;
    await agent.close();
    return { ms, rate: POSTS / (ms / 1000) };
  }

  let exitCode = 0;
  try {
    const { workspace, owner, token } = pb.bootstrap!;
    for (let i = 0; i < ENDPOINTS; i++) await api(token, '/api/v1/webhooks', { name: `Bench ${i}`, url: `${rxBase}/ep/${i}`, eventTypes: ['task_added'] });
    const paced: Array<{ workspaceId: string; memberId: string }> = [];
    for (let i = 0; i < ENDPOINTS; i++) {
      const ws = await createWorkspace(pb.rt.em(), { name: `Bench paced ${i}`, ownerName: 'Bench', ownerEmail: null });
      await api(ws.token, '/api/v1/webhooks', { name: 'Paced', url: `${rxBase}/ep/p${i}`, eventTypes: ['task_added'] });
      paced.push({ workspaceId: ws.workspace.id, memberId: ws.owner.id });
    }
    const commits = new Map<string, number>(); // task id → commit time
    /** One task in its own transaction, as `POST /api/v1/tasks` makes it (its request context too); notes when it committed. */
    const add = async (w: { workspaceId: string; memberId: string }, title: string): Promise<string> => {
      const t = await runWithContext({ correlationId: newCorrelationId(), actor: { via: 'api', memberId: w.memberId } }, () =>
        createTask(pb.rt.em(), { workspaceId: w.workspaceId, memberId: w.memberId }, { title }),
      );
      commits.set(t.id, now());
      return t.id;
    };
    const latencies = (arrivals: Arrival[]) =>
      arrivals.flatMap((a) => {
        const c = commits.get(a.key.slice(a.key.indexOf(' ') + 1));
        return c === undefined ? [] : [a.at - c];
      });

    /**
     * Where an event's time goes, per delivery, from the rows: commit → the fan-out transaction
     * started (`webhook_deliveries.created_at`: the dispatch job's pickup and the alert
     * subscriber's turn), → the drain job sent it (the first attempt's `attempted_at`: the
     * fan-out's commit, the drain job's pickup, loading the endpoint and waiting behind the
     * endpoint's earlier deliveries), → the request arrived at the receiver (the POST).
     */
    const stages = async (arrivals: Arrival[]) => {
      const { rows } = await pool.query<{ message_id: string; created: number; attempted: number }>(
        `select d.message_id, extract(epoch from d.created_at) * 1000 as created, extract(epoch from min(a.attempted_at)) * 1000 as attempted
           from webhook_deliveries d join webhook_attempts a on a.delivery_id = d.id
          where d.message_id = any($1::text[]) group by d.id`,
        [arrivals.map((a) => a.msg)],
      );
      const byMsg = new Map(rows.map((r) => [r.message_id, r]));
      const out = { fanout: [] as number[], drain: [] as number[], post: [] as number[] };
      for (const a of arrivals) {
        const r = byMsg.get(a.msg);
        const c = commits.get(a.key.slice(a.key.indexOf(' ') + 1));
        if (!r || c === undefined) continue;
        out.fanout.push(Number(r.created) - c);
        out.drain.push(Number(r.attempted) - Number(r.created));
        out.post.push(a.at - Number(r.attempted));
      }
      return out;
    };
    const stageLine = (st: Awaited<ReturnType<typeof stages>>) =>
      `            of which p50/p99: commit → fan-out ${percentile(st.fanout, 50).toFixed(0)}/${percentile(st.fanout, 99).toFixed(0)} ms, ` +
      `fan-out → drain sends ${percentile(st.drain, 50).toFixed(0)}/${percentile(st.drain, 99).toFixed(0)} ms, ` +
      `send → arrival ${percentile(st.post, 50).toFixed(1)}/${percentile(st.post, 99).toFixed(1)} ms`;

    // Warm-up: connections, JIT, query plans; one event to every throughput endpoint.
    process.stdout.write('warm-up…\n');
    const home = { workspaceId: workspace.id, memberId: owner.id };
    await add(home, 'Warm-up');
    for (const w of paced) await add(w, 'Warm-up');
    if (!(await waitReceived(2 * ENDPOINTS))) throw new Error('warm-up deliveries did not arrive');
    await collect();
    const sampleBody = (await pool.query<{ body: string }>(`select body from webhook_deliveries where event_type = 'task_added' limit 1`)).rows[0]!.body;

    process.stdout.write('ceilings (before)…\n');
    const noop1 = await noopCeiling(0);
    const post1 = await postCeiling(sampleBody);

    process.stdout.write(`throughput: ${EVENTS} events × ${ENDPOINTS} endpoints…\n`);
    const base = Atomics.load(received, 0);
    const expected = EVENTS * ENDPOINTS;
    let firstCommit = 0;
    let produced = 0;
    const tp0 = now();
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (produced < EVENTS) {
          produced++;
          firstCommit ||= now();
          await add(home, `Bench ${produced}`);
        }
      }),
    );
    const producedMs = now() - tp0;
    const tpComplete = await waitReceived(base + expected);
    const burst = await collect();
    const lastArrival = Math.max(...burst.arrivals.map((a) => a.at));
    const tpMs = lastArrival - tp0;
    const tpRate = burst.arrivals.length / (tpMs / 1000);
    const tpLat = latencies(burst.arrivals);
    const tpStages = await stages(burst.arrivals);
    /** Tasks at `rate` per second, round robin over the paced workspaces, each sent on schedule; the first `warmup` seconds are not counted. */
    const pacedRun = async (rate: number, seconds: number, warmup: number) => {
      const elu0 = performance.eventLoopUtilization();
      const total = Math.round(rate * (warmup + seconds));
      const warmupIds = new Set<string>();
      const base2 = Atomics.load(received, 0);
      const inFlight: Promise<void>[] = [];
      const start = performance.now();
      let late = 0;
      for (let i = 0; i < total; i++) {
        const wait = start + (i * 1000) / rate - performance.now();
        if (wait > 1) await sleep(wait);
        else if (wait < -5) late++;
        const counted = i >= rate * warmup;
        inFlight.push(
          add(paced[i % paced.length]!, `Paced ${i}`).then((id) => {
            if (!counted) warmupIds.add(id);
          }),
        );
      }
      await Promise.all(inFlight);
      const producedRate = total / ((performance.now() - start) / 1000);
      const complete = await waitReceived(base2 + total);
      const got = await collect();
      const steady = got.arrivals.filter((a) => !warmupIds.has(a.key.slice(a.key.indexOf(' ') + 1)));
      const elu = performance.eventLoopUtilization(elu0).utilization;
      return { total, got, steady, lat: latencies(steady), stages: await stages(steady), elu, producedRate, late, complete: complete && got.arrivals.length === total };
    };

    process.stdout.write(`unloaded: ${LOW_RATE} events/s for ${LOW_SECONDS} s, round robin over ${ENDPOINTS} workspaces, one endpoint each…\n`);
    const low = await pacedRun(LOW_RATE, LOW_SECONDS, 0);
    process.stdout.write(`paced: ${RATE} events/s for 1 + ${PACED_SECONDS} s, the same workspaces…\n`);
    const hi = await pacedRun(RATE, PACED_SECONDS, 1);
    const pacedLat = hi.lat;

    process.stdout.write('ceilings (after)…\n');
    const noop2 = await noopCeiling(0);
    const post2 = await postCeiling(sampleBody);
    const noopQ = await noopCeiling(ENDPOINTS);
    const noop = noop1.rate >= noop2.rate ? noop1 : noop2;
    const post = post1.rate >= post2.rate ? post1 : post2;
    const lower = Math.min(noop.rate, post.rate);

    const { rows: [stats] } = await pool.query<{ jobs: string; attempts: string; failed: string }>(
      `select (select count(*) from webhook_deliveries where status <> 'delivered')::text as failed,
              (select count(*) from webhook_attempts)::text as attempts, '0' as jobs`,
    );
    const ratio = tpRate / lower;
    const p99 = percentile(pacedLat, 99);
    const pass = { ratio: ratio >= TARGET_RATIO, p99: p99 < TARGET_P99_MS };
    const complete = tpComplete && burst.arrivals.length === expected && low.complete && hi.complete;
    const ok = (b: boolean) => (b ? 'PASS' : 'MISS');
    const n = (x: number) => Math.round(x).toLocaleString('en');
    const ms = (x: number) => `${x.toFixed(1).padStart(7)} ms`;
    const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
    const lines = [
      '',
      `Outbound webhooks — ${ENDPOINTS} endpoints on one local receiver, WEBHOOK_CONCURRENCY ${concurrency}, WORKER_CONCURRENCY ${config.WORKER_CONCURRENCY}; ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}), Node ${process.versions.node}`,
      '',
      `ceiling (a) graphile-worker no-op jobs, same settings       ${n(noop.rate).padStart(7)} jobs/s       (${n(NOOP_JOBS)} in ${s(noop.ms)}; before ${n(noop1.rate)}, after ${n(noop2.rate)})`,
      `            the same jobs over ${ENDPOINTS} named queues (info)       ${n(noopQ.rate).padStart(7)} jobs/s       (${n(NOOP_JOBS / ENDPOINTS)} deep each: every fetch skips the locked queues' jobs; a drain queue holds one or two)`,
      `ceiling (b) bare keep-alive POST loop, ${concurrency} concurrent          ${n(post.rate).padStart(7)} requests/s   (${n(POSTS)} in ${s(post.ms)}; before ${n(post1.rate)}, after ${n(post2.rate)}; body ${sampleBody.length} B)`,
      '',
      `throughput: ${n(EVENTS)} tasks × ${ENDPOINTS} endpoints = ${n(expected)} deliveries    ${n(tpRate).padStart(7)} deliveries/s (${s(tpMs)} from the first commit to the last arrival; tasks committed in ${s(producedMs)})`,
      `            commit → arrival in that backlog:  p50 ${ms(percentile(tpLat, 50))}   p99 ${ms(percentile(tpLat, 99))}   max ${ms(Math.max(...tpLat))}`,
      stageLine(tpStages),
      `unloaded:   ${LOW_RATE} events/s, ${n(low.steady.length)} deliveries`,
      `            commit → arrival:                  p50 ${ms(percentile(low.lat, 50))}   p99 ${ms(percentile(low.lat, 99))}   max ${ms(Math.max(...low.lat))}`,
      stageLine(low.stages),
      `paced:      ${RATE} events/s (produced at ${hi.producedRate.toFixed(0)}/s, ${hi.late} sent > 5 ms late), ${n(hi.steady.length)} deliveries after a 1 s warm-up`,
      `            commit → arrival:                  p50 ${ms(percentile(pacedLat, 50))}   p99 ${ms(p99)}   max ${ms(Math.max(...pacedLat))}`,
      stageLine(hi.stages),
      `            Patchbay's event loop was busy ${(hi.elu * 100).toFixed(0)} % of the paced run (${(low.elu * 100).toFixed(0)} % unloaded) (receiver on its own thread); load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
      `deliveries not delivered: ${stats!.failed}; attempts logged: ${n(Number(stats!.attempts))}; duplicates at the receiver: ${burst.duplicates + low.got.duplicates + hi.got.duplicates}; first commit → first arrival (throughput) ${ms(Math.min(...burst.arrivals.map((a) => a.at)) - firstCommit)}`,
      '',
      `ratio deliveries / lower ceiling   ${ratio.toFixed(2).padStart(6)}     target ≥ ${TARGET_RATIO}     ${ok(pass.ratio)}`,
      `paced p99 commit → receiver        ${p99.toFixed(1).padStart(6)} ms  target < ${TARGET_P99_MS} ms  ${ok(pass.p99)}`,
      complete ? '' : `INCOMPLETE: expected ${expected} + ${low.total} + ${hi.total} deliveries, got ${burst.arrivals.length} + ${low.got.arrivals.length} + ${hi.got.arrivals.length}`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    exitCode = pass.ratio && pass.p99 && complete ? 0 : 1;
  } catch (err) {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    exitCode = 1;
  } finally {
    await pb.stop();
    await ask({ kind: 'close' });
    await receiver.terminate();
    rmSync(dataDir, { recursive: true, force: true });
  }
  // Inbound: verified provider webhooks per second beside a bare Express route (bench/inbound.ts).
  const { benchInbound } = await import('./inbound.ts');
  if (!(await benchInbound())) exitCode = 1;
  process.exit(exitCode);
}

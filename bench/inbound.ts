/**
 * Inbound provider webhooks: how many signed deliveries per second Patchbay verifies, stores and
 * acknowledges, beside a bare Express route measured in the same run. Part of
 * `npm run bench -- webhooks` (after the outbound figures); `npm run bench -- inbound` runs it alone.
 *
 * Starts Patchbay as `npm start` does (HTTP, graphile-worker, an embedded PostgreSQL in a temp dir;
 * LOG_LEVEL warn), connects a Sandbox account through the API and gives the connection an active
 * webhook registration (a `provider_webhooks` row with a vault-encrypted secret, as registration
 * writes it). The load comes from a client on its own thread (its own event loop, as a provider
 * would be): BENCH_INBOUND_CONCURRENCY (64) loops over one undici keep-alive Pool, each delivery
 * distinct (its own `Sandbox-Delivery` id and task id), signed just before the run with the
 * Sandbox scheme (`Sandbox-Signature: t=…,v1=<HMAC-SHA256 of "t.body">`).
 *
 * - **bare Express**: the same client against `express.raw()` + the Sandbox scheme's verify +
 *   `res.json({ ok: true })` on its own port in this process — what a verified route costs with
 *   nothing behind it. Measured before and after Patchbay's runs; the faster counts.
 * - **Patchbay**: BENCH_INBOUND (20,000) deliveries to `/webhooks/sandbox/<connectionId>` after
 *   1,000 for warm-up: verified requests/s (every answer must be 200 with one new receipt),
 *   p50/p99 latency, the main thread's and PostgreSQL's CPU; then the time until the apply jobs
 *   have processed every receipt (measured from the last answer). Again at LOG_LEVEL info (the
 *   access log line per request), written to /dev/null.
 * - **duplicate storm**: 50 concurrent copies of one delivery → exactly one receipt.
 *
 * Target: ≥ 2,000 verified requests/s (on a 2-core machine). Returns false when missed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const DELIVERIES = Number(process.env.BENCH_INBOUND ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_INBOUND_CONCURRENCY ?? 64);
const WARMUP = 1_000;
const STORM = 50;
const TARGET_RATE = 2_000;

type Load = { origin: string; path: string; secret: string; accountId: string; count: number; concurrency: number; tag: string };
type LoadResult = { ms: number; statuses: Record<string, number>; fresh: number; p50: number; p99: number; max: number; elu: number };

/** A Sandbox delivery: its body and headers, signed now. */
function signed(secret: string, accountId: string, taskId: string, deliveryId = randomUUID()) {
  const body = JSON.stringify({ type: 'task.updated', id: taskId, account_id: accountId, occurred_at: new Date().toISOString() });
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
  return { body, headers: { 'content-type': 'application/json', 'sandbox-signature': `t=${t},v1=${v1}`, 'sandbox-delivery': deliveryId } };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]! : NaN;
}

if (!isMainThread && workerData?.role === 'inbound-client') {
  // The client: signs `count` distinct deliveries, then sends them from `concurrency` loops.
  const { Pool } = await import('undici');
  parentPort!.on('message', async (load: Load) => {
    const reqs = Array.from({ length: load.count }, (_, i) => signed(load.secret, load.accountId, `tsk_${load.tag}_${i}`));
    const pool = new Pool(load.origin, { connections: load.concurrency, keepAliveTimeout: 30_000 });
    const lat = new Float64Array(load.count);
    const statuses: Record<string, number> = {};
    let fresh = 0;
    let next = 0;
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: load.concurrency }, async () => {
        for (let i = next++; i < load.count; i = next++) {
          const s = performance.now();
          const { statusCode, body } = await pool.request({ origin: load.origin, path: load.path, method: 'POST', headers: reqs[i]!.headers, body: reqs[i]!.body });
          const text = await body.text();
          lat[i] = performance.now() - s;
          statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
          if (text.includes('"applied":1')) fresh++;
        }
      }),
    );
    const ms = performance.now() - t0;
    const elu = performance.eventLoopUtilization(elu0).utilization;
    await pool.close();
    lat.sort();
    parentPort!.postMessage({ ms, statuses, fresh, p50: percentile(lat, 50), p99: percentile(lat, 99), max: lat[lat.length - 1] ?? NaN, elu } satisfies LoadResult);
  });
}

/** CPU seconds so far: this process's main thread, and the PostgreSQL server started by this process (every backend). */
function cpuSeconds(): { main: number; postgres: number } {
  const ticks = (stat: string) => {
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime + stime (+ cutime + cstime: the postmaster's exited backends), in USER_HZ (100).
    return { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / 100, reaped: (Number(f[13]) + Number(f[14])) / 100 };
  };
  const procs = new Map<number, { ppid: number; cpu: number; reaped: number }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      procs.set(Number(d), ticks(readFileSync(`/proc/${d}/stat`, 'utf8')));
    } catch {
      // gone meanwhile
    }
  }
  const ours = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of procs) if (!ours.has(pid) && ours.has(p.ppid)) grew = ours.add(pid).size > 0;
  }
  let postgres = 0;
  for (const pid of ours) if (pid !== process.pid) postgres += procs.get(pid)!.cpu + procs.get(pid)!.reaped;
  return { main: ticks(readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')).cpu, postgres };
}

export async function benchInbound(): Promise<boolean> {
  const { chmodSync, mkdtempSync, rmSync } = await import('node:fs');
  const os = (await import('node:os')).default;
  const path = (await import('node:path')).default;
  const express = (await import('express')).default;
  const { pino } = await import('pino');
  const { loadConfig } = await import('../src/config/index.ts');
  const { createLogger } = await import('../src/logger.ts');
  const { startPatchbay } = await import('../src/main/lifecycle.ts');
  const { freePort } = await import('../src/db/embedded.ts');
  const { createAccount } = await import('../src/sandbox/store.ts');
  const { getProvider } = await import('../src/providers/registry.ts');

  // Logs go to stdout at warn; the info pass sends them (an access line per request) to /dev/null.
  const devNull = pino.destination({ dest: '/dev/null', sync: true });
  let sink: { write(s: string): unknown } = process.stdout;
  const logger = createLogger('warn', { write: (s: string) => sink.write(s) });
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'patchbay-bench-inbound-'));
  chmodSync(dataDir, 0o755); // the postgres OS user (when running as root) must traverse it
  const config = loadConfig({
    NODE_ENV: 'development',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
    LOG_LEVEL: 'warn',
  });
  process.stdout.write('\ninbound: starting Patchbay with an embedded PostgreSQL…\n');
  const pb = await startPatchbay(config, logger, { http: true, workers: true, processMetrics: false });
  const pool = pb.rt.db.pool;
  const client = new Worker(new URL(import.meta.url), { workerData: { role: 'inbound-client' } });
  const load = (l: Load) =>
    new Promise<LoadResult>((resolve, reject) => {
      const failed = (err: Error) => reject(err);
      client.once('error', failed);
      client.once('message', (r: LoadResult) => {
        client.off('error', failed);
        resolve(r);
      });
      client.postMessage(l);
    });
  let bare: import('node:http').Server | undefined;
  try {
    const { account, key } = await createAccount(pool, 'Bench inbound');
    const res = await fetch(`${pb.url}/api/v1/connections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pb.bootstrap!.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'sandbox', displayName: 'Sandbox', credentials: { apiKey: key } }),
    });
    const { connection } = (await res.json()) as { connection: { id: string } };
    if (res.status !== 201 && res.status !== 200) throw new Error(`connect: HTTP ${res.status}`);
    const secret = `sbxwh_${randomBytes(24).toString('base64url')}`;
    await pool.query(
      `insert into provider_webhooks (id, workspace_id, connection_id, provider_slug, resource, remote_id, secret, origin, status, created_at, updated_at)
       values ($1, $2, $3, 'sandbox', 'account', 'bench', $4, 'registered', 'active', now(), now())`,
      [randomUUID(), pb.bootstrap!.workspace.id, connection.id, pb.rt.vault.encrypt(secret)],
    );
    const hookPath = `/webhooks/sandbox/${connection.id}`;

    // The baseline: a bare Express app with the same raw body parser and the same verify.
    const scheme = getProvider('sandbox').webhooks!.scheme;
    const app = express();
    app.post('/bare/webhooks/:provider/:connectionId', express.raw({ type: () => true, limit: '1mb' }), (req, res) => {
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const ok = scheme.verify({ method: req.method, url: req.originalUrl, headers, rawBody: req.body as Buffer, receivedAt: new Date() }, secret);
      res.status(ok ? 200 : 401).json({ ok });
    });
    bare = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const bareOrigin = `http://127.0.0.1:${(bare!.address() as AddressInfo).port}`;
    const run = (origin: string, p: string, count: number, tag: string) => load({ origin, path: p, secret, accountId: account.id, count, concurrency: CONCURRENCY, tag });
    const unprocessed = async () => Number((await pool.query<{ n: string }>('select count(*)::text as n from inbound_receipts where processed_at is null')).rows[0]!.n);
    /** Write transactions so far (each takes a transaction id; so does this query). */
    const commits = async () => Number((await pool.query<{ n: string }>('select pg_current_xact_id()::text as n')).rows[0]!.n);
    /** Waits until the apply jobs have processed every receipt; ms, or NaN after 60 s without progress. */
    const drained = async (): Promise<number> => {
      const t0 = performance.now();
      let [last, since] = [-1, t0];
      for (let n = await unprocessed(); n > 0; n = await unprocessed()) {
        if (n !== last) [last, since] = [n, performance.now()];
        else if (performance.now() - since > 60_000) return NaN;
        await sleep(10);
      }
      return performance.now() - t0;
    };
    /** A warm-up, then the measured load, with the main thread's and PostgreSQL's CPU and the write transactions meanwhile. */
    const measured = async (origin: string, p: string, tag: string) => {
      await run(origin, p, WARMUP, `${tag}w`);
      await drained();
      const [commits0, cpu0, elu0] = [await commits(), cpuSeconds(), performance.eventLoopUtilization()];
      const r = await run(origin, p, DELIVERIES, tag);
      const mainElu = performance.eventLoopUtilization(elu0).utilization;
      const cpu1 = cpuSeconds();
      const txs = (await commits()) - commits0 - 1;
      return { ...r, rate: DELIVERIES / (r.ms / 1000), txs, mainElu, mainCpu: cpu1.main - cpu0.main, pgCpu: cpu1.postgres - cpu0.postgres };
    };
    /** At Patchbay, then the time until the apply jobs have processed every receipt. */
    const patchbay = async (tag: string) => {
      const r = await measured(pb.url, hookPath, tag);
      return { ...r, drainMs: await drained() };
    };
    const bareRun = () => measured(bareOrigin, `/bare${hookPath}`, 'b');

    process.stdout.write(`inbound: bare Express (before)…\n`);
    const bare1 = await bareRun();
    process.stdout.write(`inbound: ${DELIVERIES.toLocaleString('en')} signed deliveries to Patchbay, ${CONCURRENCY} concurrent, LOG_LEVEL warn…\n`);
    const warn = await patchbay('w');
    process.stdout.write(`inbound: the same at LOG_LEVEL info (to /dev/null)…\n`);
    pb.rt.logger.level = 'info';
    sink = devNull;
    const info = await patchbay('i');
    pb.rt.logger.level = 'warn';
    sink = process.stdout;
    process.stdout.write(`inbound: bare Express (after)…\n`);
    const bare2 = await bareRun();
    const base = bare1.rate >= bare2.rate ? bare1 : bare2;

    // Duplicate storm: one delivery, 50 concurrent copies.
    const dup = signed(secret, account.id, 'tsk_storm');
    const answers = await Promise.all(
      Array.from({ length: STORM }, async () => {
        const r = await fetch(`${pb.url}${hookPath}`, { method: 'POST', headers: dup.headers, body: dup.body });
        return { status: r.status, body: (await r.json()) as { applied?: number; duplicates?: number } };
      }),
    );
    const deliveryId = dup.headers['sandbox-delivery'];
    const stormRows = Number((await pool.query<{ n: string }>('select count(*)::text as n from inbound_receipts where delivery_id = $1', [deliveryId])).rows[0]!.n);
    const stormApplied = answers.reduce((a, x) => a + (x.body.applied ?? 0), 0);
    const stormOk = answers.every((a) => a.status === 200) && stormRows === 1 && stormApplied === 1;
    const stored = Number((await pool.query<{ n: string }>(`select count(*)::text as n from inbound_receipts where connection_id = $1`, [connection.id])).rows[0]!.n);
    const expected = 2 * (WARMUP + DELIVERIES) + 1;

    const n = (x: number) => Math.round(x).toLocaleString('en');
    const ok = (b: boolean) => (b ? 'PASS' : 'MISS');
    const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
    const us = (cpuSeconds: number) => `${((cpuSeconds * 1e6) / DELIVERIES).toFixed(0)} µs`;
    const non200 = (r: LoadResult) => Object.entries(r.statuses).filter(([s]) => s !== '200').map(([s, c]) => `${c}× ${s}`).join(', ') || 'none';
    const lat = (r: LoadResult) => `p50 ${r.p50.toFixed(1).padStart(5)} ms   p99 ${r.p99.toFixed(1).padStart(5)} ms   max ${r.max.toFixed(0)} ms`;
    const cpuLine = (r: typeof base) =>
      `            main thread busy ${pct(r.mainElu)} (CPU ${pct(r.mainCpu / (r.ms / 1000))} of a core, ${us(r.mainCpu)}/request); PostgreSQL ${pct(r.pgCpu / (r.ms / 1000))} of a core (${us(r.pgCpu)}/request); client thread busy ${pct(r.elu)}`;
    const line = (label: string, r: typeof warn) => [
      `${label}${n(r.rate).padStart(7)} requests/s   (${n(DELIVERIES)} in ${(r.ms / 1000).toFixed(2)} s; non-200: ${non200(r)}; new receipts ${n(r.fresh)})`,
      `            latency                                  ${lat(r)}`,
      cpuLine(r),
      `            ${n(r.txs)} write transactions meanwhile (${(DELIVERIES / r.txs).toFixed(1)} deliveries each: the intake's group commits, plus the apply jobs')`,
      `            apply jobs drained ${(r.drainMs / 1000).toFixed(2)} s after the last answer`,
    ];
    const rate = warn.rate;
    const pass = rate >= TARGET_RATE;
    const allOk = base.statuses['200'] === DELIVERIES && warn.statuses['200'] === DELIVERIES && info.statuses['200'] === DELIVERIES && warn.fresh === DELIVERIES && info.fresh === DELIVERIES && stored === expected && Number.isFinite(warn.drainMs) && Number.isFinite(info.drainMs);
    const lines = [
      '',
      `Inbound webhooks — signed Sandbox deliveries to one connection, ${CONCURRENCY} concurrent keep-alive connections (undici Pool on its own thread); ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}), Node ${process.versions.node}`,
      '',
      `baseline    bare Express: raw body + verify + res.json      ${n(base.rate).padStart(7)} requests/s   (before ${n(bare1.rate)}, after ${n(bare2.rate)}; non-200: ${non200(base)})`,
      `            latency                                  ${lat(base)}`,
      cpuLine(base),
      ...line(`Patchbay    /webhooks/sandbox/<id>, LOG_LEVEL warn        `, warn),
      ...line(`            the same, LOG_LEVEL info (to /dev/null)      `, info),
      `duplicate storm: ${STORM} concurrent copies of one delivery → ${answers.filter((a) => a.status === 200).length} × 200, applied ${stormApplied}, ${stormRows} receipt row${stormRows === 1 ? '' : 's'}   ${stormOk ? 'OK' : 'FAILED'}`,
      `receipts stored ${n(stored)} of ${n(expected)}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
      '',
      `ratio Patchbay / bare Express      ${(rate / base.rate).toFixed(2).padStart(6)}`,
      `inbound verified requests/s        ${n(rate).padStart(6)}     target ≥ ${n(TARGET_RATE)}   ${ok(pass)}`,
      allOk && stormOk ? '' : 'INCOMPLETE: see non-200 answers, receipts or the duplicate storm above',
      '',
    ];
    process.stdout.write(lines.join('\n'));
    return pass && allOk && stormOk;
  } catch (err) {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    return false;
  } finally {
    bare?.closeAllConnections();
    bare?.close();
    await client.terminate();
    await pb.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (isMainThread && process.env.BENCH_NAME === 'inbound') process.exit((await benchInbound()) ? 0 : 1);

/**
 * `npm run bench -- sync`: how fast the sync engine pulls, against a plain loader of the same data.
 *
 * Starts Patchbay as `npm start` does (HTTP, graphile-worker, the Sandbox, an embedded PostgreSQL
 * in a temp dir), seeds BENCH_RECORDS (100,000) Sandbox tasks with `seedSandbox`, connects the
 * Sandbox through the admin API and measures, in one run:
 *
 * - **baseline**: the same Sandbox pages (same page size) fetched over HTTP one after the other,
 *   parsed, and written with one plain `INSERT … ON CONFLICT DO UPDATE … WHERE changed` per page
 *   into a scratch table — what a hand-written loader costs. Run before and after the engine; the
 *   faster one counts.
 * - **full pull**: a two-way rule created through the API (`POST …/rules`, enabled), whose first
 *   run graphile-worker runs as in production (chained jobs in the connection's queue): records/s
 *   of its pull phase, and the whole run (pull, then the push's first scan of the local records).
 * - **incremental**: 100 Sandbox tasks changed through the Sandbox's own store (as its API does),
 *   then a run requested like `sync` does: its time as a fraction of the full run's.
 * - **peak RSS** of this process (server, workers and bench client; PostgreSQL is its own process).
 *
 * Targets: engine / baseline ≥ 0.5, incremental ≤ 2 % of the full run, peak RSS < 300 MB.
 * Exits 1 when one is missed. Settings: BENCH_RECORDS (100000), and the SYNC_* variables.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const CHANGES = 100;
const TARGET_RATIO = 0.5;
const TARGET_INCREMENTAL = 0.02;
const TARGET_RSS_MB = 300;

const { loadConfig } = await import('../src/config/index.ts');
const { createLogger } = await import('../src/logger.ts');
const { startPatchbay } = await import('../src/main/lifecycle.ts');
const { freePort } = await import('../src/db/embedded.ts');
const { createAccount, updateRecord } = await import('../src/sandbox/store.ts');
const { seedSandbox } = await import('../src/sandbox/seed.ts');
const { objectSpec } = await import('../src/sandbox/objects.ts');
const { requestRun } = await import('../src/sync/schedule.ts');

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'patchbay-bench-sync-'));
chmodSync(dataDir, 0o755); // the postgres OS user (when running as root) must traverse it
const port = await freePort();
const env: Record<string, string> = {
  NODE_ENV: 'development',
  PORT: String(port),
  HOST: '127.0.0.1',
  DATA_DIR: dataDir,
  ENCRYPTION_KEY: Buffer.alloc(32, 5).toString('base64'),
  LOG_LEVEL: 'error',
};
for (const [k, v] of Object.entries(process.env)) if (k.startsWith('SYNC_') && v) env[k] = v;
const config = loadConfig(env);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);

process.stdout.write(`starting Patchbay with an embedded PostgreSQL…\n`);
const pb = await startPatchbay(config, createLogger('error'), { http: true, workers: true, processMetrics: false });
const pool = pb.rt.db.pool;
const token = pb.bootstrap!.token;
const api = async (p: string, init: { method?: string; json?: unknown } = {}) => {
  const res = await fetch(`${pb.url}${p}`, {
    method: init.method ?? (init.json ? 'POST' : 'GET'),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(init.json ? { body: JSON.stringify(init.json) } : {}),
  });
  const body = (await res.json()) as any;
  if (res.status >= 300) throw new Error(`${p}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body;
};

type RunRow = { id: string; status: string; phase: string; mode: string; pulled: number; pushed: number; pages: number; jobs: number; errors: number; error_message: string | null; started_at: Date | null; finished_at: Date | null };
async function latestRun(ruleId: string): Promise<RunRow | undefined> {
  const { rows } = await pool.query<RunRow>('select * from sync_runs where rule_id = $1 order by created_at desc limit 1', [ruleId]);
  return rows[0];
}
/** Polls the run every 20 ms; returns when it ended, with when its pull phase ended. */
async function waitForRun(ruleId: string, runId: string | null, t0: number): Promise<{ row: RunRow; pullMs: number; totalMs: number }> {
  let pullMs = 0;
  for (;;) {
    const row = runId ? (await pool.query<RunRow>('select * from sync_runs where id = $1', [runId])).rows[0] : await latestRun(ruleId);
    if (row && !pullMs && row.phase !== 'pull' && row.status !== 'queued') pullMs = performance.now() - t0;
    if (row && (row.status === 'succeeded' || row.status === 'failed')) {
      if (row.status === 'failed') throw new Error(`run failed: ${row.error_message}`);
      return { row, pullMs: pullMs || performance.now() - t0, totalMs: performance.now() - t0 };
    }
    await sleep(20);
  }
}

/** The plain loader: the same pages over HTTP, parsed, one batched upsert per page. */
async function baseline(key: string, pageSize: number): Promise<{ ms: number; rows: number }> {
  await pool.query('drop table if exists bench_baseline');
  await pool.query(`create table bench_baseline (id text primary key, name text, notes text, status text, due_on date, assignee_email text, tags jsonb, project text, updated_at timestamptz)`);
  const t0 = performance.now();
  let cursor: string | null = null;
  let rows = 0;
  do {
    const url = new URL(`${config.SANDBOX_URL}/tasks`);
    url.searchParams.set('limit', String(pageSize));
    if (cursor) url.searchParams.set('cursor', cursor);
    const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    const page = (await res.json()) as { data: Array<Record<string, unknown>>; next_cursor: string | null };
    await pool.query(
      `insert into bench_baseline (id, name, notes, status, due_on, assignee_email, tags, project, updated_at)
       select id, name, notes, status, due_on, assignee_email, tags, project, updated_at
         from jsonb_to_recordset($1::jsonb) as r(id text, name text, notes text, status text, due_on date, assignee_email text, tags jsonb, project text, updated_at timestamptz)
       on conflict (id) do update set name = excluded.name, notes = excluded.notes, status = excluded.status, due_on = excluded.due_on,
         assignee_email = excluded.assignee_email, tags = excluded.tags, project = excluded.project, updated_at = excluded.updated_at
       where bench_baseline.updated_at is distinct from excluded.updated_at`,
      [JSON.stringify(page.data)],
    );
    rows += page.data.length;
    cursor = page.next_cursor;
  } while (cursor);
  const ms = performance.now() - t0;
  await pool.query('drop table bench_baseline');
  return { ms, rows };
}

let exitCode = 0;
try {
  const { account, key } = await createAccount(pool, 'Bench');
  const seedStarted = performance.now();
  await seedSandbox(pool, { accountId: account.id, count: RECORDS, kind: 'tasks' });
  await pool.query('vacuum analyze sandbox.tasks');
  process.stdout.write(`seeded ${RECORDS.toLocaleString('en')} Sandbox tasks in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s\n`);
  const { connection } = await api('/api/v1/connections', { json: { provider: 'sandbox', displayName: 'Sandbox', credentials: { apiKey: key } } });
  // The engine asks the adapter for SYNC_PAGE_SIZE records a page; the adapter caps it at the Sandbox's 500.
  const pageSize = Math.min(500, config.SYNC_PAGE_SIZE);

  process.stdout.write('baseline (before)…\n');
  const base1 = await baseline(key, pageSize);

  process.stdout.write('full pull through the engine…\n');
  const rssBefore = process.memoryUsage.rss();
  const t0 = performance.now();
  const { rule } = await api(`/api/v1/connections/${connection.id}/rules`, { json: { localObject: 'tasks', remoteObject: 'tasks', direction: 'both' } });
  const full = await waitForRun(rule.id, null, t0);
  const { rows: [counts] } = await pool.query<{ tasks: string; links: string }>(
    `select (select count(*) from tasks where workspace_id = $1)::text as tasks, (select count(*) from sync_links where rule_id = $2 and remote_id is not null)::text as links`,
    [pb.bootstrap!.workspace.id, rule.id],
  );

  process.stdout.write('baseline (after)…\n');
  const base2 = await baseline(key, pageSize);
  const base = base1.ms <= base2.ms ? base1 : base2;

  process.stdout.write(`incremental run after ${CHANGES} remote changes…\n`);
  const spec = objectSpec('tasks')!;
  const { rows: picked } = await pool.query<{ id: string }>('select id from sandbox.tasks where account_id = $1 order by random() limit $2', [account.id, CHANGES]);
  for (const [i, r] of picked.entries()) await updateRecord(pool, spec, account.id, r.id, { name: `Bench change ${i}` });
  const t1 = performance.now();
  const { run } = await requestRun(pb.rt.em(), pb.bootstrap!.workspace.id, rule.id, { trigger: 'manual' });
  const inc = await waitForRun(rule.id, run.id, t1);

  const engineRate = RECORDS / (full.pullMs / 1000);
  const baseRate = base.rows / (base.ms / 1000);
  const ratio = engineRate / baseRate;
  const fraction = inc.totalMs / full.totalMs;
  const rssMb = Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 2 ** 20;
  const ok = (b: boolean) => (b ? 'PASS' : 'MISS');
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const n = (x: number) => Math.round(x).toLocaleString('en');
  const pass = { ratio: ratio >= TARGET_RATIO, inc: fraction <= TARGET_INCREMENTAL, rss: rssMb < TARGET_RSS_MB };
  const complete = Number(counts!.tasks) === RECORDS && Number(counts!.links) === RECORDS && full.row.pulled === RECORDS && inc.row.pulled === CHANGES;
  const lines = [
    '',
    `Sync pull — ${RECORDS.toLocaleString('en')} Sandbox tasks, pages of ${pageSize}, ${config.SYNC_STEPS_PER_JOB} pages per job; ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}), Node ${process.versions.node}`,
    '',
    `baseline: HTTP pages + JSON.parse + one INSERT … ON CONFLICT per page   ${s(base.ms).padStart(9)}   ${n(baseRate).padStart(7)} records/s   (before ${s(base1.ms)}, after ${s(base2.ms)})`,
    `engine:   full pull (graphile-worker jobs, ${full.row.jobs} jobs, ${full.row.pages} pages)           ${s(full.pullMs).padStart(9)}   ${n(engineRate).padStart(7)} records/s`,
    `          whole first run (pull + push's first scan of ${n(RECORDS)} local records)   ${s(full.totalMs).padStart(9)}`,
    `          → ${n(Number(counts!.tasks))} local tasks, ${n(Number(counts!.links))} links, ${full.row.errors} record errors; RSS +${((rssBefore && peakRss - rssBefore) / 2 ** 20).toFixed(0)} MB during the run`,
    `incremental run after ${CHANGES} remote changes (${inc.row.pulled} pulled, ${inc.row.pushed} pushed, ${inc.row.jobs} job${inc.row.jobs === 1 ? '' : 's'})   ${s(inc.totalMs).padStart(9)}` +
      (inc.row.started_at && inc.row.finished_at ? `   (running ${s(inc.row.finished_at.getTime() - inc.row.started_at.getTime())})` : ''),
    '',
    `ratio engine / baseline      ${ratio.toFixed(2).padStart(7)}     target ≥ ${TARGET_RATIO}    ${ok(pass.ratio)}`,
    `incremental / full run       ${(fraction * 100).toFixed(2).padStart(6)} %    target ≤ ${TARGET_INCREMENTAL * 100} %    ${ok(pass.inc)}`,
    `peak RSS                     ${rssMb.toFixed(0).padStart(4)} MB     target < ${TARGET_RSS_MB} MB  ${ok(pass.rss)}`,
    complete ? '' : `INCOMPLETE: expected ${RECORDS} tasks and links and ${CHANGES} pulled in the incremental run`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  exitCode = pass.ratio && pass.inc && pass.rss && complete ? 0 : 1;
} catch (err) {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  exitCode = 1;
} finally {
  clearInterval(sampler);
  await pb.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);

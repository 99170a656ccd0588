/**
 * Property-based sweep (issue 9): every operation of the OpenAPI document gets the bad-input
 * classes that once produced a 5xx, plus generated bad bodies, queries and path parameters, and
 * must answer each with a 4xx in the error shape. Run as the Owner, so authorization does not
 * hide the handlers. Fixed seed and a bounded number of runs per route: the same requests every
 * run, and a failure replays.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../src/http/routes/index.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { rawRequest } from '../helpers/raw-http.ts';
import { describeOperation, type BadRequest, type Operation } from './sweep/bad-requests.ts';

const SEED = 9;
const RUNS_PER_ROUTE = 60;

let app: TestApp;
let operations: Operation[];
beforeAll(async () => {
  app = await startTestApp();
  const doc = (await app.json('/api/v1/openapi.json', { token: null })) as { paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>> };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ ...op, method, path })));
});
afterAll(async () => {
  await app?.close();
});

async function send(r: BadRequest): Promise<Response> {
  const path = r.query ? `${r.path}?${r.query}` : r.path;
  if (r.socket) {
    return await rawRequest(app.url, { method: r.method, path, body: r.body, headers: { authorization: `Bearer ${app.ownerToken}`, ...r.headers } });
  }
  return await app.fetch(path, { method: r.method, body: r.body as RequestInit['body'], headers: r.headers });
}

/** Throws (for fast-check) unless the answer is a 4xx in the error shape from the route itself. */
async function expectClientError(r: BadRequest): Promise<void> {
  const res = await send(r);
  const text = await res.text();
  const where = `${r.method} ${r.path}${r.query ? `?${r.query.slice(0, 80)}` : ''} [${r.label}] → ${res.status} ${text.slice(0, 300)}`;
  if (res.status < 400 || res.status >= 500) throw new Error(`not a 4xx: ${where}`);
  let err: { code?: unknown; message?: unknown; details?: unknown; correlationId?: unknown } | undefined;
  try {
    err = (JSON.parse(text) as { error?: typeof err }).error;
  } catch {
    throw new Error(`not JSON: ${where}`);
  }
  if (typeof err?.code !== 'string' || typeof err.message !== 'string' || !err.message || !('details' in err)) throw new Error(`not the error shape: ${where}`);
  if (err.correlationId !== res.headers.get('x-correlation-id')) throw new Error(`correlation id differs from the header: ${where}`);
  // route_not_found would mean the sweep never reached the route it meant to test.
  if (err.code === 'route_not_found') throw new Error(`missed the route: ${where}`);
}

describe('bad-input sweep over the OpenAPI document', () => {
  it('covers every API route', () => {
    expect(operations.map((o) => o.operationId).sort()).toEqual(apiRoutes.map((r) => r.operationId).sort());
  });

  it(`answers every bad request with a 4xx in the error shape (seed ${SEED}, fixed cases + ${RUNS_PER_ROUTE} generated per route)`, async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const op of operations) {
      const { fixed, arbitrary } = describeOperation(op);
      for (const r of fixed) {
        sent++;
        await expectClientError(r).catch((e: Error) => failures.push(e.message));
      }
      const run = await fc.check(
        fc.asyncProperty(arbitrary, async (r) => {
          sent++;
          await expectClientError(r);
        }),
        { seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
      );
      if (run.failed) failures.push(`${op.operationId}: ${run.errorInstance instanceof Error ? run.errorInstance.message : String(run.errorInstance)} (seed ${run.seed}, path ${run.counterexamplePath})`);
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(operations.length * RUNS_PER_ROUTE);
    console.info(`bad-input sweep: ${sent} requests over ${operations.length} operations`);
  }, 120_000);
});

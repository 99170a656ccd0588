/** Drives a connector against nock replies and records exactly what it sent, for the contract checks. */
import nock from 'nock';
import { expect } from 'vitest';
import type { z } from 'zod';
import { checkRequest, instances, responseSchema, validate, type Doc, type Recorded } from './describe.ts';

export type Reply = { method: string; path: string; status: number; body?: unknown; headers?: Record<string, string> };

/** Sets up one reply per entry on `origin`, runs `fn`, and returns the requests the provider received. */
export async function exercise(origin: string, replies: Reply[], fn: () => Promise<unknown>): Promise<Recorded[]> {
  const seen: Recorded[] = [];
  for (const r of replies) {
    const scope = nock(origin)
      .intercept((p) => p.split('?')[0] === r.path, r.method)
      .reply(r.status, r.body === undefined ? '' : (r.body as nock.Body), { 'content-type': 'application/json', ...r.headers });
    scope.on('request', (req: Request, _i: unknown, body: string | undefined) => {
      seen.push({ method: req.method, url: new URL(req.url), headers: new Headers(req.headers), body: body ?? '' });
    });
  }
  await fn().catch(() => undefined);
  return seen;
}

/** Every request is an operation of the description with its required parameters and a valid body. */
export function expectRequestsValid(doc: Doc, requests: Recorded[]): void {
  expect(requests.length).toBeGreaterThan(0);
  for (const r of requests) expect(checkRequest(doc, r), `${r.method} ${r.url.pathname}`).toEqual([]);
}

/** A response fixture is valid for its operation and status. */
export function expectFixtureValid(doc: Doc, method: string, pathname: string, status: number, body: unknown): void {
  const schema = responseSchema(doc, method, pathname, status);
  expect(schema, `${method} ${pathname} ${status} has a schema`).toBeDefined();
  expect(validate(doc, schema, body), `${method} ${pathname} ${status} fixture`).toEqual([]);
}

/** The connector's zod schema accepts every instance the description allows (it is not stricter). */
export function expectSchemaNotStricter(doc: Doc, method: string, pathname: string, zodSchema: z.ZodType): void {
  const schema = responseSchema(doc, method, pathname, 200);
  for (const instance of instances(doc, schema)) {
    const parsed = zodSchema.safeParse(instance);
    expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`), JSON.stringify(instance).slice(0, 200)).toEqual([]);
  }
}

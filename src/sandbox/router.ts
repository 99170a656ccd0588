/**
 * The Sandbox's HTTP API, mounted at /sandbox/api (see ./README.md). It answers like a small
 * third-party SaaS: its own key auth, its own error shape `{ error: { code, message, issues? } }`,
 * its own rate limit — nothing of Patchbay's admin API.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Config } from '../config/index.ts';
import { inputIssues, textProblem } from '../http/input-safety.ts';
import type { Logger } from '../logger.ts';
import { egressPolicy } from '../net/egress.ts';
import { objectSpec, type ObjectSpec } from './objects.ts';
import { accountForKey, createRecord, deleteRecord, getRecord, listRecords, SandboxError, updateRecord, type Db } from './store.ts';
import { deliverChanges, listSubscriptions, subscribe, unsubscribe, type ChangeEvent, type DeliveryDeps } from './webhooks.ts';

export type SandboxDeps = {
  db: Db;
  config: Pick<Config, 'NODE_ENV' | 'EGRESS_ALLOW_PRIVATE' | 'SANDBOX_RATE_LIMIT' | 'SANDBOX_RATE_LIMIT_WINDOW_SECONDS'>;
  logger: Logger;
  /** Test seam for webhook delivery (egress policy, retry delays). */
  delivery?: Partial<DeliveryDeps>;
};

type Caller = { accountId: string; accountName: string };

/**
 * An instant PostgreSQL can hold, as UTC ISO text: zod admits offsets like `+23:59` and the year
 * 0000, which `timestamptz` refuses (a 500 if they reached the query).
 */
const instant = z.iso.datetime({ offset: true }).transform((v, ctx) => {
  const ms = Date.parse(v);
  const iso = Number.isNaN(ms) ? '' : new Date(ms).toISOString();
  if (/^(?!0000)\d{4}-/.test(iso)) return iso;
  ctx.addIssue({ code: 'custom', message: 'must be a date-time between the years 0001 and 9999' });
  return z.NEVER;
});

const listQuery = z.object({
  updated_since: instant.optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  project: z.string().max(100).optional(),
});

const webhookBody = z.strictObject({ url: z.string().max(2000) });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new SandboxError(400, 'invalid_request', 'The request is invalid.', r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
}

/** A fixed window per key, kept by the router (one per process: the server is the only one serving it). */
function rateLimiter(limit: number, windowSeconds: number) {
  const windows = new Map<string, { start: number; count: number }>();
  return (keyId: string, now = Date.now()): number | null => {
    if (limit <= 0) return null;
    const windowMs = windowSeconds * 1000;
    let w = windows.get(keyId);
    if (!w || now - w.start >= windowMs) {
      if (windows.size > 10_000) windows.clear();
      w = { start: now, count: 0 };
      windows.set(keyId, w);
    }
    w.count++;
    return w.count > limit ? Math.max(1, Math.ceil((w.start + windowMs - now) / 1000)) : null;
  };
}

/**
 * Other errors the body parser or router marks as the client's (an unsupported charset or
 * Content-Encoding, a body that does not inflate): their status, in the Sandbox's shape.
 */
function clientError(err: unknown): SandboxError | null {
  const e = err as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof e?.status !== 'number' || e.status < 400 || e.status > 499 || e.expose !== true) return null;
  const code = e.status === 415 ? 'unsupported_media_type' : 'invalid_request';
  return new SandboxError(e.status, code, `The request could not be read: ${String(e.message)}.`);
}

export function sandboxRouter(deps: SandboxDeps): Router {
  const router = express.Router();
  const overLimit = rateLimiter(deps.config.SANDBOX_RATE_LIMIT, deps.config.SANDBOX_RATE_LIMIT_WINDOW_SECONDS);
  const delivery: DeliveryDeps = { db: deps.db, config: deps.config, logger: deps.logger, ...deps.delivery };
  // The same policy refuses an internal subscription URL up front and every delivery after.
  const egress = delivery.egress ?? egressPolicy(deps.config);
  const notify = (caller: Caller, events: ChangeEvent[]) => {
    // After commit, off the request's path: a slow or failing receiver never affects the answer.
    setImmediate(() => void deliverChanges(delivery, caller.accountId, events));
  };

  router.use((req: Request, res: Response, next: NextFunction) => {
    const m = /^Bearer\s+(sbx_\S+)$/i.exec(req.get('authorization') ?? '');
    if (!m) return next(new SandboxError(401, 'unauthorized', 'Send `Authorization: Bearer sbx_…` (create a key with `npm run sandbox -- key`).'));
    accountForKey(deps.db, m[1]!).then((acct) => {
      if (!acct) return next(new SandboxError(401, 'unauthorized', 'The API key is not valid.'));
      const throttled = acct.throttled_until ? Math.ceil((acct.throttled_until.getTime() - Date.now()) / 1000) : 0;
      const wait = throttled > 0 ? throttled : overLimit(acct.key_id);
      if (wait) {
        res.setHeader('Retry-After', String(wait));
        return next(new SandboxError(429, 'rate_limited', `Too many requests; retry after ${wait} seconds.`));
      }
      res.locals.caller = { accountId: acct.id, accountName: acct.name } satisfies Caller;
      next();
    }, next);
  });

  // Bodies are read only for a known key, within its rate limit.
  router.use(express.json({ limit: '1mb' }));

  // PostgreSQL cannot store a NUL or an unpaired surrogate, and a path that does not decode makes the
  // router throw: all are the client's mistake (400), checked before any route reads them.
  router.use((req: Request, _res: Response, next: NextFunction) => {
    for (const segment of req.path.split('/')) {
      let text: string;
      try {
        text = decodeURIComponent(segment);
      } catch {
        return next(new SandboxError(400, 'invalid_request', 'The path is not valid percent-encoded UTF-8.'));
      }
      const problem = textProblem(text);
      if (problem) return next(new SandboxError(400, 'invalid_request', `The path ${problem.message}.`));
    }
    const issues = [...inputIssues(req.query, 'query'), ...inputIssues(req.body, 'body')].map((i) => ({ path: i.path, message: i.message }));
    if (issues.length) return next(new SandboxError(400, 'invalid_request', 'The request is invalid.', issues));
    next();
  });

  const caller = (res: Response) => res.locals.caller as Caller;

  router.get('/me', (_req, res) => {
    res.json({ id: caller(res).accountId, name: caller(res).accountName });
  });

  router.post('/webhooks', async (req, res) => {
    const { url } = parse(webhookBody, req.body ?? {});
    res.status(201).json(await subscribe(deps.db, caller(res).accountId, url, egress, delivery.ownReceivers));
  });
  router.get('/webhooks', async (_req, res) => {
    res.json({ data: await listSubscriptions(deps.db, caller(res).accountId) });
  });
  router.delete('/webhooks/:id', async (req, res) => {
    await unsubscribe(deps.db, caller(res).accountId, String(req.params.id));
    res.status(204).end();
  });

  const specOf = (req: Request): ObjectSpec => {
    const spec = objectSpec(String(req.params.object));
    if (!spec) throw new SandboxError(404, 'not_found', `No route ${req.method} ${req.path}.`);
    return spec;
  };
  const event = (spec: ObjectSpec, what: 'created' | 'updated' | 'deleted', id: string, c: Caller, at: unknown): ChangeEvent => ({
    type: `${spec.singular}.${what}`,
    id,
    account_id: c.accountId,
    occurred_at: String(at ?? new Date().toISOString()),
  });

  router.get('/:object', async (req, res) => {
    const spec = specOf(req);
    const q = parse(listQuery, req.query);
    const page = await listRecords(deps.db, spec, caller(res).accountId, {
      limit: q.limit,
      ...(q.updated_since ? { updatedSince: q.updated_since } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
      ...(q.project ? { project: q.project } : {}),
    });
    res.json(page);
  });

  router.get('/:object/:id', async (req, res) => {
    res.json(await getRecord(deps.db, specOf(req), caller(res).accountId, String(req.params.id)));
  });

  router.post('/:object', async (req, res) => {
    const spec = specOf(req);
    const fields = parse(spec.create, req.body ?? {});
    const key = req.get('idempotency-key');
    if (key !== undefined && (key.length < 1 || key.length > 255)) throw new SandboxError(400, 'invalid_request', 'Idempotency-Key must be 1 to 255 characters.');
    const { record, replayed } = await createRecord(deps.db, spec, caller(res).accountId, fields, key);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(replayed ? 200 : 201).json(record);
    if (!replayed) notify(caller(res), [event(spec, 'created', String(record.id), caller(res), record.updated_at)]);
  });

  router.patch('/:object/:id', async (req, res) => {
    const spec = specOf(req);
    const fields = parse(spec.patch, req.body ?? {});
    const { record, changed } = await updateRecord(deps.db, spec, caller(res).accountId, String(req.params.id), fields);
    res.json(record);
    if (changed) notify(caller(res), [event(spec, 'updated', String(record.id), caller(res), record.updated_at)]);
  });

  router.delete('/:object/:id', async (req, res) => {
    const spec = specOf(req);
    const id = String(req.params.id);
    const { changed } = await deleteRecord(deps.db, spec, caller(res).accountId, id);
    res.status(204).end();
    if (changed) notify(caller(res), [event(spec, 'deleted', id, caller(res), undefined)]);
  });

  router.use((req: Request, _res: Response, next: NextFunction) => next(new SandboxError(404, 'not_found', `No route ${req.method} ${req.path}.`)));

  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { status?: number; type?: string };
    const known =
      err instanceof SandboxError
        ? err
        : e?.type === 'entity.parse.failed'
          ? new SandboxError(400, 'invalid_json', 'The body is not valid JSON.')
          : e?.type === 'entity.too.large'
            ? new SandboxError(413, 'too_large', 'The body is over 1 MB.')
            : clientError(err);
    if (!known) deps.logger.error({ err }, 'sandbox: unexpected error');
    const out = known ?? new SandboxError(500, 'internal_error', 'Something went wrong in the sandbox.');
    res.status(out.status).json({ error: { code: out.code, message: out.message, ...(out.details ? { issues: out.details } : {}) } });
  });
  return router;
}

/**
 * Builds the Express app: the one function that wires middleware, areas of routes, health,
 * metrics, docs and the error handler. Chat bots mount their own raw-body routes first.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { authenticateToken } from '../access/api-tokens.ts';
import { authorizeOrAudit } from '../access/authorize.ts';
import { currentContext, newCorrelationId, runWithContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { scrubText } from '../logger.ts';
import type { Runtime } from '../runtime.ts';
import { VERSION } from '../version.ts';
import { mountSandbox } from '../sandbox/index.ts';
import { inboundWebhookRouter } from '../inbound/receive.ts';
import { errorHandler, sendError } from './error-handler.ts';
import { buildOpenApi } from './openapi.ts';
import type { AnyRoute, AuthContext } from './route.ts';
import { apiRoutes } from './routes/index.ts';
import { docsPage } from './docs-page.ts';
import { faviconIco, faviconSvg } from './favicon.ts';
import { mountHooks } from './hooks-ingress.ts';
import { assertSafeInput } from './input-safety.ts';
import { oauthCallbackHandler } from './oauth-callback.ts';
import { pathEncodingGuard } from './path-encoding.ts';
import { CALLBACK_CSP, DOCS_CSP, htmlSecurityHeaders } from './security-headers.ts';
import { rateLimit } from './rate-limit.ts';
import { validate } from './validate.ts';

export type AppOptions = {
  /** Mounted before any body parser (Slack's Bolt router and others that verify raw bodies). */
  rawMounts?: Array<(app: Express) => void>;
  /** Extra API routes (later features, or tests). */
  routes?: AnyRoute[];
};

const asyncHandler =
  (fn: (req: Request, res: Response) => Promise<void>): RequestHandler =>
  (req, res, next) => {
    fn(req, res).catch(next);
  };

function mountRoute(router: express.Router, rt: Runtime, route: AnyRoute): void {
  router[route.method](
    route.path,
    asyncHandler(async (req, res) => {
      const auth = res.locals.auth as AuthContext | undefined;
      if (route.auth !== false && !auth) throw new AppError('unauthenticated', 'Send `Authorization: Bearer <token>`.');
      if (route.permission && auth) {
        await authorizeOrAudit(rt, {
          workspaceId: auth.workspaceId,
          role: auth.member.role,
          action: route.permission,
          targetType: 'api',
          targetId: route.operationId,
        });
      }
      // NULs, lone surrogates, prototype keys and deep nesting anywhere (even where a schema would ignore them).
      assertSafeInput({ params: req.params, query: req.query, body: req.body });
      const params = route.params ? validate(route.params, req.params, 'params') : undefined;
      const query = route.query ? validate(route.query, req.query, 'query') : undefined;
      const body = route.body ? validate(route.body, req.body, 'body') : undefined;
      const result = await route.handler({ params, query, body, auth, rt, em: rt.em(), req, res });
      for (const [k, v] of Object.entries(result.headers ?? {})) res.setHeader(k, v);
      if (result.body === undefined) res.status(result.status).end();
      else res.status(result.status).json(result.body);
    }),
  );
}

export function createApp(rt: Runtime, opts: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', rt.config.TRUST_PROXY);
  app.set('query parser', 'simple');

  // Correlation id first, so everything after (including errors) carries it.
  app.use((req, res, next) => {
    const id = newCorrelationId(req.get('x-correlation-id') ?? req.get('x-request-id'));
    res.setHeader('X-Correlation-Id', id);
    runWithContext({ correlationId: id, actor: { via: 'api' } }, next);
  });

  // Metrics and an access log line per request.
  app.use((req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = (req.route?.path ? `${req.baseUrl}${req.route.path}` : req.baseUrl || 'unmatched') as string;
      rt.metrics.httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      // Health checks and scrapes poll every few seconds: at info they would drown the log.
      const poll = req.path === '/healthz' || req.path === '/readyz' || req.path === '/metrics';
      rt.logger[poll ? 'debug' : 'info']({ method: req.method, path: scrubText(req.path), status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    });
    next();
  });

  for (const mount of opts.rawMounts ?? []) mount(app);
  // Provider webhooks verify the exact bytes sent: their raw-body router comes before any JSON parser.
  app.use(inboundWebhookRouter(rt));
  // Custom inbound hooks verify raw bodies: mounted before the API's JSON parser.
  mountHooks(app, rt);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version: VERSION });
  });
  app.get(
    '/readyz',
    asyncHandler(async (_req, res) => {
      const checks: Record<string, string> = {};
      let ok = !rt.state.shuttingDown;
      try {
        await rt.db.pool.query('select 1');
        checks.database = 'ok';
        const pending = await rt.db.orm.migrator.getPending();
        checks.migrations = pending.length ? `${pending.length} pending` : 'ok';
        if (pending.length) ok = false;
      } catch {
        checks.database = 'unreachable';
        ok = false;
      }
      checks.workers = rt.state.workersRunning ? 'running' : rt.config.WORKER_ENABLED ? 'stopped' : 'disabled (run `npm run worker`)';
      if (rt.config.WORKER_ENABLED && !rt.state.workersRunning) ok = false;
      if (rt.state.shuttingDown) checks.server = 'shutting down';
      res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not_ready', checks, bots: rt.bots.map((b) => b.platform) });
    }),
  );
  app.get(
    '/metrics',
    asyncHandler(async (_req, res) => {
      res.setHeader('Content-Type', rt.metrics.registry.contentType);
      res.send(await rt.metrics.registry.metrics());
    }),
  );

  app.get('/oauth/callback', htmlSecurityHeaders(CALLBACK_CSP), asyncHandler(oauthCallbackHandler(rt)));

  const routes = [...apiRoutes, ...(opts.routes ?? [])];
  const openapi = buildOpenApi(routes, { version: VERSION, serverUrl: rt.config.PUBLIC_URL });
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openapi);
  });

  // API reference rendered from swagger-ui-dist's own files: no CDN, works behind firewalls.
  const swaggerDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  app.use('/docs', htmlSecurityHeaders(DOCS_CSP));
  app.use('/docs/assets', express.static(swaggerDir, { index: false, maxAge: '1h' }));
  app.get('/docs', (_req, res) => {
    res.type('html').send(docsPage('/api/v1/openapi.json'));
  });
  app.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(
      // validatorUrl: null — Swagger UI otherwise loads a badge from validator.swagger.io (no third-party hosts).
      `window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });`,
    );
  });

  // The root leads people to the reference; the icon is drawn in code (no asset files, no CDN).
  app.get('/', (_req, res) => {
    res.redirect(302, '/docs');
  });
  app.get('/favicon.ico', faviconIco);
  app.get('/favicon.svg', faviconSvg);

  const api = express.Router();
  api.use(rateLimit(rt));
  api.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));
  api.use(pathEncodingGuard(routes.map((r) => r.path)));
  api.use((req, res, next) => {
    const header = req.get('authorization');
    if (!header) return next();
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) return next(new AppError('unauthenticated', 'The Authorization header must be `Bearer <token>`.'));
    authenticateToken(rt.em(), m[1]!).then(({ token, member }) => {
      res.locals.auth = { member, workspaceId: member.workspace, tokenId: token.id } satisfies AuthContext;
      const ctx = currentContext();
      if (ctx) ctx.actor = { memberId: member.id, via: 'api' };
      next();
    }, next);
  });
  for (const route of routes) mountRoute(api, rt, route);
  app.use('/api/v1', api);

  // The Sandbox (a fake third-party SaaS for trying sync offline) when SANDBOX_ENABLED.
  mountSandbox(app, rt);

  // Unknown routes answer in the one error shape.
  app.use((req: Request, res: Response, _next: NextFunction) => {
    sendError(res, new AppError('route_not_found', `No route ${req.method} ${req.path}. See /docs for the API reference.`));
  });
  app.use(errorHandler(rt.logger));
  return app;
}

/** The OpenAPI document is valid 3.1 and covers every route; /docs renders from local assets only. */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../src/http/routes/index.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

type OpenApiDoc = {
  openapi: string;
  paths: Record<string, Record<string, { operationId?: string; security?: unknown[] }>>;
};

describe('GET /api/v1/openapi.json', () => {
  let doc: OpenApiDoc;
  beforeAll(async () => {
    const res = await app.fetch('/api/v1/openapi.json', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = (await res.json()) as OpenApiDoc;
  });

  it('is served without a token and validates as OpenAPI 3.1', async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('documents every API route under its path and method, with the security it needs', () => {
    expect(apiRoutes.length).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const r of apiRoutes) {
      const path = `/api/v1${r.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}')}`;
      const op = doc.paths[path]?.[r.method];
      if (!op) {
        missing.push(`${r.method.toUpperCase()} ${path}`);
        continue;
      }
      expect(op.operationId, `${r.method} ${path}`).toBe(r.operationId);
      expect((op.security ?? []).length > 0, `security of ${r.operationId}`).toBe(r.auth !== false);
    }
    expect(missing).toEqual([]);
    // …and nothing that is not a route.
    const documented = Object.values(doc.paths).flatMap((ops) => Object.keys(ops).filter((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k)));
    expect(documented).toHaveLength(apiRoutes.length);
  });

  it('gives operation ids that are unique, so generated clients do not collide', () => {
    const ids = apiRoutes.map((r) => r.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('GET /docs', () => {
  it('renders an HTML page whose scripts and styles all come from this server, and each of them loads', async () => {
    const res = await app.fetch('/docs', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    const urls = [...html.matchAll(/<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(urls.length).toBeGreaterThanOrEqual(2); // a stylesheet and a script at least
    const foreign = urls.filter((u) => /^(https?:)?\/\//i.test(u) && !u.startsWith(app.url));
    expect(foreign, 'no CDN: operators run Patchbay behind firewalls').toEqual([]);
    for (const u of urls) {
      const asset = await fetch(new URL(u, `${app.url}/docs`));
      expect(asset.status, u).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, u).toBeGreaterThan(0);
    }
    // The page is pointed at the document it is about.
    const scripts = await Promise.all(
      urls.filter((u) => u.endsWith('.js') && !u.includes('swagger-ui-bundle')).map(async (u) => (await fetch(new URL(u, app.url))).text()),
    );
    expect(scripts.join('\n')).toContain('/api/v1/openapi.json');
    // Swagger UI's default online validator would load a badge from validator.swagger.io.
    expect(scripts.join('\n')).toMatch(/validatorUrl:\s*null/);
  });
});

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

describe('GET / and the favicon', () => {
  it('redirects / to the API reference', async () => {
    const res = await fetch(`${app.url}/`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/docs');
    const followed = await fetch(`${app.url}/`);
    expect(followed.status).toBe(200);
    expect(followed.url).toBe(`${app.url}/docs`);
    expect(followed.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('serves /favicon.ico as a real 32×32 icon, and the SVG the docs page links', async () => {
    const ico = await fetch(`${app.url}/favicon.ico`);
    expect(ico.status).toBe(200);
    expect(ico.headers.get('content-type')).toMatch(/^image\//);
    const bytes = Buffer.from(await ico.arrayBuffer());
    // ICONDIR: reserved 0, type 1 (icon), one image of 32×32 at 32 bits per pixel, right after the directory.
    expect([bytes.readUInt16LE(0), bytes.readUInt16LE(2), bytes.readUInt16LE(4)]).toEqual([0, 1, 1]);
    expect([bytes[6], bytes[7], bytes.readUInt16LE(12)]).toEqual([32, 32, 32]);
    expect(bytes.readUInt32LE(18)).toBe(22);
    expect(bytes.length).toBe(22 + bytes.readUInt32LE(14));

    const svg = await fetch(`${app.url}/favicon.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await svg.text()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const html = await (await fetch(`${app.url}/docs`)).text();
    expect(html).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
  });
});

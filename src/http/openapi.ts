/** Generates the OpenAPI 3.1 document from the same route definitions that validate requests. */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { ERROR_CODES } from '../errors.ts';
import { errorCodesOf, errorExample, STATUS_DESCRIPTIONS, type ErrorExample } from './error-examples.ts';
import type { AnyRoute } from './route.ts';
import { errorSchema } from './schemas.ts';

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', example: 30 } } };

type Response = { description: string; headers?: unknown; content?: Record<string, { schema: unknown; examples?: Record<string, ErrorExample> }> };

/** One response per status the route can fail with, each with an example per code (real codes only). */
function errorResponses(route: AnyRoute): Record<string, Response> {
  const byStatus = new Map<number, Record<string, ErrorExample>>();
  for (const code of errorCodesOf(route)) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, { ...byStatus.get(status), [code]: errorExample(route, code) });
  }
  const out: Record<string, Response> = {};
  for (const [status, examples] of byStatus) {
    out[String(status)] = {
      description: STATUS_DESCRIPTIONS[status] ?? 'Error',
      ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
      content: { 'application/json': { schema: errorSchema, examples } },
    };
  }
  return out;
}

export function buildOpenApi(routes: AnyRoute[], info: { version: string; serverUrl: string }) {
  const registry = new OpenAPIRegistry();
  registry.register('Error', errorSchema);
  const bearer = registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token (`pb_…`) from `npm run token` or the tokens API.',
  });
  for (const r of routes) {
    const auth = r.auth !== false;
    const responses: Record<string, Response> = {};
    for (const [status, resp] of Object.entries(r.responses) as [string, { description: string; schema?: unknown }][]) {
      responses[status] = resp.schema
        ? { description: resp.description, content: { 'application/json': { schema: resp.schema } } }
        : { description: resp.description };
    }
    for (const [status, resp] of Object.entries(errorResponses(r))) responses[status] ??= resp;
    // Required only when the schema refuses a missing body (pause's reason is optional, so is its body).
    const bodyRequired = r.body ? !r.body.safeParse(undefined).success : false;
    registry.registerPath({
      method: r.method,
      path: `/api/v1${r.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`,
      operationId: r.operationId,
      summary: r.summary,
      description: [r.description, r.permission ? `Requires permission \`${r.permission}\`.` : undefined].filter(Boolean).join('\n\n') || undefined,
      tags: [r.tag],
      security: auth ? [{ [bearer.name]: [] }] : [],
      request: {
        ...(r.params ? { params: r.params } : {}),
        ...(r.query ? { query: r.query } : {}),
        ...(r.body ? { body: { required: bodyRequired, content: { 'application/json': { schema: r.body } } } } : {}),
      },
      responses: responses as never,
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Patchbay admin API',
      version: info.version,
      description:
        'Connections to third-party services, their logs, events and audit trail. Errors always have the shape `{ error: { code, message, details, correlationId } }`; each operation lists the codes it can answer, with an example per code. Every connection action answers `{ connection, … }`: the connection as it is now, with the action’s extras beside it.',
    },
    servers: [{ url: info.serverUrl }],
  });
}

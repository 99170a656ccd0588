/** Generates the OpenAPI 3.1 document from the same route definitions that validate requests. */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { AnyRoute } from './route.ts';
import { errorSchema } from './schemas.ts';

const ERROR_RESPONSES: Record<number, string> = {
  400: 'Invalid request (validation issues in `details`)',
  401: 'Missing, invalid or revoked API token',
  403: 'The token’s member lacks the role this needs',
  404: 'Not found',
};

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
    const responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }> = {};
    for (const [status, resp] of Object.entries(r.responses) as [string, { description: string; schema?: unknown }][]) {
      responses[status] = resp.schema
        ? { description: resp.description, content: { 'application/json': { schema: resp.schema } } }
        : { description: resp.description };
    }
    const errors = [400, ...(auth ? [401] : []), ...(r.permission ? [403] : []), ...(r.path.includes(':') ? [404] : [])];
    for (const s of errors) {
      responses[String(s)] ??= { description: ERROR_RESPONSES[s]!, content: { 'application/json': { schema: errorSchema } } };
    }
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
        ...(r.body ? { body: { required: true, content: { 'application/json': { schema: r.body } } } } : {}),
      },
      responses: responses as never,
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Patchbay admin API',
      version: info.version,
      description: 'Connections to third-party services, their logs, events and audit trail. Errors always have the shape `{ error: { code, message, details, correlationId } }`.',
    },
    servers: [{ url: info.serverUrl }],
  });
}

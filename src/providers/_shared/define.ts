/** Builds a `Provider` from a folder's definition and connector, validating the definition at load. */
import { AppError } from '../../errors.ts';
import {
  providerDefinitionSchema,
  type AccountInfo,
  type Connector,
  type ConnectorContext,
  type ConnectorSpec,
  type Provider,
  type ProviderDefinition,
  type TestSpec,
} from '../types.ts';
import type { ObjectAdapter } from '../../sync/types.ts';
import type { ProviderWebhooks } from '../../inbound/scheme.ts';
import { parseProviderResponse } from './parse.ts';

export class ProviderDefinitionError extends Error {
  constructor(slug: string, problems: string[]) {
    super(`Provider definition '${slug}' is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ProviderDefinitionError';
  }
}

export function parseDefinition(definition: ProviderDefinition): Provider['definition'] {
  const parsed = providerDefinitionSchema.safeParse(definition);
  if (!parsed.success) {
    throw new ProviderDefinitionError(
      String((definition as { slug?: unknown }).slug ?? '(no slug)'),
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return parsed.data;
}

/** Fills `{name}` placeholders of a path template, URI-encoding each value. */
export function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`path ${template}: no value for {${name}}`);
    return encodeURIComponent(v);
  });
}

/** Runs a declarative test: one request, the documented schema, then the account read from it. */
export async function runTestSpec(spec: TestSpec, ctx: ConnectorContext): Promise<AccountInfo> {
  const method = spec.method ?? 'GET';
  const what = `${method} ${spec.path}`;
  const res = await ctx.http.request({
    method,
    url: fillPath(spec.path, spec.params?.(ctx) ?? {}),
    ...(spec.query ? { query: spec.query } : {}),
    ...(spec.headers ? { headers: spec.headers } : {}),
    ...(method === 'POST' ? { idempotent: true } : {}),
  });
  const body = parseProviderResponse(ctx.provider, spec.response, res.body, what);
  const account = spec.account(body, ctx);
  const id = account.id === null || account.id === undefined ? '' : String(account.id);
  // The descriptions mark these ids optional; a response without one cannot identify the account.
  if (!id) {
    const name = ctx.provider.definition.displayName;
    throw new AppError('provider_error', `${name} answered ${what} without an account id`, { details: { provider: ctx.provider.definition.slug } });
  }
  return { accountId: id, accountName: account.name || id, ...(account.extra ? { extra: account.extra } : {}) };
}

/**
 * A provider from its folder: the definition, the connector, and the object adapters the sync
 * engine may use (each must pair with an object the definition declares).
 */
export function defineProvider<S extends import('zod').ZodType>(
  definition: ProviderDefinition,
  spec: ConnectorSpec<S>,
  adapters: readonly ObjectAdapter[] = [],
  extras: { webhooks?: ProviderWebhooks } = {},
): Provider {
  const parsed = parseDefinition(definition);
  for (const a of adapters) {
    if (!parsed.objects.some((o) => o.name === a.remoteObject)) {
      throw new ProviderDefinitionError(parsed.slug, [`adapter for '${a.remoteObject}' pairs with no object in the definition's objects`]);
    }
  }
  const { test, ...rest } = spec;
  const webhooks = extras.webhooks ? { webhooks: extras.webhooks } : {};
  if (typeof test === 'function') return { definition: parsed, connector: { ...rest, test }, adapters, ...webhooks };
  const testSpec = test as unknown as TestSpec;
  const connector: Connector = { ...rest, test: (ctx) => runTestSpec(testSpec, ctx) };
  return { definition: parsed, connector, testSpec, adapters, ...webhooks };
}

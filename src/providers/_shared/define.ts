/** Builds a `Provider` from a folder's definition and connector, validating the definition at load. */
import { providerDefinitionSchema, type Connector, type Provider, type ProviderDefinition } from '../types.ts';

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

export function defineProvider(definition: ProviderDefinition, connector: Connector): Provider {
  return { definition: parseDefinition(definition), connector };
}

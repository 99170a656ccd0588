/**
 * Adds test-only providers to the provider registry, for a test file that mocks it:
 *
 *   vi.mock('../../src/providers/registry.ts', async (orig) =>
 *     (await import('../fakes/registry.ts')).withTestProviders(await orig()));
 *
 * The production registry stays a constant list; only that test file's module graph sees more.
 */
import type * as Registry from '../../src/providers/registry.ts';
import type { Provider } from '../../src/providers/types.ts';
import { feedProvider, feedProvider2 } from './feed-provider.ts';

export function withTestProviders(orig: typeof Registry, extra: Provider[] = [feedProvider, feedProvider2]): typeof Registry {
  const bySlug = new Map(extra.map((p) => [p.definition.slug, p]));
  return {
    ...orig,
    providerDefinitions: [...orig.providerDefinitions, ...extra.map((p) => p.definition)],
    listProviders: () => [...orig.listProviders(), ...extra],
    hasProvider: (slug: string) => bySlug.has(slug) || orig.hasProvider(slug),
    getProvider: (slug: string) => bySlug.get(slug) ?? orig.getProvider(slug),
  };
}

/** Validates a provider's response against the zod schema of its documented shape. */
import type { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { Provider } from '../types.ts';

/**
 * Parses `body` with `schema`; a mismatch is a `provider_error` naming the paths that did not fit
 * (never the values, which may be personal data).
 */
export function parseProviderResponse<S extends z.ZodType>(provider: Provider, schema: S, body: unknown, what: string): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  throw new AppError('provider_error', `${provider.definition.displayName} answered ${what} with an unexpected shape (${problems})`, {
    details: { provider: provider.definition.slug },
  });
}

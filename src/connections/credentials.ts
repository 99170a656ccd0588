/** Stored credentials: validated on the way in, encrypted at rest, decrypted only for a provider call. */
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { IConnection } from '../entities/connection.ts';
import { AppError } from '../errors.ts';
import type { Credentials, Provider } from '../providers/types.ts';
import type { Runtime } from '../runtime.ts';

/** Decrypted credentials of a live connection (the column is lazy: read on demand, never serialized). */
export async function loadCredentials(rt: Runtime, em: EntityManager, conn: Pick<IConnection, 'id' | 'displayName'>): Promise<Credentials> {
  const rows = await em.execute<Array<{ credentials: string | null }>>('select credentials from connections where id = ?', [conn.id]);
  const ct = rows[0]?.credentials;
  if (!ct) throw new AppError('invalid_transition', `${conn.displayName} has no stored credentials. Reconnect it.`);
  return rt.vault.decrypt<Credentials>(ct);
}

/** Validates typed credential fields against the provider's declaration; values are never echoed. */
export function parseCredentialFields(provider: Provider, fields: Record<string, unknown>): Credentials {
  const spec = provider.definition.auth.credentials;
  if (provider.definition.auth.inbound) {
    const name = provider.definition.displayName;
    throw new AppError('validation_failed', `${name} takes no credentials: it calls Patchbay with a Patchbay API token pasted into ${name}. There is nothing to reconnect; test the connection to see what ${name} subscribed to.`);
  }
  if (!spec) {
    throw new AppError(
      'validation_failed',
      `${provider.definition.displayName} connects through OAuth, not typed credentials. Use POST /api/v1/connections/oauth (or \`connect ${provider.definition.slug}\` in chat).`,
    );
  }
  const shape: Record<string, z.ZodType> = {};
  for (const f of spec.fields) {
    let s = z.string({ error: `${f.label} is required` }).trim().min(1, { error: `${f.label} is required` });
    if (f.pattern) s = s.regex(new RegExp(f.pattern), { error: `${f.label} does not look right${f.help ? ` (${f.help.replace(/\.$/, '')})` : ''}` });
    shape[f.name] = f.optional ? s.optional() : s;
  }
  const parsed = z.strictObject(shape).safeParse(fields ?? {});
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ location: 'body', path: ['credentials', ...i.path].join('.'), message: i.message }));
    throw new AppError('validation_failed', `Invalid credentials for ${provider.definition.displayName}: ${details.map((d) => d.message).join('; ')}.`, { details });
  }
  return { type: spec.kind, fields: parsed.data as Record<string, string> };
}

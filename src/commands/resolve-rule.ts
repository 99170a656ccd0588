/**
 * Sync rules are named in chat by their position in `rules <connection>` (1, 2, …), by the
 * local object they sync (`tasks`), or by id (buttons). Unknown names list what exists.
 */
import { SyncRule, type ISyncRule } from '../entities/sync-rule.ts';
import { AppError } from '../errors.ts';
import { getProvider } from '../providers/registry.ts';
import type { ConnectionView } from '../connections/view.ts';
import type { CommandContext } from './types.ts';
import { code, plain } from './view.ts';

/** A connection's rules in the order `rules` lists them. */
export async function rulesOf(ctx: CommandContext, connectionId: string): Promise<ISyncRule[]> {
  return await ctx.rt.em().find(SyncRule, { connection: connectionId, workspace: ctx.workspace.id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

export function ruleLabel(r: Pick<ISyncRule, 'localObject' | 'remoteObject' | 'direction'>): string {
  const arrow = r.direction === 'both' ? '⇄' : r.direction === 'in' ? '←' : '→';
  return `${r.localObject.replace('_', ' ')} ${arrow} ${r.remoteObject}`;
}

/** The rules a command acts on: the named one, or all of the connection's when none is named. */
export async function resolveRules(ctx: CommandContext, c: ConnectionView, name: string | undefined): Promise<ISyncRule[]> {
  const rules = await rulesOf(ctx, c.id);
  if (!rules.length) {
    // Not a usage mistake (no usage lines after it): say what could sync and how to add a rule.
    const provider = getProvider(c.provider);
    const objects = provider.adapters.map((a) => a.remoteObject);
    const how = objects.length
      ? `${plain(provider.definition.displayName)} can sync ${objects.join(', ')}: an Admin adds a rule with ${code(ctx.cmd(`rules ${c.provider} add`))}, then try again.`
      : `${plain(provider.definition.displayName)} has no objects that sync yet.`;
    throw new AppError('not_found', `${plain(c.displayName)} has no sync rules yet. ${how}`, { details: { connectionId: c.id } });
  }
  if (!name) return rules;
  const needle = name.trim().toLowerCase();
  const found =
    (/^\d+$/.test(needle) ? rules[Number(needle) - 1] : undefined) ??
    rules.find((r) => r.id === needle) ??
    (() => {
      const byObject = rules.filter((r) => r.localObject === needle.replace(/[\s-]/g, '_') || r.remoteObject === needle);
      return byObject.length === 1 ? byObject[0] : undefined;
    })();
  if (found) return [found];
  const list = rules.map((r, i) => `${i + 1}. ${ruleLabel(r)}`).join(', ');
  throw new AppError('not_found', `${plain(c.displayName)} has no rule ${plain(name)}. Its rules: ${list}.`);
}

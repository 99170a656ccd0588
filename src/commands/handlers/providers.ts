import { can } from '../../access/permissions.ts';
import { oauthConfigured } from '../../connections/oauth-apps.ts';
import { AppError } from '../../errors.ts';
import { authModes } from '../../providers/docs.ts';
import { listProviders, suggestSlugs } from '../../providers/registry.ts';
import { CATEGORIES } from '../../providers/types.ts';
import type { Command } from '../types.ts';
import { bold, code, commandButton, ephemeral, plain, type Block } from '../view.ts';

const label = (category: string) => category.replace(/_/g, ' ');

const providers: Command = {
  name: 'providers',
  usage: 'providers [category]',
  grammar: { params: [{ name: 'category', kind: 'choice', choices: CATEGORIES, description: 'Only the services of this category' }] },
  examples: ['providers', 'providers crm', `providers "project management"`],
  summary: 'Lists the services Patchbay connects to, optionally of one category',
  permission: 'providers.read',
  async run(ctx, line) {
    const wanted = line.args.join(' ').trim().toLowerCase().replace(/[\s-]+/g, '_');
    if (wanted && !(CATEGORIES as readonly string[]).includes(wanted)) {
      const close = suggestSlugs(wanted, [...CATEGORIES]);
      throw new AppError(
        'validation_failed',
        `Unknown category '${plain(line.args.join(' '))}'.${close.length ? ` Did you mean ${close.map(label).join(' or ')}?` : ''} Categories: ${CATEGORIES.map(label).join(', ')}.`,
      );
    }
    const connected = await ctx.connections.list(ctx.caller);
    const count = new Map<string, number>();
    for (const c of connected) count.set(c.provider, (count.get(c.provider) ?? 0) + 1);
    const mayConnect = can(ctx.member.role, 'connections.connect');
    const chosen = listProviders().filter((p) => !wanted || p.definition.category === wanted);
    const blocks: Block[] = [{ type: 'header', text: wanted ? `Providers: ${label(wanted)}` : 'Providers' }];
    const lines: string[] = [];
    for (const p of chosen) {
      const d = p.definition;
      const modes = authModes(p);
      const oauthApp = d.auth.oauth2 ? await oauthConfigured(ctx.rt, ctx.rt.em(), ctx.workspace.id, p) : null;
      const note = d.auth.oauth2 && !oauthApp ? (d.auth.credentials ? ' (OAuth app not configured: API key only)' : ' (OAuth app not configured yet)') : '';
      const n = count.get(d.slug);
      const syncs = p.adapters.map((a) => a.remoteObject);
      const line0 = `${bold(d.displayName)} ${code(d.slug)} — ${label(d.category)} · ${modes.join(' or ')}${note}${syncs.length ? ` · syncs ${syncs.join(', ')}` : ''}${n ? ` · ${n} connected` : ''}`;
      lines.push(line0);
      const usable = Boolean(d.auth.credentials || d.auth.inbound || oauthApp);
      blocks.push({
        type: 'section',
        text: line0,
        ...(mayConnect && usable ? { accessory: commandButton('Connect', 'connect', [d.slug]) } : {}),
      });
    }
    if (!chosen.length) lines.push('No providers in this category yet.');
    blocks.push({ type: 'context', text: `Connect one with ${code(ctx.cmd('connect <provider>'))}.` });
    return ephemeral(lines.join('\n'), blocks);
  },
};

export default providers;

/**
 * `rules <connection>`: a connection's sync rules, numbered as every rule command names them,
 * with Run / Pause or Resume / Delete buttons, and Preview before a rule's first run (what its
 * initial match links and creates, src/sync/initial-match.ts). Members may look; the actions go
 * through the rules service (src/sync/rules.ts), which checks the role, audits and (un)schedules
 * the runs. Add, Edit and Edit mapping open forms (src/commands/rule-form.ts).
 */
import { can } from '../../access/permissions.ts';
import type { ConnectionView } from '../../connections/view.ts';
import type { ISyncRule } from '../../entities/sync-rule.ts';
import { SyncRun, type ISyncRun } from '../../entities/sync-run.ts';
import { AppError } from '../../errors.ts';
import { getProvider, hasProvider } from '../../providers/registry.ts';
import { previewRule } from '../../sync/match-preview.ts';
import { deleteRule, updateRule } from '../../sync/rules.ts';
import { summaryText } from '../../sync/runs.ts';
import { pollSeconds } from '../../sync/schedule.ts';
import { resolveRules, rulesOf } from '../resolve-rule.ts';
import { addRuleButton, editRuleButton, ruleFormReply } from '../rule-form.ts';
import { resolveConnection } from '../resolve.ts';
import type { Command, CommandContext } from '../types.ts';
import { bold, code, commandButton, ephemeral, formatWhen, inChannel, mention, plain, type Block, type Button, type NeutralReply } from '../view.ts';
import { CONNECTION, type Param } from '../grammar.ts';

const VERBS = ['pause', 'resume', 'delete', 'preview'] as const;
type Verb = (typeof VERBS)[number];

const RULE: Param = { name: 'rule', kind: 'text', required: true, description: 'Its number, or the object it syncs' };
const RULE_VERBS = {
  edit: 'Edits a rule’s settings through a form (Admin)',
  mapping: 'Edits a rule’s field mapping through a form (Admin)',
  preview: 'Shows what a rule’s first run would link and create (Admin)',
  pause: 'Pauses a rule (Admin)',
  resume: 'Resumes a paused rule: it runs now, then on its schedule (Admin)',
  delete: 'Deletes a rule (asks first; Admin)',
} as const;

const OBJECT_LABEL: Record<string, string> = { tasks: 'tasks', contacts: 'contacts', calendar_events: 'calendar events' };

const providerName = (slug: string) => (hasProvider(slug) ? getProvider(slug).definition.displayName : slug);

/** `tasks ⇄ Patchbay Sandbox tasks`: Patchbay's object on the left, the provider's on the right. */
export function ruleTitle(r: Pick<ISyncRule, 'localObject' | 'remoteObject' | 'direction'>, provider: string): string {
  const arrow = r.direction === 'both' ? '⇄' : r.direction === 'in' ? '←' : '→';
  return `${OBJECT_LABEL[r.localObject] ?? r.localObject} ${arrow} ${providerName(provider)} ${r.remoteObject}`;
}

const DIRECTION_TEXT = { both: 'both ways', in: 'into Patchbay only', out: 'out of Patchbay only' } as const;

function every(seconds: number): string {
  if (seconds % 3600 === 0) return `every ${seconds / 3600} h`;
  if (seconds % 60 === 0) return `every ${seconds / 60} min`;
  return `every ${seconds} s`;
}

function frequencyText(r: ISyncRule): string {
  return r.frequency === 'realtime' ? `realtime (provider webhooks; polls ${every(pollSeconds(r))} while none is registered)` : every(r.intervalSeconds);
}

function lastRunText(run: ISyncRun | null): string {
  if (!run) return 'Never run yet.';
  if (run.status === 'queued') return '⏳ A run is queued.';
  if (run.status === 'running') return `🔄 Syncing now: ${run.pulled} pulled, ${run.pushed} pushed so far.`;
  const counts = summaryText(run).replace(/^[^:]*: /, '');
  // The database's clock can be a little ahead of this process's: a run never ends in the future.
  const when = formatWhen(new Date(Math.min((run.finishedAt ?? run.createdAt).getTime(), Date.now())));
  if (run.status === 'failed') return `❌ Last run ${when} failed: ${plain((run.errorMessage ?? 'unknown error').slice(0, 200))}`;
  return `${run.errors || run.conflicts ? '⚠️' : '✅'} Last run ${when}: ${counts}.`;
}

function nextRunText(r: ISyncRule, c: ConnectionView): string {
  if (!r.enabled) return r.lastRunAt ? 'Paused: it runs again after Resume.' : 'Not scheduled yet: Preview, then Run now or Resume.';
  if (c.status !== 'connected') return `Not scheduled while ${plain(c.displayName)} is ${c.status}.`;
  return r.nextRunAt ? `Next run ${formatWhen(r.nextRunAt)}.` : 'Next run not scheduled yet.';
}

/** The buttons for one rule, only those the role may use (the click is checked again anyway). */
function ruleButtons(ctx: CommandContext, c: ConnectionView, r: ISyncRule): Button[] {
  const out: Button[] = [];
  if (r.enabled && c.status === 'connected' && can(ctx.member.role, 'connections.sync')) out.push(commandButton('Run', 'sync', [c.id, r.id], { style: 'primary' }));
  if (can(ctx.member.role, 'sync_rules.manage')) {
    // Before the first run only: afterwards the records are linked and there is nothing to match.
    if (!r.matchedAt && c.status === 'connected') out.push(commandButton('Preview', 'rules', [c.id, 'preview', r.id]));
    out.push(r.enabled ? commandButton('Pause', 'rules', [c.id, 'pause', r.id]) : commandButton('Resume', 'rules', [c.id, 'resume', r.id]));
    out.push(editRuleButton(c, r));
    out.push(commandButton('Delete', 'rules', [c.id, 'delete', r.id], { style: 'danger' }));
  }
  return out;
}

async function lastRuns(ctx: CommandContext, rules: ISyncRule[]): Promise<Map<string, ISyncRun>> {
  const out = new Map<string, ISyncRun>();
  for (const r of rules) {
    const run = await ctx.rt.em().findOne(SyncRun, { rule: r.id, workspace: ctx.workspace.id }, { orderBy: { createdAt: 'desc', id: 'desc' } });
    if (run) out.set(r.id, run);
  }
  return out;
}

/** How hints name the connection: its provider when that is unambiguous (what people type), else a placeholder. */
export async function handleOf(ctx: CommandContext, c: ConnectionView): Promise<string> {
  const live = (await ctx.connections.list(ctx.caller)).filter((x) => x.provider === c.provider);
  return live.length === 1 && live[0]!.id === c.id ? c.provider : '<connection>';
}

function noRules(ctx: CommandContext, c: ConnectionView, h: string): NeutralReply {
  const provider = getProvider(c.provider);
  const objects = provider.adapters.map((a) => a.remoteObject);
  const what = objects.length ? `${provider.definition.displayName} can sync ${objects.join(', ')}.` : `${provider.definition.displayName} has no objects that sync yet.`;
  const manage = can(ctx.member.role, 'sync_rules.manage');
  const how = !objects.length ? '' : manage ? `Add one with ${code(ctx.cmd(`rules ${h} add`))}.` : 'An Admin or Owner adds them.';
  const text = `${bold(plain(c.displayName))} has no sync rules yet. ${what}${how ? ` ${how}` : ''}`;
  return ephemeral(text, objects.length && manage ? [{ type: 'section', text }, { type: 'actions', buttons: [addRuleButton(c)] }] : undefined);
}

async function list(ctx: CommandContext, c: ConnectionView, h: string): Promise<NeutralReply> {
  const rules = await rulesOf(ctx, c.id);
  if (!rules.length) return noRules(ctx, c, h);
  const runs = await lastRuns(ctx, rules);
  const title = `Sync rules of ${plain(c.displayName)} (${rules.length})`;
  const blocks: Block[] = [{ type: 'header', text: title }];
  const lines: string[] = [title];
  rules.forEach((r, i) => {
    const state = r.enabled ? '▶️ enabled' : '⏸ paused';
    const head = `${bold(`${i + 1}. ${ruleTitle(r, c.provider)}`)} · ${DIRECTION_TEXT[r.direction]} · ${frequencyText(r)} · ${state}`;
    const facts = `${lastRunText(runs.get(r.id) ?? null)} ${nextRunText(r, c)}`;
    lines.push(head, facts);
    blocks.push({ type: 'section', text: `${head}\n${facts}` });
    const buttons = ruleButtons(ctx, c, r);
    if (buttons.length) blocks.push({ type: 'actions', buttons });
  });
  const hint = can(ctx.member.role, 'sync_rules.manage')
    ? `Name a rule by its number: ${code(ctx.cmd(`rules ${h} pause 1`))}, ${code(ctx.cmd(`sync ${h} 1`))}.`
    : 'Admins and Owners can run, pause and delete rules.';
  if (can(ctx.member.role, 'sync_rules.manage')) blocks.push({ type: 'actions', buttons: [addRuleButton(c)] });
  blocks.push({ type: 'context', text: hint });
  return ephemeral(lines.join('\n'), blocks);
}

/** The position and title a rule is shown with: `rule 1 (tasks ⇄ Patchbay Sandbox tasks)`. */
async function ruleName(ctx: CommandContext, c: ConnectionView, r: ISyncRule): Promise<string> {
  const position = (await rulesOf(ctx, c.id)).findIndex((x) => x.id === r.id) + 1;
  return `rule ${position || '?'} (${ruleTitle(r, c.provider)})`;
}

async function setEnabled(ctx: CommandContext, c: ConnectionView, r: ISyncRule, enabled: boolean): Promise<NeutralReply> {
  const name = await ruleName(ctx, c, r);
  const conn = bold(plain(c.displayName));
  if (r.enabled === enabled) {
    await ctx.authorize('sync_rules.manage', r.id);
    return ephemeral(`Sync ${name} of ${conn} is already ${enabled ? 'enabled' : 'paused'}.`);
  }
  await updateRule(ctx.rt, ctx.caller, c.id, r.id, { enabled });
  const who = mention(ctx.invocation.userId);
  const text = enabled
    ? `▶️ ${who} resumed sync ${name} of ${conn}. ${c.status === 'connected' ? `It runs now, then ${frequencyText(r)}.` : `It runs once ${plain(c.displayName)} is connected again.`}`
    : `⏸ ${who} paused sync ${name} of ${conn}: it does not run until it is resumed. Records already synced stay as they are.`;
  const fresh = { ...r, enabled } as ISyncRule;
  return inChannel(text, [
    { type: 'section', text },
    { type: 'actions', buttons: ruleButtons(ctx, c, fresh) },
  ]);
}

/** What deleting a rule keeps and what it drops (see deleteRule: links cascade, runs stay). */
function deleteConsequences(c: ConnectionView): string {
  return `Records already synced stay in Patchbay and in ${providerName(c.provider)}, and past runs stay in the log. The links between them are deleted, so a new rule for these objects would import the records again as new ones.`;
}

async function remove(ctx: CommandContext, c: ConnectionView, r: ISyncRule, confirmed: boolean): Promise<NeutralReply> {
  const name = await ruleName(ctx, c, r);
  const conn = plain(c.displayName);
  if (!confirmed) {
    // Step one checks the role now, so a Member is told at once rather than after the dialog.
    await ctx.authorize('sync_rules.manage', r.id);
    const text = `Delete sync ${name} of ${bold(conn)}? It stops syncing at once. ${deleteConsequences(c)}`;
    const button = commandButton('Delete', 'rules', [c.id, 'delete', r.id, '--confirmed'], {
      style: 'danger',
      confirm: { title: `Delete sync ${name} of ${conn}?`, text: deleteConsequences(c), confirmLabel: 'Delete', denyLabel: 'Cancel' },
    });
    return ephemeral(text, [
      { type: 'section', text: `⚠️ ${text}` },
      { type: 'actions', buttons: [button] },
    ]);
  }
  await deleteRule(ctx.rt, ctx.caller, c.id, r.id);
  const text = `🗑 ${mention(ctx.invocation.userId)} deleted sync ${name} of ${bold(conn)}. Synced records and past runs are kept.`;
  return { ...inChannel(text), replaceOriginal: Boolean(ctx.invocation.messageRef) };
}

/**
 * What the rule's first run would link and create (`previewRule` checks `sync_rules.manage`: it
 * reads the provider's whole feed). Offered with the button that starts the run.
 */
async function preview(ctx: CommandContext, c: ConnectionView, r: ISyncRule): Promise<NeutralReply> {
  const name = await ruleName(ctx, c, r);
  const p = await previewRule(ctx.rt, ctx.caller, c.id, r.id);
  const lines = [`${bold(`Preview of sync ${name}`)} of ${bold(plain(c.displayName))}: ${plain(p.summary)}`];
  if (p.firstRun) lines.push(`Existing records are matched by ${p.matchBy}.`);
  if (p.ambiguous.length) {
    const shown = p.ambiguous.slice(0, 5).map((a) => `${plain(a.key)} (${a.localCount} here, ${a.remoteCount} in ${providerName(c.provider)})`);
    const more = p.ambiguousCount > shown.length ? `, and ${p.ambiguousCount - shown.length} more` : '';
    lines.push(`Ambiguous, left unlinked: ${shown.join('; ')}${more}.`);
  }
  for (const w of p.warnings) lines.push(`⚠️ ${plain(w)}`);
  const text = lines.join('\n');
  const buttons = ruleButtons(ctx, c, r).filter((b) => b.label === 'Run' || b.label === 'Resume');
  return ephemeral(text, [{ type: 'section', text }, ...(p.firstRun && buttons.length ? [{ type: 'actions' as const, buttons }] : [])]);
}

const rules: Command = {
  name: 'rules',
  usage: 'rules <connection> [add [object] | edit|mapping|preview|pause|resume|delete <rule>]',
  grammar: {
    lead: [CONNECTION],
    verbs: [
      { name: 'list', words: [], summary: 'Lists the connection’s sync rules', params: [] },
      { name: 'add', summary: 'Adds a sync rule through a form (Admin)', params: [{ name: 'object', kind: 'text', description: 'The object to sync, e.g. tasks (else asked in the form)' }] },
      ...(['edit', 'mapping', 'preview', 'pause', 'resume', 'delete'] as const).map((v) => ({ name: v, summary: RULE_VERBS[v], params: [RULE] })),
    ],
  },
  examples: ['rules sandbox', 'rules sandbox add', 'rules sandbox preview 1', 'rules sandbox edit 1', 'rules sandbox mapping 1', 'rules sandbox pause 1', 'rules "Linear Eng" resume tasks', 'rules hubspot delete 2'],
  summary: 'Lists a connection’s sync rules with Run, Edit, Pause and Delete buttons, and Preview before a first run; adding (a form), editing, previewing, pausing, resuming and deleting need the Admin role',
  permission: 'connections.read',
  async run(ctx, line) {
    const [name, verbArg, ...ruleArgs] = line.args;
    const c = await resolveConnection(ctx, name);
    const h = await handleOf(ctx, c);
    if (verbArg === undefined) return await list(ctx, c, h);
    const form = await ruleFormReply(ctx, c, verbArg, ruleArgs);
    if (form) return form;
    const verb = verbArg.toLowerCase() as Verb;
    if (!VERBS.includes(verb)) {
      throw new AppError('validation_failed', `Unknown rules action '${plain(verbArg)}': use ${code('add')}, or ${['edit', 'mapping', ...VERBS].map((v) => code(v)).join(', ')} with the rule's number from ${code(ctx.cmd(`rules ${h}`))}. To run a rule, use ${code(ctx.cmd(`sync ${h} <rule>`))}.`);
    }
    const ruleArg = ruleArgs.join(' ').trim();
    if (!ruleArg) throw new AppError('validation_failed', `Name the rule to ${verb} by its number in ${code(ctx.cmd(`rules ${h}`))}, e.g. ${code(ctx.cmd(`rules ${h} ${verb} 1`))}.`);
    if (c.status === 'disconnected') throw new AppError('invalid_transition', `${plain(c.displayName)} is disconnected: connect it again before changing its sync rules.`);
    const [rule] = await resolveRules(ctx, c, ruleArg);
    if (verb === 'delete') return await remove(ctx, c, rule!, line.flags.has('confirmed'));
    if (verb === 'preview') return await preview(ctx, c, rule!);
    return await setEnabled(ctx, c, rule!, verb === 'resume');
  },
};

export default rules;

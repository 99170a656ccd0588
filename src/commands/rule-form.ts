/**
 * Adding and editing sync rules from chat through a form: `rules <connection> add [object]`,
 * `rules <connection> edit <rule>` and `rules <connection> mapping <rule>` reply with a form; its
 * values come back to `ruleForm` (form ids `rules:add:<connection>`, `rules:edit:<connection>:<rule>`,
 * `rules:mapping:<connection>:<rule>`) and go through the rules service (src/sync/rules.ts), which
 * checks the role, validates against the adapter and audits.
 *
 * Every form fits every platform: at most five inputs (a Discord modal holds five), each with a
 * default — object pair, direction, frequency, the adapter's filter, delete policy. The field
 * mapping is the suggested one, shown as a summary, and changed in its own form (one multiline
 * input, src/commands/mapping-text.ts) — the Edit mapping step.
 *
 * A rule added here is created disabled. Created enabled, it would be scheduled at once and the
 * scheduler could run its first import before the admin saw the preview (issue 12: "the preview
 * before the first run"). So the reply offers Preview, then Run now — which resumes the rule: it
 * runs at once and then on its schedule (`sync` refuses disabled rules, so Run now is a Resume).
 */
import type { ConnectionView } from '../connections/view.ts';
import { DELETE_POLICIES, type DeletePolicy, type ISyncRule } from '../entities/sync-rule.ts';
import { AppError } from '../errors.ts';
import { getProvider } from '../providers/registry.ts';
import { MAX_INTERVAL_SECONDS, MIN_INTERVAL_SECONDS } from '../sync/rule-input.ts';
import { adapterFor, createRule, updateRule, type RuleView } from '../sync/rules.ts';
import { DEFAULT_MAPPING_CONFIDENCE, suggestMapping } from '../sync/suggest.ts';
import { LOCAL_FIELDS, SYNC_DIRECTIONS, type MappingEntry, type ObjectAdapter, type SyncDirection, type SyncScope } from '../sync/types.ts';
import { mappingText, parseMappingText } from './mapping-text.ts';
import { resolveRules, rulesOf } from './resolve-rule.ts';
import { resolveConnection } from './resolve.ts';
import type { CommandContext, CommandOutcome, FormHandler } from './types.ts';
import { bold, code, commandButton, ephemeral, inChannel, mention, plain, type Block, type Button, type FormField, type NeutralReply } from './view.ts';

export const addRuleFormId = (connectionId: string) => `rules:add:${connectionId}`;
export const editRuleFormId = (connectionId: string, ruleId: string) => `rules:edit:${connectionId}:${ruleId}`;
export const mappingFormId = (connectionId: string, ruleId: string) => `rules:mapping:${connectionId}:${ruleId}`;

const DEFAULT_MINUTES = 5;
const OBJECT_LABEL: Record<string, string> = { tasks: 'tasks', contacts: 'contacts', calendar_events: 'calendar events' };
const DIRECTION_OPTIONS: Array<{ value: SyncDirection; label: string }> = [
  { value: 'both', label: 'Both ways' },
  { value: 'in', label: 'Into Patchbay only' },
  { value: 'out', label: 'Out of Patchbay only' },
];
const DELETE_OPTIONS: Array<{ value: DeletePolicy; label: string }> = [
  { value: 'mark', label: 'Mark removed here (keep it)' },
  { value: 'propagate', label: 'Delete it here too' },
  { value: 'ignore', label: 'Ignore the delete' },
];
const DIRECTION_TEXT: Record<SyncDirection, string> = { both: 'both ways', in: 'into Patchbay only', out: 'out of Patchbay only' };
const DELETE_TEXT: Record<DeletePolicy, string> = { mark: 'deletes marked', propagate: 'deletes propagated', ignore: 'deletes ignored' };

const providerName = (c: ConnectionView) => getProvider(c.provider).definition.displayName;
const pairTitle = (c: ConnectionView, a: Pick<ObjectAdapter, 'localObject' | 'remoteObject'>, direction: SyncDirection = 'both') =>
  `${OBJECT_LABEL[a.localObject] ?? a.localObject} ${direction === 'both' ? '⇄' : direction === 'in' ? '←' : '→'} ${providerName(c)} ${a.remoteObject}`;

function minutesText(seconds: number): string {
  return Number.isInteger(seconds / 60) ? String(seconds / 60) : String(Math.round((seconds / 60) * 100) / 100);
}
const everyText = (r: Pick<RuleView, 'frequency' | 'intervalSeconds'>) => (r.frequency === 'realtime' ? 'realtime' : `every ${minutesText(r.intervalSeconds)} min`);

/** The suggested mapping a rule created without one takes (what createRule defaults to). */
function suggested(adapter: ObjectAdapter): MappingEntry[] {
  return suggestMapping(adapter.localObject, adapter)
    .pairs.filter((p) => p.confidence >= DEFAULT_MAPPING_CONFIDENCE)
    .map(({ confidence: _c, reason: _r, ...entry }) => entry);
}

/** A mapping as a short summary: each line in code. */
export const mappingSummary = (mapping: readonly MappingEntry[]) => mapping.map((e) => code(mappingText([e]))).join(' · ');

function forbidFormOnDisconnected(c: ConnectionView): void {
  if (c.status === 'disconnected') throw new AppError('invalid_transition', `${plain(c.displayName)} is disconnected: connect it again before changing its sync rules.`);
}

function scopeField(adapters: readonly ObjectAdapter[], chosen: ObjectAdapter | undefined, current?: SyncScope): FormField | null {
  const scoped = adapters.filter((a) => a.scope);
  if (!scoped.length) return null;
  const keys = new Set(scoped.map((a) => a.scope!.key));
  const one = chosen?.scope ?? (keys.size === 1 ? scoped[0]!.scope : undefined);
  const per = scoped.map((a) => `${a.remoteObject}: ${a.scope!.label}${a.scope!.required ? ' (required)' : ''}`).join('; ');
  const initial = one && current?.[one.key];
  return {
    name: 'scope',
    label: one ? `Filter: ${one.label}` : 'Filter',
    secret: false,
    // Required only when every object the form can add needs it; else checked on submit for the object chosen.
    ...(adapters.every((a) => a.scope?.required) ? {} : { optional: true }),
    help: adapters.length > 1 || !one ? `Which records sync (${per}${adapters.length > scoped.length ? '; the others take no filter' : ''}). Empty: all.` : `Only records of this ${one.label.toLowerCase()} sync.${one.required ? '' : ' Empty: all.'}`,
    ...(initial ? { initial } : {}),
  };
}

const directionField = (initial: SyncDirection): FormField => ({ name: 'direction', label: 'Direction', secret: false, options: DIRECTION_OPTIONS, initial });
const frequencyField = (initial: string): FormField => ({
  name: 'frequency',
  label: 'Every (minutes)',
  secret: false,
  initial,
  help: `Minutes between runs (${MIN_INTERVAL_SECONDS / 60}–${MAX_INTERVAL_SECONDS / 60}), or realtime.`,
});
const deleteField = (initial: DeletePolicy): FormField => ({ name: 'deletePolicy', label: 'When deleted at the provider', secret: false, options: DELETE_OPTIONS, initial });

/** `rules <connection> add [object]`: the Add form (five inputs), after the role is checked. */
async function addForm(ctx: CommandContext, c: ConnectionView, objectArg: string): Promise<NeutralReply> {
  const adapters = getProvider(c.provider).adapters;
  if (!adapters.length) throw new AppError('validation_failed', `${providerName(c)} has no objects that sync yet.`);
  const named = objectArg ? adapters.find((a) => a.remoteObject === objectArg.toLowerCase().replace(/[\s-]/g, '_') || a.localObject === objectArg.toLowerCase().replace(/[\s-]/g, '_')) : undefined;
  if (objectArg && !named) throw new AppError('validation_failed', `${providerName(c)} does not sync '${plain(objectArg)}'; it syncs ${adapters.map((a) => a.remoteObject).join(', ')}.`);
  const chosen = named ?? (adapters.length === 1 ? adapters[0] : undefined);
  const fields: FormField[] = [
    {
      name: 'object',
      label: 'Sync',
      secret: false,
      options: adapters.map((a) => ({ value: a.remoteObject, label: pairTitle(c, a) })),
      initial: (chosen ?? adapters[0]!).remoteObject,
    },
    directionField('both'),
    frequencyField(String(DEFAULT_MINUTES)),
  ];
  const scope = scopeField(adapters, chosen);
  if (scope) fields.push(scope);
  fields.push(deleteField('mark'));
  const mappings = (chosen ? [chosen] : adapters).map((a) => `${bold(pairTitle(c, a))}: ${mappingSummary(suggested(a))}`);
  const intro = [
    `Fields map as suggested (change them after adding, with Edit mapping):`,
    ...mappings,
    'The rule starts paused: preview what its first run will do, then Run now.',
  ].join('\n');
  const title = `Add a sync rule to ${plain(c.displayName)}`;
  return ephemeral(`${title}: fill in the form.`, [
    { type: 'section', text: `➕ ${title}: fill in the form.` },
    { type: 'form', id: addRuleFormId(c.id), title: 'Add a sync rule', intro, fields, submitLabel: 'Add rule' },
  ]);
}

async function position(ctx: CommandContext, c: ConnectionView, ruleId: string): Promise<number> {
  return (await rulesOf(ctx, c.id)).findIndex((r) => r.id === ruleId) + 1;
}

/** `rules <connection> edit <rule>`: the Edit form, prefilled with the rule's settings (the object pair stays). */
async function editForm(ctx: CommandContext, c: ConnectionView, r: ISyncRule): Promise<NeutralReply> {
  const adapter = adapterFor({ providerSlug: c.provider }, r.remoteObject);
  const n = await position(ctx, c, r.id);
  const fields: FormField[] = [directionField(r.direction), frequencyField(r.frequency === 'realtime' ? 'realtime' : minutesText(r.intervalSeconds))];
  const scope = scopeField([adapter], adapter, r.scope);
  if (scope) fields.push(scope);
  fields.push(deleteField(r.deletePolicy));
  const intro = `${bold(`Rule ${n}: ${pairTitle(c, adapter, r.direction)}`)}\nMapping: ${mappingSummary(r.mapping)}\nTo change the mapping, use Edit mapping.`;
  const text = `Edit sync rule ${n} of ${plain(c.displayName)}: change the form.`;
  return ephemeral(text, [
    { type: 'section', text: `✏️ ${text}` },
    { type: 'form', id: editRuleFormId(c.id, r.id), title: `Edit sync rule ${n}`, intro, fields, submitLabel: 'Save' },
  ]);
}

/** `rules <connection> mapping <rule>`: one multiline input holding the mapping, a line per field. */
async function mappingForm(ctx: CommandContext, c: ConnectionView, r: ISyncRule): Promise<NeutralReply> {
  const adapter = adapterFor({ providerSlug: c.provider }, r.remoteObject);
  const n = await position(ctx, c, r.id);
  const intro = [
    `${bold(`Rule ${n}: ${pairTitle(c, adapter, r.direction)}`)}. One line per field: ${code('localField = providerField')} (both ways), ${code('<-')} into Patchbay only, ${code('->')} out only; a transform in brackets, e.g. ${code('name = firstname + lastname (name_parts)')}.`,
    `Patchbay ${OBJECT_LABEL[r.localObject] ?? r.localObject}: ${LOCAL_FIELDS[r.localObject].join(', ')}.`,
    `${providerName(c)} ${r.remoteObject}: ${adapter.fields.map((f) => f.name + (f.readOnly ? ' (read-only)' : '')).join(', ')}.`,
    'A changed mapping makes the next run a full pull: linked records are updated, not duplicated.',
  ].join('\n');
  const field: FormField = { name: 'mapping', label: 'Field mapping', secret: false, multiline: true, initial: mappingText(r.mapping) };
  const text = `Edit the field mapping of sync rule ${n} of ${plain(c.displayName)}.`;
  return ephemeral(text, [
    { type: 'section', text: `✏️ ${text}` },
    { type: 'form', id: mappingFormId(c.id, r.id), title: 'Edit mapping', intro, fields: [field], submitLabel: 'Save mapping' },
  ]);
}

/**
 * The form verbs of `rules <connection> <verb> …`, or null for any other verb. The role is
 * checked before a form opens (a Member is told at once, audited) and again on submit.
 */
export async function ruleFormReply(ctx: CommandContext, c: ConnectionView, verb: string, args: string[]): Promise<NeutralReply | null> {
  const v = verb.toLowerCase();
  if (v !== 'add' && v !== 'edit' && v !== 'mapping') return null;
  await ctx.authorize('sync_rules.manage', c.id);
  forbidFormOnDisconnected(c);
  const arg = args.join(' ').trim();
  if (v === 'add') return await addForm(ctx, c, arg);
  if (!arg) throw new AppError('validation_failed', `Name the rule to ${v === 'edit' ? 'edit' : 'remap'} by its number in ${code(ctx.cmd(`rules ${c.provider}`))}, e.g. ${code(ctx.cmd(`rules ${c.provider} ${v} 1`))}.`);
  const [rule] = await resolveRules(ctx, c, arg);
  return v === 'edit' ? await editForm(ctx, c, rule!) : await mappingForm(ctx, c, rule!);
}

/** The buttons of the Add rule button and each rule's Edit (only for those who may manage rules). */
export const addRuleButton = (c: ConnectionView): Button => commandButton('Add rule', 'rules', [c.id, 'add'], { style: 'primary' });
export const editRuleButton = (c: ConnectionView, r: Pick<ISyncRule, 'id'>): Button => commandButton('Edit', 'rules', [c.id, 'edit', r.id]);

// ---- submission ----

type Problems = Record<string, string>;

/** Field errors on the still-open form (chatReplyOf turns `form.<field>` details into `fieldErrors`). */
function formInvalid(problems: Problems): AppError {
  const [first] = Object.values(problems);
  return new AppError('validation_failed', `Check the form: ${first}`, { details: Object.entries(problems).map(([field, message]) => ({ path: `form.${field}`, message })) });
}

type Settings = { direction: SyncDirection; frequency: 'realtime' | 'interval'; intervalSeconds?: number; deletePolicy: DeletePolicy; scope: SyncScope };

function readSettings(values: Record<string, string>, adapter: ObjectAdapter, problems: Problems): Settings {
  const direction = (values.direction ?? 'both') as SyncDirection;
  if (!SYNC_DIRECTIONS.includes(direction)) problems.direction = `Choose ${SYNC_DIRECTIONS.join(', ')}.`;
  const deletePolicy = (values.deletePolicy ?? 'mark') as DeletePolicy;
  if (!DELETE_POLICIES.includes(deletePolicy)) problems.deletePolicy = `Choose ${DELETE_POLICIES.join(', ')}.`;
  const raw = (values.frequency ?? String(DEFAULT_MINUTES)).trim();
  const bounds = `from ${MIN_INTERVAL_SECONDS / 60} to ${MAX_INTERVAL_SECONDS / 60}`;
  let out: Settings = { direction, frequency: 'interval', deletePolicy, scope: {} };
  if (/^real[\s-]?time$/i.test(raw)) out = { ...out, frequency: 'realtime' };
  else {
    const minutes = Number(raw.replace(/\s*(m|min|mins|minutes?)$/i, ''));
    const seconds = Math.round(minutes * 60);
    if (!raw || !Number.isFinite(minutes)) problems.frequency = `'${raw}' is not a number of minutes: type a number ${bounds}, or realtime.`;
    else if (seconds < MIN_INTERVAL_SECONDS || seconds > MAX_INTERVAL_SECONDS) problems.frequency = `Type a number of minutes ${bounds} (polling faster only spends the provider's rate limit), or realtime.`;
    else out.intervalSeconds = seconds;
  }
  const typed = values.scope?.trim();
  const s = adapter.scope;
  if (typed && !s) problems.scope = `${adapter.remoteObject} take no filter: leave it empty.`;
  else if (s && typed) out.scope = { [s.key]: typed };
  else if (s?.required) problems.scope = `Required for ${adapter.remoteObject}: the ${s.label.toLowerCase()} whose ${adapter.remoteObject} this rule syncs.`;
  return out;
}

/** The rules service's validation issues (`scope.project`, `mapping.2.remote`, …) as field errors of this form. */
function problemsOf(err: unknown, fieldOf: (path: string) => string, lineOf: (path: string) => string = () => ''): Problems | null {
  if (!(err instanceof AppError)) return null;
  if (err.code === 'conflict') return { [fieldOf('remoteObject')]: err.message };
  if (err.code !== 'validation_failed' || !Array.isArray(err.details)) return null;
  const out: Problems = {};
  for (const d of err.details as Array<{ path?: string; message?: string }>) {
    if (!d.path || !d.message) continue;
    const field = fieldOf(d.path);
    const text = `${lineOf(d.path)}${d.message}`;
    out[field] = out[field] ? `${out[field]} ${text}.` : `${text}.`;
  }
  return Object.keys(out).length ? out : null;
}

async function withFieldErrors<T>(work: Promise<T>, fieldOf: (path: string) => string, lineOf?: (path: string) => string): Promise<T> {
  try {
    return await work;
  } catch (err) {
    const problems = problemsOf(err, fieldOf, lineOf);
    throw problems ? formInvalid(problems) : err;
  }
}

const settingsField = (path: string, addForm: boolean) => {
  const head = path.split('.')[0]!;
  if (head === 'scope') return 'scope';
  if (head === 'direction' || head === 'deletePolicy') return head;
  if (head === 'frequency' || head === 'intervalSeconds') return 'frequency';
  return addForm ? 'object' : 'direction';
};

/** `**1. tasks ⇄ Patchbay Sandbox tasks** · both ways · every 5 min · deletes marked`, as `rules` lists it. */
function ruleLine(c: ConnectionView, r: RuleView, n: number, adapter: ObjectAdapter): string {
  const scope = adapter.scope && r.scope[adapter.scope.key] ? ` · ${adapter.scope.label.toLowerCase()} ${plain(r.scope[adapter.scope.key]!)}` : '';
  return `${bold(`${n}. ${pairTitle(c, adapter, r.direction)}`)} · ${DIRECTION_TEXT[r.direction]} · ${everyText(r)}${scope} · ${DELETE_TEXT[r.deletePolicy]}`;
}

function afterButtons(c: ConnectionView, r: RuleView): Button[] {
  const out: Button[] = [commandButton('Preview', 'rules', [c.id, 'preview', r.id])];
  out.push(r.enabled ? commandButton('Run now', 'sync', [c.id, r.id], { style: 'primary' }) : commandButton('Run now', 'rules', [c.id, 'resume', r.id], { style: 'primary' }));
  out.push(commandButton('Edit mapping', 'rules', [c.id, 'mapping', r.id]));
  return out;
}

function ruleReply(ctx: CommandContext, c: ConnectionView, r: RuleView, head: string, extra: string[]): NeutralReply {
  const mapping = `Mapping: ${mappingSummary(r.mapping)}`;
  const lines = [head, mapping, ...extra];
  const blocks: Block[] = [
    { type: 'section', text: head },
    { type: 'context', text: mapping },
    ...extra.map((t): Block => ({ type: 'section', text: t })),
    { type: 'actions', buttons: afterButtons(c, r) },
  ];
  return inChannel(lines.join('\n'), blocks);
}

const notScheduled = (r: RuleView) =>
  r.enabled ? `▶️ It runs ${everyText(r)}.` : `⏸ Not scheduled yet: Preview what the first run will do, then Run now (or Resume) to start its schedule (${everyText(r)}).`;

async function submitAdd(ctx: CommandContext, c: ConnectionView, values: Record<string, string>): Promise<NeutralReply> {
  const provider = getProvider(c.provider);
  const object = values.object ?? provider.adapters[0]?.remoteObject ?? '';
  const adapter = provider.adapters.find((a) => a.remoteObject === object);
  if (!adapter) throw formInvalid({ object: `Choose one of ${provider.adapters.map((a) => a.remoteObject).join(', ') || 'nothing: it has no objects that sync'}.` });
  const problems: Problems = {};
  const s = readSettings(values, adapter, problems);
  if (Object.keys(problems).length) throw formInvalid(problems);
  const rule = await withFieldErrors(
    createRule(ctx.rt, ctx.caller, c.id, {
      remoteObject: adapter.remoteObject,
      direction: s.direction,
      scope: s.scope,
      frequency: s.frequency,
      intervalSeconds: s.intervalSeconds ?? DEFAULT_MINUTES * 60,
      deletePolicy: s.deletePolicy,
      // Disabled until the admin has seen the preview and runs it (see the top of this file).
      enabled: false,
    }),
    (p) => settingsField(p, true),
  );
  const n = await position(ctx, c, rule.id);
  return ruleReply(ctx, c, rule, `✅ ${mention(ctx.invocation.userId)} added a sync rule to ${bold(plain(c.displayName))}: ${ruleLine(c, rule, n, adapter)}.`, [notScheduled(rule)]);
}

async function submitEdit(ctx: CommandContext, c: ConnectionView, r: ISyncRule, values: Record<string, string>): Promise<NeutralReply> {
  const adapter = adapterFor({ providerSlug: c.provider }, r.remoteObject);
  const problems: Problems = {};
  const s = readSettings({ scope: '', ...values }, adapter, problems);
  if (Object.keys(problems).length) throw formInvalid(problems);
  const patch = { direction: s.direction, frequency: s.frequency, deletePolicy: s.deletePolicy, ...(adapter.scope ? { scope: s.scope } : {}), ...(s.intervalSeconds ? { intervalSeconds: s.intervalSeconds } : {}) };
  const before = JSON.stringify([r.direction, r.frequency, r.intervalSeconds, r.deletePolicy, r.scope]);
  const rule = await withFieldErrors(updateRule(ctx.rt, ctx.caller, c.id, r.id, patch), (p) => settingsField(p, false));
  const n = await position(ctx, c, rule.id);
  if (JSON.stringify([rule.direction, rule.frequency, rule.intervalSeconds, rule.deletePolicy, rule.scope]) === before) {
    return ephemeral(`Nothing changed: sync rule ${n} of ${bold(plain(c.displayName))} already has these settings (${ruleLine(c, rule, n, adapter)}).`);
  }
  return ruleReply(ctx, c, rule, `✏️ ${mention(ctx.invocation.userId)} changed sync rule ${n} of ${bold(plain(c.displayName))}: ${ruleLine(c, rule, n, adapter)}.`, [notScheduled(rule)]);
}

async function submitMapping(ctx: CommandContext, c: ConnectionView, r: ISyncRule, values: Record<string, string>): Promise<NeutralReply> {
  const adapter = adapterFor({ providerSlug: c.provider }, r.remoteObject);
  const parsed = parseMappingText(values.mapping ?? '');
  if (parsed.errors.length) throw formInvalid({ mapping: parsed.errors.join(' ') });
  const lineOf = (path: string) => {
    const i = /^mapping\.(\d+)/.exec(path)?.[1];
    return i === undefined ? '' : `line ${parsed.lineOf[Number(i)] ?? Number(i) + 1}: `;
  };
  const rule = await withFieldErrors(updateRule(ctx.rt, ctx.caller, c.id, r.id, { mapping: parsed.entries }), () => 'mapping', lineOf);
  const n = await position(ctx, c, rule.id);
  const changed = JSON.stringify(rule.mapping) !== JSON.stringify(r.mapping);
  const head = changed
    ? `✏️ ${mention(ctx.invocation.userId)} changed the field mapping of sync rule ${n} of ${bold(plain(c.displayName))} (${pairTitle(c, adapter, rule.direction)}). The next run is a full pull: linked records are updated, not duplicated.`
    : `The field mapping of sync rule ${n} of ${bold(plain(c.displayName))} is unchanged.`;
  return changed ? ruleReply(ctx, c, rule, head, rule.enabled ? [] : [notScheduled(rule)]) : { ...ruleReply(ctx, c, rule, head, []), visibility: 'ephemeral' };
}

/** Submissions of the three rule forms (`rules:<kind>:<connection>[:<rule>]`). */
export const ruleForm: FormHandler = {
  prefix: 'rules',
  permission: 'sync_rules.manage',
  async submit(ctx, arg, values): Promise<CommandOutcome> {
    const [kind, connectionId, ruleId] = arg.split(':');
    const c = await resolveConnection(ctx, connectionId, { includeDisconnected: true });
    forbidFormOnDisconnected(c);
    if (kind === 'add') return await submitAdd(ctx, c, values);
    const [rule] = await resolveRules(ctx, c, ruleId ?? '');
    if (kind === 'edit') return await submitEdit(ctx, c, rule!, values);
    if (kind === 'mapping') return await submitMapping(ctx, c, rule!, values);
    throw new AppError('validation_failed', 'This form is no longer supported; run the command again.');
  },
};

/**
 * A neutral form → card elements with inputs (Teams has no modal for bots without a task
 * module; a card with inputs is the documented way): the title as a bold line, the intro, then
 * per field an `Input.Text` (id = field name; `style: "password"` for a secret, `isMultiline` for
 * multiline) or an `Input.ChoiceSet` (compact), each with its `label` and `isRequired`, its help
 * as a small subtle line below, and a submit `Action.Execute` (verb `pb.form`, data `{ formId }`,
 * `associatedInputs: "auto"`: Teams merges the inputs' values into `data`; see actions.ts).
 *
 * Secrets: a secret input is never prefilled (not even with `initial`), is masked, and its help
 * line says it is stored encrypted. The bot answers the submit with the card that replaces the
 * form, so nothing typed stays on screen: the result (renderCard of a reply without a form has
 * no inputs), or `formCard(form, fieldErrors)` again with the problems shown — secret inputs
 * come back empty, other inputs with their `initial` value.
 *
 * Field errors: `errorMessage` alone shows only when Teams' own validation fails, so each error
 * is also a visible line (Attention colour) right under its input, and `errorMessage` is set so
 * a client that validates again shows the same words.
 */
import { z } from 'zod';
import type { Block, FormField } from '../../../src/commands/view.ts';
import { actionTitle, RESERVED_KEYS, VERBS } from './actions.ts';
import { toPlainText, toRichText, type RichTextBlock } from './text.ts';
import { emptyCard, type AdaptiveCard, type CardElement, type InputChoiceSet, type InputText } from './types.ts';

export type Form = Extract<Block, { type: 'form' }>;

export const FORM_LIMITS = { label: 200, placeholder: 200, help: 500, intro: 2000, error: 500, value: 4000, choices: 100, choiceTitle: 200 } as const;

/** What a secret field's help line says, whatever else it holds. */
export const SECRET_NOTE = 'Stored encrypted, never shown again.';

function input(f: FormField, error: string | undefined): InputText | InputChoiceSet {
  const label = toPlainText(f.label, FORM_LIMITS.label).trim() || f.name;
  const common = {
    id: f.name,
    label,
    isRequired: !f.optional,
    ...(error ? { errorMessage: toPlainText(error, FORM_LIMITS.error) } : !f.optional ? { errorMessage: `${label} is required.` } : {}),
    ...(f.placeholder ? { placeholder: toPlainText(f.placeholder, FORM_LIMITS.placeholder) } : {}),
    spacing: 'Medium' as const,
  };
  // A secret is never sent back to the client, not even as a prefill.
  const initial = f.secret ? undefined : f.initial;
  if (f.options?.length) {
    const choices = f.options.slice(0, FORM_LIMITS.choices).map((o) => ({ title: toPlainText(o.label, FORM_LIMITS.choiceTitle).trim() || o.value, value: o.value }));
    const value = initial !== undefined && choices.some((c) => c.value === initial) ? { value: initial } : {};
    return { type: 'Input.ChoiceSet', ...common, style: 'compact', choices, ...value };
  }
  return {
    type: 'Input.Text',
    ...common,
    maxLength: FORM_LIMITS.value,
    ...(f.secret ? { style: 'password' as const } : f.multiline ? { isMultiline: true } : {}),
    ...(initial ? { value: initial.slice(0, FORM_LIMITS.value) } : {}),
  };
}

function help(f: FormField): RichTextBlock[] {
  const text = [f.help ? toPlainText(f.help, FORM_LIMITS.help) : '', f.secret ? SECRET_NOTE : ''].filter(Boolean).join(' ');
  if (!text) return [];
  // Already flattened (and made inert) by toPlainText: shown as one literal run.
  return [{ type: 'RichTextBlock', spacing: 'None', inlines: [{ type: 'TextRun', text, size: 'Small', isSubtle: true }] }];
}

/** Throws when a field name would collide with our own data keys (a bug in the form, caught by tests). */
function checkNames(form: Form): void {
  const seen = new Set<string>();
  for (const f of form.fields) {
    if (RESERVED_KEYS.has(f.name)) throw new Error(`form ${form.id.split(':')[0]} has a field named ${f.name}, which Patchbay's Teams actions use`);
    if (seen.has(f.name)) throw new Error(`form ${form.id.split(':')[0]} has two fields named ${f.name}`);
    seen.add(f.name);
  }
}

/** The form as card elements (title, intro, inputs with help and errors, submit). */
export function formElements(form: Form, fieldErrors: Record<string, string> = {}): CardElement[] {
  checkNames(form);
  const out: CardElement[] = [...toRichText(form.title, { max: 200, style: { weight: 'Bolder', size: 'Large' } })];
  if (form.intro) out.push(...toRichText(form.intro, { max: FORM_LIMITS.intro }));
  for (const f of form.fields) {
    const error = fieldErrors[f.name];
    out.push(input(f, error), ...help(f));
    if (error) out.push(...toRichText(`⚠ ${error}`, { max: FORM_LIMITS.error, style: { color: 'Attention' } }).map((b) => ({ ...b, spacing: 'None' as const })));
  }
  // Errors for names that are no field of this form (a form-wide problem) go above the submit.
  for (const [name, error] of Object.entries(fieldErrors)) {
    if (!form.fields.some((f) => f.name === name)) out.push(...toRichText(`⚠ ${error}`, { max: FORM_LIMITS.error, style: { color: 'Attention' } }));
  }
  out.push({
    type: 'ActionSet',
    spacing: 'Medium',
    // The form rides along (never a secret's value), so a refused submit can be answered with the form again.
    actions: [{ type: 'Action.Execute', title: actionTitle(form.submitLabel), verb: VERBS.form, data: { formId: form.id, form: withoutSecrets(form) }, style: 'positive', associatedInputs: 'auto' }],
  });
  return out;
}

const withoutSecrets = (form: Form): Form => ({ ...form, fields: form.fields.map((f) => (f.secret ? { ...f, initial: undefined } : f)) });

const text = (max: number) => z.string().max(max);
const formSchema = z.object({
  type: z.literal('form'),
  id: text(500),
  title: text(1000),
  intro: text(4000).optional(),
  submitLabel: text(200),
  fields: z
    .array(
      z.object({
        name: text(100),
        label: text(1000),
        secret: z.boolean(),
        placeholder: text(1000).optional(),
        help: text(2000).optional(),
        optional: z.boolean().optional(),
        options: z.array(z.object({ value: text(500), label: text(500) })).max(FORM_LIMITS.choices).optional(),
        initial: text(FORM_LIMITS.value).optional(),
        multiline: z.boolean().optional(),
      }),
    )
    .max(50),
});

/**
 * The answer to a refused submit (the core's `fieldErrors`, nothing done): the submitted form
 * again with its problems, non-secret inputs keeping what was typed, secrets empty. Undefined
 * when the press carried no form (then the core's error reply answers).
 */
export function refusedFormCard(data: unknown, values: Record<string, string>, fieldErrors: Record<string, string>): AdaptiveCard | undefined {
  const parsed = formSchema.safeParse((data as { form?: unknown } | null)?.form);
  if (!parsed.success || parsed.data.id !== (data as { formId?: unknown }).formId) return undefined;
  const form = parsed.data as Form;
  const fields = form.fields.map((f) => (f.secret ? f : { ...f, ...(values[f.name] !== undefined ? { initial: values[f.name] } : {}) }));
  return formCard({ ...form, fields }, fieldErrors);
}

/** A card holding only the form: what a form reply shows, and the answer to a refused submit (with its errors). */
export function formCard(form: Form, fieldErrors?: Record<string, string>): AdaptiveCard {
  return emptyCard(formElements(form, fieldErrors));
}

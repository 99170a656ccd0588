/**
 * A neutral form → a Discord modal (https://discord.com/developers/docs/components/reference#label):
 * one Label (type 18: label ≤45, description ≤100 from the field's help) per field, wrapping a
 * String Select (type 3) for a choice or a Text Input (type 4; Paragraph when multiline), with
 * the field name as custom id. The intro, when there is room (a modal holds 5 components), is a
 * Text Display (type 10) above them. The modal's custom id is `f:<formId>` (custom-id.ts).
 *
 * Discord has no password input: a secret field is never prefilled, and its description says
 * it is stored encrypted and never shown again. The modal itself is visible to the user only.
 *
 * `modalValues` reads a MODAL_SUBMIT's `data.components` (Label, or legacy action rows) into
 * `{ fieldName: value }`; an empty text input or an empty select counts as not answered (as in
 * Slack). It never puts a value in an error.
 */
import {
  ComponentType,
  TextInputStyle,
  type APILabelComponent,
  type APIModalInteractionResponseCallbackData,
  type APISelectMenuOption,
  type APITextDisplayComponent,
} from 'discord.js';
import { z } from 'zod';
import type { Block, FormField } from '../../../src/commands/view.ts';
import { formCustomId } from './custom-id.ts';
import { buttonLabel, clip, toDiscord, toPlain } from './markdown.ts';

type Form = Extract<Block, { type: 'form' }>;

export const MODAL_LIMITS = {
  title: 45,
  components: 5,
  label: 45,
  description: 100,
  placeholder: 100,
  selectPlaceholder: 150,
  options: 25,
  optionText: 100,
  value: 4000,
  textDisplay: 4000,
} as const;

/** What a secret field's description says, whatever else it holds. */
export const SECRET_NOTE = 'Stored encrypted, never shown again.';

function description(f: FormField): string | undefined {
  const help = f.help ? toPlain(f.help) : '';
  if (!f.secret) return help ? clip(help, MODAL_LIMITS.description) : undefined;
  if (!help) return SECRET_NOTE;
  return `${clip(help, MODAL_LIMITS.description - SECRET_NOTE.length - 1)} ${SECRET_NOTE}`;
}

function option(o: { value: string; label: string }, initial: string | undefined): APISelectMenuOption {
  return { label: buttonLabel(o.label, MODAL_LIMITS.optionText), value: o.value.slice(0, MODAL_LIMITS.optionText), ...(o.value === initial ? { default: true } : {}) };
}

function labelled(f: FormField): APILabelComponent {
  const desc = description(f);
  const base = { type: ComponentType.Label as const, label: buttonLabel(f.label, MODAL_LIMITS.label), ...(desc ? { description: desc } : {}) };
  if (f.options?.length) {
    const required = !f.optional;
    return {
      ...base,
      component: {
        type: ComponentType.StringSelect,
        custom_id: f.name,
        options: f.options.slice(0, MODAL_LIMITS.options).map((o) => option(o, f.secret ? undefined : f.initial)),
        required,
        min_values: required ? 1 : 0,
        max_values: 1,
        ...(f.placeholder ? { placeholder: clip(toPlain(f.placeholder), MODAL_LIMITS.selectPlaceholder) } : {}),
      },
    };
  }
  return {
    ...base,
    component: {
      type: ComponentType.TextInput,
      custom_id: f.name,
      style: f.multiline ? TextInputStyle.Paragraph : TextInputStyle.Short,
      required: !f.optional,
      max_length: MODAL_LIMITS.value,
      ...(f.placeholder ? { placeholder: clip(toPlain(f.placeholder), MODAL_LIMITS.placeholder) } : {}),
      // A secret is never sent back to the client, not even as a prefill.
      ...(f.initial && !f.secret ? { value: f.initial.slice(0, MODAL_LIMITS.value) } : {}),
    },
  };
}

/** Throws when the form has more fields than a modal holds (the neutral model promises at most five). */
export function renderModal(form: Form): APIModalInteractionResponseCallbackData {
  if (form.fields.length > MODAL_LIMITS.components) throw new Error(`form ${form.id.split(':')[0]} has ${form.fields.length} fields; a Discord modal holds ${MODAL_LIMITS.components}`);
  if (!form.fields.length) throw new Error(`form ${form.id.split(':')[0]} has no fields; a Discord modal needs one`);
  const components: Array<APILabelComponent | APITextDisplayComponent> = [];
  if (form.intro && form.fields.length < MODAL_LIMITS.components) {
    components.push({ type: ComponentType.TextDisplay, content: toDiscord(form.intro, MODAL_LIMITS.textDisplay) });
  }
  components.push(...form.fields.map(labelled));
  return { custom_id: formCustomId(form.id), title: buttonLabel(form.title, MODAL_LIMITS.title), components };
}

const submitted = z.object({ custom_id: z.string().min(1).max(100), value: z.string().optional(), values: z.array(z.string()).optional() });
const submission = z.array(
  z.union([
    z.object({ type: z.literal(ComponentType.Label), component: submitted }),
    z.object({ type: z.literal(ComponentType.ActionRow), components: z.array(submitted) }),
    z.object({ type: z.literal(ComponentType.TextDisplay) }),
  ]),
);

/** The values of a submitted modal by field name. Throws (naming no value) on a shape Discord does not send. */
export function modalValues(components: unknown): Record<string, string> {
  const parsed = submission.safeParse(components);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`unexpected modal submission shape (at ${where || 'top level'})`);
  }
  const out: Record<string, string> = {};
  const read = (c: z.infer<typeof submitted>) => {
    const v = c.values ? c.values[0] : c.value;
    if (typeof v === 'string' && v !== '') out[c.custom_id] = v;
  };
  for (const row of parsed.data) {
    if ('component' in row) read(row.component);
    else if ('components' in row) row.components.forEach(read);
  }
  return out;
}

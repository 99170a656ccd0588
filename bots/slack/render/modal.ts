/**
 * A neutral form → a Slack modal (https://docs.slack.dev/surfaces/modals): one input per field
 * (block id and action id = the field name; a static select for a choice, else a plain-text
 * input, prefilled with the field's initial value), the intro as a section, and the context the
 * submission needs (form id, channel, response URL) in `private_metadata` — Slack returns it
 * signed with the `view_submission`, so it cannot be altered by the user.
 */
import type { types } from '@slack/bolt';
import { z } from 'zod';
import type { Block, FormField } from '../../../src/commands/view.ts';
import { clip, mrkdwnText, toPlain } from './mrkdwn.ts';

/** The callback id of every Patchbay modal. */
export const FORM_CALLBACK_ID = 'patchbay_form';

/** What a submission needs to know about where the form was opened. */
export const formContextSchema = z.object({
  formId: z.string().min(1),
  channelId: z.string().min(1),
  /** The response URL of the command or click that opened the form (replies when the bot cannot post in the channel). */
  responseUrl: z.string().optional(),
  messageRef: z.string().optional(),
  prefix: z.string().optional(),
  /** When the form opened (epoch seconds): its response URL expires 30 minutes after the command. */
  openedAt: z.number().int().optional(),
});
export type FormContext = z.infer<typeof formContextSchema>;

type Form = Extract<Block, { type: 'form' }>;

const plain = (text: string, max: number): types.PlainTextElement => ({ type: 'plain_text', text: clip(toPlain(text), max), emoji: true });

const option = (o: { value: string; label: string }): types.PlainTextOption => ({ text: plain(o.label, 75), value: o.value.slice(0, 150) });

/** A choice as a static select (its initial option preselected), else a text input (prefilled, one or several lines). */
function element(f: FormField): types.StaticSelect | types.PlainTextInput {
  const placeholder = f.placeholder ? { placeholder: plain(f.placeholder, 150) } : {};
  if (f.options?.length) {
    const options = f.options.slice(0, 100).map(option);
    const initial = options.find((o) => o.value === f.initial);
    return { type: 'static_select', action_id: f.name, options, ...(initial ? { initial_option: initial } : {}), ...placeholder };
  }
  return {
    type: 'plain_text_input',
    action_id: f.name,
    ...(f.initial ? { initial_value: f.initial.slice(0, 3000) } : {}),
    ...(f.multiline ? { multiline: true } : {}),
    ...placeholder,
  };
}

export function renderModal(form: Form, ctx: FormContext): types.ModalView {
  const blocks: types.KnownBlock[] = [];
  if (form.intro) blocks.push({ type: 'section', text: mrkdwnText(form.intro) });
  for (const f of form.fields) {
    const hint = [f.help, f.secret ? 'Sent only to Patchbay: stored encrypted, never shown again.' : '']
      .filter(Boolean)
      .join(' ');
    blocks.push({
      type: 'input',
      block_id: f.name,
      optional: Boolean(f.optional),
      label: plain(f.label, 2000),
      ...(hint ? { hint: plain(hint, 2000) } : {}),
      element: element(f),
    });
  }
  const metadata = JSON.stringify(ctx);
  if (metadata.length > 3000) throw new Error('modal private_metadata exceeds 3000 characters');
  return {
    type: 'modal',
    callback_id: FORM_CALLBACK_ID,
    title: plain(form.title, 24),
    submit: plain(form.submitLabel, 24),
    close: plain('Cancel', 24),
    private_metadata: metadata,
    blocks,
  };
}

type SubmittedValue = { value?: string | null; selected_option?: { value?: string } | null };

/** The values of a submitted modal, by field name (Slack: `state.values[block_id][action_id].value`, or `.selected_option.value` for a select). */
export function formValues(state: Record<string, Record<string, SubmittedValue | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [blockId, actions] of Object.entries(state ?? {})) {
    const a = actions?.[blockId];
    const v = a?.selected_option ? a.selected_option.value : a?.value;
    if (typeof v === 'string') out[blockId] = v;
  }
  return out;
}

/** Field errors for `response_action: 'errors'`, keyed by block id; errors on fields the modal lacks go on its first input. */
export function modalErrors(fieldErrors: Record<string, string>, blockIds: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(fieldErrors)) {
    const target = blockIds.includes(field) ? field : blockIds[0];
    if (!target) continue;
    out[target] = clip(out[target] ? `${out[target]} ${toPlain(message)}` : toPlain(message), 2000);
  }
  return out;
}

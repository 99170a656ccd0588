/**
 * Neutral buttons → Block Kit button elements. A command button carries its command line in
 * `value` (and, readable in logs, in `action_id`): a click runs that line back through the core as
 * the clicking user. URL buttons (OAuth authorize links) open the link; Slack still sends a click,
 * which is only acknowledged. A `confirm` becomes Slack's confirmation dialog.
 */
import type { types } from '@slack/bolt';
import { commandLine, isUrlAction, type Button, type Confirm } from '../../../src/commands/view.ts';
import { clip, toPlain } from './mrkdwn.ts';

/** Prefix of the action id of every command button (`pb:<n>:<command line>`). */
export const COMMAND_ACTION_PREFIX = 'pb:';
/** Prefix of the action id of every link button (`pb-url:<n>`). */
export const URL_ACTION_PREFIX = 'pb-url:';

const plain = (text: string, max: number): types.PlainTextElement => ({ type: 'plain_text', text: clip(toPlain(text), max), emoji: true });

export function confirmDialog(c: Confirm, danger: boolean): types.ConfirmationDialog {
  return {
    title: plain(c.title, 100),
    // Slack documents the dialog's text as plain_text (https://docs.slack.dev/reference/block-kit/composition-objects/confirmation-dialog-object).
    text: plain(c.text, 300),
    confirm: plain(c.confirmLabel, 30),
    deny: plain(c.denyLabel, 30),
    ...(danger ? { style: 'danger' as const } : {}),
  };
}

/** `n` keeps action ids unique within a block, as Slack requires. */
export function renderButton(b: Button, n: number): types.Button {
  const base = {
    type: 'button' as const,
    text: plain(b.label, 75),
    ...(b.style ? { style: b.style } : {}),
    ...(b.confirm ? { confirm: confirmDialog(b.confirm, b.style === 'danger') } : {}),
  };
  if (isUrlAction(b.action)) return { ...base, action_id: `${URL_ACTION_PREFIX}${n}`, url: b.action.url };
  const line = commandLine(b.action);
  if (line.length > 2000) throw new Error(`button command line is longer than Slack's 2000 characters (${b.action.command})`);
  return { ...base, action_id: `${COMMAND_ACTION_PREFIX}${n}:${line}`.slice(0, 255), value: line };
}

/**
 * Neutral reply → a Block Kit message (https://docs.slack.dev/reference/block-kit/blocks), within
 * Slack's limits: 50 blocks, 3000 characters of section text, 10 fields per section, 25 buttons
 * per actions block, 150 characters of header. A form is not a message block: it opens as a
 * modal (render/modal.ts); in a message it leaves a short note.
 */
import type { types } from '@slack/bolt';
import type { Block, NeutralReply } from '../../../src/commands/view.ts';
import { renderButton } from './buttons.ts';
import { clip, mrkdwnText, toMrkdwn, toPlain } from './mrkdwn.ts';

export type SlackMessage = { text: string; blocks: types.KnownBlock[] };

const MAX_BLOCKS = 50;
const mrkdwn = (text: string, max = 3000): types.MrkdwnElement => mrkdwnText(text, max);

function renderBlock(b: Block): types.KnownBlock[] {
  switch (b.type) {
    case 'header':
      return [{ type: 'header', text: { type: 'plain_text', text: clip(toPlain(b.text), 150), emoji: true } }];
    case 'section': {
      const fields = (b.fields ?? []).map((f) => mrkdwn(`**${f.label}**\n${f.value}`, 2000));
      // Slack refuses an empty section text: a section has text, fields, or both.
      if (!b.text.trim() && !fields.length) return [];
      const first: types.SectionBlock = { type: 'section' };
      if (b.text.trim()) first.text = mrkdwn(b.text);
      if (fields.length) first.fields = fields.slice(0, 10);
      if (b.accessory) first.accessory = renderButton(b.accessory, 0);
      const out: types.KnownBlock[] = [first];
      for (let i = 10; i < fields.length; i += 10) out.push({ type: 'section', fields: fields.slice(i, i + 10) });
      return out;
    }
    case 'context':
      return [{ type: 'context', elements: [mrkdwn(b.text)] }];
    case 'divider':
      return [{ type: 'divider' }];
    case 'actions': {
      const out: types.KnownBlock[] = [];
      for (let i = 0; i < b.buttons.length; i += 25) {
        out.push({ type: 'actions', elements: b.buttons.slice(i, i + 25).map((btn, j) => renderButton(btn, i + j)) });
      }
      return out;
    }
    case 'form':
      return [{ type: 'context', elements: [mrkdwn(`📝 ${b.title}: the form opens in a dialog.`)] }];
  }
}

export function renderMessage(reply: NeutralReply): SlackMessage {
  let blocks = reply.blocks.flatMap(renderBlock);
  if (blocks.length > MAX_BLOCKS) {
    blocks = [...blocks.slice(0, MAX_BLOCKS - 1), { type: 'context', elements: [mrkdwn('… more than Slack shows in one message.')] }];
  }
  return { text: toMrkdwn(reply.text, 3000), blocks };
}

/** The form of a reply, if it has one (at most one per reply). */
export function formOf(reply: NeutralReply): Extract<Block, { type: 'form' }> | undefined {
  return reply.blocks.find((b): b is Extract<Block, { type: 'form' }> => b.type === 'form');
}

/**
 * Neutral reply → a Discord message (https://discord.com/developers/docs/resources/message),
 * within Discord's limits (DISCORD_LIMITS).
 *
 * - A reply that is one plain section (no header, fields, context, divider or form; buttons are
 *   fine) becomes `content` only (≤2000; longer goes into an embed). Content messages are sent
 *   with SUPPRESS_EMBEDS, so our links do not unfurl into preview cards.
 * - Anything richer becomes one embed: the first header → title; sections → description
 *   paragraphs (each block its own paragraph: a divider adds nothing more than that blank line);
 *   section fields → embed fields (inline when short); a context → `-#` subtext lines, or the
 *   footer when it is the last block and has no markup (footers render no markdown); later
 *   headers → bold lines; a form → a short note (the form itself opens as a modal, modal.ts).
 *   Once fields have started, later text goes into fields too (named with U+200B), as embed
 *   fields always show below the description. Colour: red for errors, else neutral.
 * - Buttons (section accessories and actions, in order) → action rows of 5, at most 5 rows; a
 *   button repeating an earlier one's command is left out (Discord wants unique ids, and it would
 *   do the same). A link longer than a link button takes (512) becomes a masked link in the text.
 * - Always `allowed_mentions: { parse: [] }`: no reply ever pings anyone. Ephemeral replies get
 *   the Ephemeral flag.
 *
 * A command button whose custom id cannot fit throws (see custom-id.ts).
 */
import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  type APIEmbedField,
} from 'discord.js';
import { commandLine, isUrlAction, type Block, type Button, type NeutralReply } from '../../../src/commands/view.ts';
import { commandCustomId } from './custom-id.ts';
import { buttonLabel, clip, hasMarkup, toDiscord, toPlain } from './markdown.ts';

export type DiscordMessage = {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIActionRowComponent<APIButtonComponent>[];
  allowed_mentions: { parse: [] };
  flags?: number;
};

export const DISCORD_LIMITS = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  embedTotal: 6000,
  buttonLabel: 80,
  buttonsPerRow: 5,
  rows: 5,
  linkUrl: 512,
} as const;

export const COLOURS = { error: 0xed4245, neutral: 0x4f545c } as const;

const ZWSP = '\u200B';
/** A value this short, on one line, sits beside its neighbours. */
const INLINE_MAX = 40;

const noPings = (): { parse: [] } => ({ parse: [] });

function buttonStyle(b: Button): ButtonStyle.Primary | ButtonStyle.Danger | ButtonStyle.Secondary {
  return b.style === 'danger' ? ButtonStyle.Danger : b.style === 'primary' ? ButtonStyle.Primary : ButtonStyle.Secondary;
}

/** One neutral button as a Discord button, or (a link too long for a link button) as a masked link line for the text. */
export function renderButton(b: Button): { button: APIButtonComponent } | { linkLine: string } {
  if (isUrlAction(b.action)) {
    const url = b.action.url;
    if (url.length > DISCORD_LIMITS.linkUrl || !/^https?:\/\//.test(url)) return { linkLine: `[${buttonLabel(b.label).replace(/[[\]]/g, '')}](${url})` };
    return { button: { type: ComponentType.Button, style: ButtonStyle.Link, label: buttonLabel(b.label), url } };
  }
  return { button: { type: ComponentType.Button, style: buttonStyle(b), label: buttonLabel(b.label), custom_id: commandCustomId(commandLine(b.action), Boolean(b.confirm)) } };
}

/** Buttons → action rows (5 a row, 5 rows), duplicates left out; plus link lines and a note when something did not fit. */
function renderButtons(buttons: Button[]): { rows: APIActionRowComponent<APIButtonComponent>[]; lines: string[] } {
  const seen = new Set<string>();
  const out: APIButtonComponent[] = [];
  const lines: string[] = [];
  let dropped = 0;
  for (const b of buttons) {
    const r = renderButton(b);
    if ('linkLine' in r) {
      lines.push(r.linkLine);
      continue;
    }
    const key = 'custom_id' in r.button ? r.button.custom_id : 'url' in r.button ? `${r.button.url} ${r.button.label}` : '';
    if (seen.has(key)) continue;
    seen.add(key);
    if (out.length >= DISCORD_LIMITS.buttonsPerRow * DISCORD_LIMITS.rows) dropped++;
    else out.push(r.button);
  }
  if (dropped) lines.push(`… and ${dropped} more button${dropped === 1 ? '' : 's'} than Discord shows in one message.`);
  const rows: APIActionRowComponent<APIButtonComponent>[] = [];
  for (let i = 0; i < out.length; i += DISCORD_LIMITS.buttonsPerRow) {
    rows.push({ type: ComponentType.ActionRow, components: out.slice(i, i + DISCORD_LIMITS.buttonsPerRow) });
  }
  return { rows, lines };
}

const buttonsOf = (blocks: Block[]): Button[] =>
  blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : b.type === 'section' && b.accessory ? [b.accessory] : []));

/** The one section of a reply that reads as plain content, or null when the reply needs an embed. */
function contentText(reply: NeutralReply): string | null {
  const rest = reply.blocks.filter((b) => b.type !== 'actions');
  if (rest.length === 0) return reply.text;
  const [only] = rest;
  if (rest.length === 1 && only?.type === 'section' && !only.fields?.length) return only.text;
  return null;
}

const formNote = (title: string) => `📝 ${title}: the form opens in a dialog.`;

/** `-# ` before every line: Discord's small grey subtext. */
function subtext(text: string, max: number): string {
  const lines = text.split('\n').length;
  return toDiscord(text, Math.max(0, max - 3 * lines))
    .split('\n')
    .map((l) => (l.trim() ? `-# ${l}` : l))
    .join('\n');
}

const size = (e: APIEmbed) =>
  (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);

function field(name: string, value: string): APIEmbedField {
  const n = toDiscord(name, DISCORD_LIMITS.fieldName, 'title') || ZWSP;
  const v = toDiscord(value, DISCORD_LIMITS.fieldValue) || ZWSP;
  return { name: n, value: v, inline: v.length <= INLINE_MAX && !v.includes('\n') };
}

/** The blocks (buttons aside) as one embed; `extra` lines (overlong links, notes) end the text. */
export function renderEmbed(reply: NeutralReply, extra: string[] = []): APIEmbed {
  const L = DISCORD_LIMITS;
  const embed: APIEmbed = { color: reply.error ? COLOURS.error : COLOURS.neutral };
  const chunks: Array<{ kind: 'text' | 'subtext'; text: string }> = [];
  const fields: Array<{ name: string; value: string }> = [];
  const shown = reply.blocks.filter((b) => b.type !== 'actions' && b.type !== 'divider');
  const last = shown[shown.length - 1];
  const add = (kind: 'text' | 'subtext', text: string, name = ZWSP) => {
    if (!toPlain(text).trim()) return;
    // Fields always show below the description: once they have started, text follows as fields.
    if (fields.length) fields.push({ name, value: text });
    else chunks.push({ kind, text });
  };
  for (const b of reply.blocks) {
    switch (b.type) {
      case 'header':
        if (embed.title === undefined && !chunks.length && !fields.length) {
          const title = toDiscord(b.text, L.embedTitle, 'title');
          if (title) embed.title = title;
        }
        else if (fields.length) fields.push({ name: b.text, value: ZWSP });
        else add('text', `**${b.text}**`);
        break;
      case 'section':
        add('text', b.text);
        for (const f of b.fields ?? []) fields.push({ name: f.label, value: f.value });
        break;
      case 'context':
        // Footers render no markdown: only text without markup of ours reads right there.
        if (b === last && !hasMarkup(b.text) && toPlain(b.text).trim()) embed.footer = { text: clip(toPlain(b.text), L.footer) };
        else add('subtext', b.text);
        break;
      case 'form':
        add('text', formNote(b.title));
        break;
      case 'divider':
      case 'actions':
        break;
    }
  }
  for (const line of extra) add('text', line);

  // The description: paragraphs in order, within 4096 and what the title and footer leave of 6000.
  // Room is kept for the note that says how many fields were left out.
  const NOTE = 40;
  let budget = Math.min(L.embedDescription, L.embedTotal - size(embed) - (fields.length ? NOTE : 0));
  const parts: string[] = [];
  for (const c of chunks) {
    const room = budget - (parts.length ? 2 : 0);
    if (room <= 1) break;
    const rendered = c.kind === 'subtext' ? subtext(c.text, room) : toDiscord(c.text, room);
    if (!rendered) continue;
    parts.push(rendered);
    budget = room - rendered.length;
  }
  if (parts.length) embed.description = parts.join('\n\n');

  // Fields: at most 25, while the total stays within 6000; a last one says what was left out.
  const out: APIEmbedField[] = [];
  let total = size(embed);
  for (let i = 0; i < fields.length; i++) {
    const f = field(fields[i]!.name, fields[i]!.value);
    const left = fields.length - i;
    if (out.length === L.embedFields - 1 && left > 1) break;
    if (total + f.name.length + f.value.length > L.embedTotal - NOTE) break;
    out.push(f);
    total += f.name.length + f.value.length;
  }
  const left = fields.length - out.length;
  if (left) out.push({ name: '…', value: `${left} more not shown`, inline: false });
  if (out.length) embed.fields = out;
  if (!embed.title && !embed.description && !out.length && !embed.footer) embed.description = toDiscord(reply.text, L.embedDescription) || ZWSP;
  return embed;
}

export function renderMessage(reply: NeutralReply): DiscordMessage {
  const { rows, lines } = renderButtons(buttonsOf(reply.blocks));
  const ephemeral = reply.visibility === 'ephemeral' ? MessageFlags.Ephemeral : 0;
  const components = rows.length ? { components: rows } : {};
  const simple = contentText(reply);
  if (simple !== null) {
    const text = [simple, ...lines].filter((t) => t.trim()).join('\n');
    const content = toDiscord(text);
    if (content.length <= DISCORD_LIMITS.content) {
      return { content: content || ZWSP, ...components, allowed_mentions: noPings(), flags: ephemeral | MessageFlags.SuppressEmbeds };
    }
  }
  const embed = renderEmbed(reply, lines);
  return { embeds: [embed], ...components, allowed_mentions: noPings(), ...(ephemeral ? { flags: ephemeral } : {}) };
}

/** A message as an edit: every field is sent, since Discord keeps the fields an edit leaves out. */
export type DiscordEdit = Required<Pick<DiscordMessage, 'content' | 'embeds' | 'components'>> & { allowed_mentions: { parse: [] }; flags: number };

/**
 * A reply as an edit of a message already shown (PATCH …/messages/{id}, @original, or an
 * UpdateMessage answer). Discord changes only the fields an edit sends: a placeholder's content
 * left out would stay above a new embed, so the content, embeds and buttons are always sent (empty
 * ones clear what was there). Of the flags only SUPPRESS_EMBEDS can change on an edit: it is set
 * for a content message and cleared for an embed (a suppressed message shows no embeds at all);
 * the others a message had are sent again unchanged (`ephemeral`: whether the edited one is).
 */
export function renderEdit(reply: NeutralReply, ephemeral = reply.visibility === 'ephemeral'): DiscordEdit {
  const { content, embeds, components, allowed_mentions, flags = 0 } = renderMessage(reply);
  return {
    content: content ?? '',
    embeds: embeds ?? [],
    components: components ?? [],
    allowed_mentions,
    flags: (ephemeral ? MessageFlags.Ephemeral : 0) | (flags & MessageFlags.SuppressEmbeds),
  };
}

/**
 * Neutral reply → one Adaptive Card (schema 1.5, what Teams renders; full width) and the message
 * activity that carries it, within TEAMS_LIMITS.
 *
 * - header → a Large Bolder line; section → its paragraphs, its fields as two-column rows
 *   (label bold, value beside it; not a FactSet, whose title and value Teams parses as markdown),
 *   its accessory as an ActionSet under it; context → small subtle lines; divider → `separator`
 *   on the next element; actions → ActionSets of at most 6 (Teams' host config shows 6 actions);
 *   form → the form's inputs and submit (form.ts), with `reply.fieldErrors` shown. An error
 *   reply's first header (else first section) is in the Attention colour.
 * - All text is RichTextBlock / TextRun (text.ts): no markdown is parsed anywhere, so text from
 *   outside (`plain()`) is literal, and no card carries `msteams.entities`, so nothing mentions.
 * - Size: Teams refuses or truncates large cards (about 28 KB for a message, in UTF-8 bytes).
 *   The card is rendered with a shrinking character budget per block until its JSON fits
 *   TEAMS_LIMITS.cardBytes; if it still does not, text blocks from the end are left out (buttons
 *   and forms stay) and a last line says how many.
 * - A reply without a form renders no inputs at all: when the bot answers a form submit with the
 *   result card, the card that held the typed secret is replaced by one without it.
 *
 * `renderActivity` adds the plain fallback (`text`, `textFormat: "plain"`, and `summary` for
 * notifications): markup flattened, outside text as typed with the same invisible breaks.
 */
import type { Block, Button, Field, NeutralReply } from '../../../src/commands/view.ts';
import { renderAction } from './actions.ts';
import { formElements } from './form.ts';
import { toPlainText, toRichText, type LineStyle, type Names } from './text.ts';
import { emptyCard, type ActionSet, type AdaptiveCard, type CardAction, type CardElement, type ColumnSet } from './types.ts';

export const TEAMS_LIMITS = {
  /** UTF-8 bytes of the card's JSON. */
  cardBytes: 24_000,
  /** UTF-8 bytes of the whole activity's JSON (card, fallback text twice, envelope). */
  activityBytes: 28_000,
  fallbackChars: 400,
  actionsPerSet: 6,
  fieldLabel: 200,
} as const;

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export type RenderOptions = { names?: Names };

export type TeamsActivity = {
  type: 'message';
  text: string;
  textFormat: 'plain';
  summary: string;
  attachments: Array<{ contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE; content: AdaptiveCard }>;
};

/** Character budgets per block, tried in order until the card fits. */
const BUDGETS = [3000, 1500, 700, 300, 120] as const;

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');

/** A piece of the card: `keep` pieces (buttons, forms) are never left out to save room. */
type Unit = { elements: CardElement[]; keep: boolean; divider?: boolean };

function actionSets(buttons: Button[]): ActionSet[] {
  const actions = buttons.map(renderAction).filter((a): a is CardAction => a !== null);
  const out: ActionSet[] = [];
  for (let i = 0; i < actions.length; i += TEAMS_LIMITS.actionsPerSet) out.push({ type: 'ActionSet', actions: actions.slice(i, i + TEAMS_LIMITS.actionsPerSet) });
  return out;
}

function fieldRow(f: Field, max: number, names: Names | undefined): ColumnSet {
  const label = toRichText(f.label, { max: Math.min(max, TEAMS_LIMITS.fieldLabel), style: { weight: 'Bolder' }, names });
  const value = toRichText(f.value, { max, names });
  return {
    type: 'ColumnSet',
    spacing: 'Small',
    columns: [
      { type: 'Column', width: 1, items: label.length ? label : [{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: ' ' }] }] },
      { type: 'Column', width: 2, items: value.length ? value : [{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: '—' }] }] },
    ],
  };
}

function units(reply: NeutralReply, max: number, names: Names | undefined): Unit[] {
  const text = (t: string, style?: LineStyle): CardElement[] => toRichText(t, { max, names, ...(style ? { style } : {}) });
  const out: Unit[] = [];
  // An error reply's first header (or, without one, its first section) is in the Attention colour.
  const hasHeader = reply.blocks.some((b) => b.type === 'header');
  let alert = Boolean(reply.error);
  const colour = (kind: 'header' | 'section'): LineStyle => {
    if (!alert || (kind === 'section' && hasHeader)) return {};
    alert = false;
    return { color: 'Attention' };
  };
  for (const b of reply.blocks as Block[]) {
    switch (b.type) {
      case 'header':
        out.push({ elements: text(b.text, { size: 'Large', weight: 'Bolder', ...colour('header') }), keep: false });
        break;
      case 'section':
        out.push({ elements: text(b.text, colour('section')), keep: false });
        for (const f of b.fields ?? []) out.push({ elements: [fieldRow(f, Math.min(max, 1000), names)], keep: false });
        if (b.accessory) out.push({ elements: actionSets([b.accessory]), keep: true });
        break;
      case 'context':
        out.push({ elements: text(b.text, { size: 'Small', isSubtle: true }), keep: false });
        break;
      case 'divider':
        out.push({ elements: [], keep: true, divider: true });
        break;
      case 'actions':
        out.push({ elements: actionSets(b.buttons), keep: true });
        break;
      case 'form':
        out.push({ elements: formElements(b, reply.fieldErrors), keep: true });
        break;
    }
  }
  if (!out.some((u) => u.elements.length)) out.push({ elements: text(reply.text, colour('section')), keep: false });
  return out;
}

/** Units → body: a divider sets `separator` on the next element (a divider at the end adds nothing). */
function flatten(us: Unit[]): CardElement[] {
  const body: CardElement[] = [];
  let separator = false;
  for (const u of us) {
    if (u.divider) {
      separator = body.length > 0;
      continue;
    }
    for (const e of u.elements) {
      body.push(separator ? { ...e, separator: true } : e);
      separator = false;
    }
  }
  return body;
}

const note = (n: number): CardElement[] =>
  toRichText(`… ${n} more ${n === 1 ? 'part' : 'parts'} not shown: the message is longer than Teams shows in one card.`, { style: { size: 'Small', isSubtle: true } });

/** Neutral reply → an Adaptive Card within TEAMS_LIMITS.cardBytes. */
export function renderCard(reply: NeutralReply, opts: RenderOptions = {}): AdaptiveCard {
  let us: Unit[] = [];
  for (const max of BUDGETS) {
    us = units(reply, max, opts.names);
    const card = emptyCard(flatten(us));
    if (bytes(card) <= TEAMS_LIMITS.cardBytes) return card;
  }
  // Still too big at the smallest budget: text units from the end are left out, buttons and forms stay.
  const reserve = bytes(note(999)) + us.filter((u) => u.keep).reduce((n, u) => n + bytes(u.elements), 0);
  let used = bytes(emptyCard()) + reserve;
  const kept: Unit[] = [];
  // The note stands where the first text was left out, before the buttons and forms that follow.
  const placeholder: Unit = { elements: [], keep: true };
  let dropped = 0;
  for (const u of us) {
    if (u.keep) {
      kept.push(u);
      continue;
    }
    const size = bytes(u.elements) + 20;
    if (dropped === 0 && used + size <= TEAMS_LIMITS.cardBytes) {
      kept.push(u);
      used += size;
    } else if (dropped++ === 0) kept.push(placeholder);
  }
  placeholder.elements = dropped ? note(dropped) : [];
  const card = emptyCard(flatten(kept));
  if (bytes(card) > TEAMS_LIMITS.cardBytes) throw new Error(`a Teams card needs ${bytes(card)} bytes even without its text (at most ${TEAMS_LIMITS.cardBytes})`);
  return card;
}

/** The plain fallback of a reply: its text flattened, at most TEAMS_LIMITS.fallbackChars. */
export function fallbackText(reply: NeutralReply, opts: RenderOptions = {}): string {
  return toPlainText(reply.text, TEAMS_LIMITS.fallbackChars, opts.names).trim() || 'Patchbay';
}

/** Neutral reply → the message activity: the card as its one attachment, with the plain fallback. */
export function renderActivity(reply: NeutralReply, opts: RenderOptions = {}): TeamsActivity {
  const text = fallbackText(reply, opts);
  return { type: 'message', text, textFormat: 'plain', summary: text, attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: renderCard(reply, opts) }] };
}

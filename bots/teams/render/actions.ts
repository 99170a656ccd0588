/**
 * Buttons of Patchbay's Teams cards, and what a click on one asks for.
 *
 * A command button is a Universal Action (`Action.Execute`, Adaptive Cards 1.4+): Teams sends
 * the bot an `adaptiveCard/action` invoke with the action's `verb` and `data`, and the bot
 * answers with the card that replaces the clicked one. The click runs the button's command
 * line back through the core as the clicking user (every click is re-authorized there):
 *
 * - verb `pb.run`, data `{ line }`: runs on click;
 * - verb `pb.ask`, data `{ line, label, danger?, confirm? }`: the neutral button has a `confirm`;
 *   the bot answers with `confirmCard` (the texts ride along, so the prompt needs no lookup;
 *   a client can forge them, but only the clicker sees the prompt, and the line is what counts);
 * - verb `pb.confirm`, data `{ line, exp, mac }`: that prompt's Confirm. `exp` is the expiry
 *   (unix seconds, 15 minutes on) and `mac` 32 base64url characters of SHA-256 over the
 *   caller's signer output for `teams-confirm|<userAadId>|<exp>|<line>`. Another user, a later
 *   click or any other line fails the check;
 * - verb `pb.cancel`: its Cancel;
 * - verb `pb.form`, data `{ formId, …inputs }`: a form's submit (form.ts); Teams merges the
 *   card's input values into `data` (`associatedInputs: "auto"`).
 *
 * Every action but a form's submit has `associatedInputs: "none"`: a command button on a card that
 * also holds a form must not carry what was typed (a secret) along with its line.
 *
 * The card the bot answers an invoke with replaces the clicked card for the presser only (Teams'
 * "replace for interactor"): the confirmation card stands in for the alert in the presser's view
 * until Confirm or Cancel, and only the clicker's Confirm passes the MAC. A result for everyone is
 * also sent as an edit for all (bots/teams/turn.ts).
 *
 * URL buttons are `Action.OpenUrl` (http(s) only; others are left out). Styles: `positive` for
 * primary, `destructive` for danger. Titles are plain text (Teams renders no markdown there).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { commandLine, isUrlAction, type Button, type Confirm } from '../../../src/commands/view.ts';
import { LINK_URL_MAX, toPlainText, toRichText } from './text.ts';
import { emptyCard, type ActionStyle, type AdaptiveCard, type CardAction, type CardElement } from './types.ts';

export const VERBS = { run: 'pb.run', ask: 'pb.ask', confirm: 'pb.confirm', cancel: 'pb.cancel', form: 'pb.form' } as const;
/** How long a confirmation card's Confirm works. */
export const CONFIRM_TTL_SEC = 15 * 60;
export const ACTION_TITLE_MAX = 80;
/** Lines longer than this are not ours (the core's longest are far shorter). */
export const LINE_MAX = 4000;
const MAC_LENGTH = 32;

/** A signer such as the vault's `sign` (HMAC-SHA256): same input, same output; unforgeable without its key. */
export type Sign = (data: string) => string;
export type ConfirmContext = { userId: string; sign: Sign; nowSec: number };

/** What a `pb.ask` click shows: the button's label and danger, and its confirm texts when it has them. */
export type ConfirmPrompt = { line: string; label: string; danger?: boolean; confirm?: Confirm };

export type DecodedAction =
  | { kind: 'run'; line: string }
  | { kind: 'ask'; line: string; prompt: ConfirmPrompt }
  | { kind: 'confirmed'; line: string }
  | { kind: 'cancel' }
  | { kind: 'form'; formId: string; values: Record<string, string> }
  | { kind: 'invalid'; reason: string };

/** A title for an action: plain text, never empty. */
export const actionTitle = (label: string) => toPlainText(label, ACTION_TITLE_MAX).trim() || '…';

const styleOf = (b: Pick<Button, 'style'>): { style?: ActionStyle } =>
  b.style === 'danger' ? { style: 'destructive' } : b.style === 'primary' ? { style: 'positive' } : {};

/** One neutral button as a card action; null for a link Teams could not open (not http(s), or too long). */
export function renderAction(b: Button): CardAction | null {
  const title = actionTitle(b.label);
  if (isUrlAction(b.action)) {
    const url = b.action.url;
    if (!/^https?:\/\/\S+$/.test(url) || url.length > LINK_URL_MAX) return null;
    return { type: 'Action.OpenUrl', title, url, ...styleOf(b) };
  }
  const line = commandLine(b.action);
  if (!b.confirm) return { type: 'Action.Execute', title, verb: VERBS.run, data: { line }, ...styleOf(b), associatedInputs: 'none' };
  return { type: 'Action.Execute', title, verb: VERBS.ask, data: askData({ line, label: b.label, ...(b.style === 'danger' ? { danger: true } : {}), confirm: b.confirm }), ...styleOf(b), associatedInputs: 'none' };
}

const askData = (p: ConfirmPrompt): Record<string, unknown> => ({ line: p.line, label: p.label, ...(p.danger ? { danger: true } : {}), ...(p.confirm ? { confirm: p.confirm } : {}) });

/** The asking button again (a Cancel's answer offers it, so the user can change their mind). */
export function askAction(p: ConfirmPrompt): CardAction {
  return { type: 'Action.Execute', title: actionTitle(p.label), verb: VERBS.ask, data: askData(p), ...(p.danger ? { style: 'destructive' as const } : {}), associatedInputs: 'none' };
}

/** The prompt a Cancel's data carries (the button that asked), if any. */
export function cancelledPrompt(data: unknown): ConfirmPrompt | undefined {
  const p = schemas.ask.safeParse(data);
  if (!p.success) return undefined;
  const { line: l, label, danger, confirm } = p.data;
  return { line: l, label, ...(danger ? { danger } : {}), ...(confirm ? { confirm } : {}) };
}

/**
 * Marks every Action.Execute of a card sent as a targeted (private) message: a press on it says
 * so (`targeted: true`), and the bot then posts a result meant for everyone as a new message
 * instead of editing a message only the presser can see. A forged flag changes only that.
 */
export function markTargeted<T>(card: T): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = k === 'data' ? v : walk(v);
    if (out.type === 'Action.Execute') out.data = { ...(out.data as Record<string, unknown>), targeted: true };
    return out;
  };
  return walk(card) as T;
}

/** Whether the pressed card was a targeted (private) message: see markTargeted. */
export const pressedTargeted = (data: unknown): boolean => Boolean(data && typeof data === 'object' && (data as { targeted?: unknown }).targeted === true);

function macOf(sign: Sign, userId: string, exp: number, line: string): string {
  // Hashing the signer's output makes the length and alphabet ours, whatever the signer returns.
  return createHash('sha256').update(sign(`teams-confirm|${userId}|${exp}|${line}`)).digest('base64url').slice(0, MAC_LENGTH);
}

/** The data of a Confirm action: works for `ctx.userId`, for this line, until 15 minutes after `ctx.nowSec`. */
export function confirmedData(line: string, ctx: ConfirmContext): { line: string; exp: number; mac: string } {
  const exp = Math.floor(ctx.nowSec) + CONFIRM_TTL_SEC;
  return { line, exp, mac: macOf(ctx.sign, ctx.userId, exp, line) };
}

/**
 * The card a `pb.ask` click is answered with: the confirm's title and text, Confirm
 * (destructive when the button is, else positive) and Cancel. Without confirm texts, a generic
 * question. It replaces the clicked card; only `ctx.userId` can confirm it.
 */
export function confirmCard(prompt: ConfirmPrompt, ctx: ConfirmContext): AdaptiveCard {
  const c = prompt.confirm ?? { title: `${prompt.label}?`, text: 'Are you sure?', confirmLabel: prompt.label, denyLabel: 'Cancel' };
  const body: CardElement[] = [...toRichText(c.title, { max: 200, style: { weight: 'Bolder', size: 'Large' } }), ...toRichText(c.text, { max: 2000 })];
  body.push({
    type: 'ActionSet',
    spacing: 'Medium',
    actions: [
      { type: 'Action.Execute', title: actionTitle(c.confirmLabel), verb: VERBS.confirm, data: confirmedData(prompt.line, ctx), style: prompt.danger ? 'destructive' : 'positive', associatedInputs: 'none' },
      // Cancel carries the asking button's data, so the card it answers with can offer the button again.
      { type: 'Action.Execute', title: actionTitle(c.denyLabel), verb: VERBS.cancel, data: askData(prompt), associatedInputs: 'none' },
    ],
  });
  return emptyCard(body);
}

/** The prompt of a neutral button with a `confirm` (what its `pb.ask` data carries). */
export function promptOf(b: Button): ConfirmPrompt {
  if (isUrlAction(b.action)) throw new Error('a link button has nothing to confirm');
  return { line: commandLine(b.action), label: b.label, ...(b.style === 'danger' ? { danger: true } : {}), ...(b.confirm ? { confirm: b.confirm } : {}) };
}

/** Keys of a form submit's data that are ours, not inputs. */
export const RESERVED_KEYS = new Set(['formId', 'form', 'targeted', 'line', 'exp', 'mac', 'verb', 'msteams']);

/**
 * The values of a submitted form by input id: string values only, `formId` and our other keys
 * left out, an empty answer counts as not answered. Throws (naming no value) when `data` is not
 * an object. Never log what it returns.
 */
export function formValues(data: unknown): Record<string, string> {
  const parsed = z.record(z.string(), z.unknown()).safeParse(data);
  if (!parsed.success) throw new Error('unexpected form submission shape (not an object)');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed.data)) {
    if (RESERVED_KEYS.has(k) || typeof v !== 'string' || v === '') continue;
    out[k] = v;
  }
  return out;
}

const line = z.string().min(1).max(LINE_MAX);
const confirmSchema = z.object({ title: z.string().max(1000), text: z.string().max(4000), confirmLabel: z.string().max(200), denyLabel: z.string().max(200) });
const schemas = {
  run: z.object({ line }),
  ask: z.object({ line, label: z.string().max(200).default('Confirm'), danger: z.boolean().optional(), confirm: confirmSchema.optional() }),
  confirm: z.object({ line, exp: z.number().int().positive(), mac: z.string().regex(/^[A-Za-z0-9_-]+$/).max(64) }),
  form: z.object({ formId: z.string().min(1).max(500) }),
};

function sameMac(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What a clicked action asks for. A Confirm is checked: the clicker, the expiry and the line must all match its MAC. */
export function decodeAction(verb: unknown, data: unknown, ctx: ConfirmContext): DecodedAction {
  switch (verb) {
    case VERBS.run: {
      const p = schemas.run.safeParse(data);
      return p.success ? { kind: 'run', line: p.data.line } : { kind: 'invalid', reason: 'malformed command line' };
    }
    case VERBS.ask: {
      const p = schemas.ask.safeParse(data);
      if (!p.success) return { kind: 'invalid', reason: 'malformed command line' };
      const { line: l, label, danger, confirm } = p.data;
      return { kind: 'ask', line: l, prompt: { line: l, label, ...(danger ? { danger } : {}), ...(confirm ? { confirm } : {}) } };
    }
    case VERBS.confirm: {
      const p = schemas.confirm.safeParse(data);
      if (!p.success) return { kind: 'invalid', reason: 'malformed confirmation' };
      const { line: l, exp, mac } = p.data;
      // Checked before the expiry, so a forged confirmation learns nothing from which check failed.
      if (!sameMac(mac, macOf(ctx.sign, ctx.userId, exp, l))) return { kind: 'invalid', reason: 'confirmation is not valid for this user or action' };
      if (!(exp > ctx.nowSec) || exp > ctx.nowSec + CONFIRM_TTL_SEC + 60) return { kind: 'invalid', reason: 'confirmation expired' };
      return { kind: 'confirmed', line: l };
    }
    case VERBS.cancel:
      return { kind: 'cancel' };
    case VERBS.form: {
      const p = schemas.form.safeParse(data);
      if (!p.success) return { kind: 'invalid', reason: 'malformed form submission' };
      return { kind: 'form', formId: p.data.formId, values: formValues(data) };
    }
    default:
      return { kind: 'invalid', reason: 'not a Patchbay action' };
  }
}

/**
 * Custom ids of Patchbay's Discord buttons and modals (Discord allows 100 characters). A command
 * button carries its command line, so a click runs that line back through the core as the
 * clicking user (every click is re-authorized there):
 *
 * - `c:<line>` runs on click;
 * - `q:<line>` asks first (the neutral button has a `confirm`): the click answers with
 *   `confirmPrompt`, an ephemeral Confirm / Cancel prompt;
 * - `y:<exp>.<mac>:<line>` is that prompt's Confirm: `exp` the expiry (unix seconds, base36,
 *   15 minutes on), `mac` 16 base64url characters of an HMAC over
 *   `discord-confirm|<userId>|<exp>|<line>` made with the caller's signer. Another user, a later
 *   click, or any other line (another connection or rule) fails the check;
 * - `n` is its Cancel;
 * - `f:<formId>` names the form a modal submits.
 *
 * Lines and form ids hold UUIDs, which would not fit twice: every lowercase UUID is written `~`
 * + its 16 bytes in base64url (22 characters), and a literal `~` as `~~`.
 *
 * An id that would not fit (for a `q:` button: its later `y:` id) throws `CustomIdTooLongError`
 * while the message is rendered: a button that could never work is a bug to catch in tests, not a
 * message to post. test/discord/custom-id.test.ts checks every command button the core makes.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ButtonStyle, ComponentType, MessageFlags } from 'discord.js';
import { commandLine, isUrlAction, type Button } from '../../../src/commands/view.ts';
import { buttonLabel, toDiscord } from './markdown.ts';
import type { DiscordMessage } from './message.ts';

export const CUSTOM_ID_MAX = 100;
/** How long a confirmation prompt's Confirm button works. */
export const CONFIRM_TTL_SEC = 15 * 60;
/** The custom id of a confirmation prompt's Cancel button. */
export const CANCEL_ID = 'n';

/** A signer such as the vault's `sign` (HMAC-SHA256): same input, same output; unforgeable without its key. */
export type Sign = (data: string) => string;
export type ConfirmContext = { userId: string; sign: Sign; nowSec: number };

export type DecodedCustomId =
  | { kind: 'run'; line: string }
  | { kind: 'ask'; line: string }
  | { kind: 'confirmed'; line: string }
  | { kind: 'cancel' }
  | { kind: 'invalid'; reason: string };

export class CustomIdTooLongError extends Error {
  override name = 'CustomIdTooLongError';
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const B64 = /^[A-Za-z0-9_-]{22}$/;
const MAC_LENGTH = 16;

/** `rules 6f1c…` → `rules ~bxw…`: UUIDs in 22 characters, `~` doubled. */
export function compress(s: string): string {
  return s.replace(/~/g, '~~').replace(UUID, (u) => `~${Buffer.from(u.replace(/-/g, ''), 'hex').toString('base64url')}`);
}

/** The inverse of `compress`; null when the text could not have come from it. */
export function expand(s: string): string | null {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch !== '~') {
      out += ch;
      continue;
    }
    if (s[i + 1] === '~') {
      out += '~';
      i++;
      continue;
    }
    const b64 = s.slice(i + 1, i + 23);
    if (!B64.test(b64)) return null;
    const bytes = Buffer.from(b64, 'base64url');
    // Only the canonical spelling (the last character's spare bits zero) decodes.
    if (bytes.length !== 16 || bytes.toString('base64url') !== b64) return null;
    const hex = bytes.toString('hex');
    out += `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    i += 22;
  }
  return out;
}

function fit(id: string, what: string): string {
  if (id.length > CUSTOM_ID_MAX) {
    throw new CustomIdTooLongError(`${what} needs a ${id.length}-character Discord custom id (at most ${CUSTOM_ID_MAX})`);
  }
  return id;
}

/** The expiry a Confirm id gets, and the longest one (`y:` ids are checked at that length). */
const expiryOf = (nowSec: number) => Math.floor(nowSec + CONFIRM_TTL_SEC).toString(36);
// Unix seconds stay 6 base36 digits until the year 2038 + …; 7 covers far beyond.
const MAX_EXP_DIGITS = 7;

function macOf(sign: Sign, userId: string, exp: string, line: string): string {
  // Hashing the signer's output makes the length and alphabet ours, whatever the signer returns.
  return createHash('sha256').update(sign(`discord-confirm|${userId}|${exp}|${line}`)).digest('base64url').slice(0, MAC_LENGTH);
}

/** Length of the `y:` id for this line, at the longest expiry. */
const confirmedLength = (line: string) => `y:${'0'.repeat(MAX_EXP_DIGITS)}.${'0'.repeat(MAC_LENGTH)}:${compress(line)}`.length;

/** The custom id of a command button: `c:` runs on click, `q:` (`ask: true`) asks first. Throws when it (or its later Confirm id) cannot fit. */
export function commandCustomId(line: string, ask: boolean): string {
  if (ask && confirmedLength(line) > CUSTOM_ID_MAX) {
    throw new CustomIdTooLongError(`the Confirm button of \`${line.split(' ')[0]}\` needs a ${confirmedLength(line)}-character Discord custom id (at most ${CUSTOM_ID_MAX})`);
  }
  return fit(`${ask ? 'q' : 'c'}:${compress(line)}`, `the button \`${line.split(' ')[0]}\``);
}

/** The Confirm id of a confirmation prompt: works for `ctx.userId`, for this line, until 15 minutes after `ctx.nowSec`. */
export function confirmedCustomId(line: string, ctx: ConfirmContext): string {
  const exp = expiryOf(ctx.nowSec);
  return fit(`y:${exp}.${macOf(ctx.sign, ctx.userId, exp, line)}:${compress(line)}`, `the Confirm button of \`${line.split(' ')[0]}\``);
}

/** The custom id of a modal: `f:` + the form id. */
export function formCustomId(formId: string): string {
  return fit(`f:${compress(formId)}`, `the form ${formId.split(':')[0]}`);
}

/** The form id of a modal's custom id, or null when it is not one of ours. */
export function decodeFormId(customId: string): string | null {
  if (!customId.startsWith('f:')) return null;
  const id = expand(customId.slice(2));
  return id ? id : null;
}

const CONFIRMED = /^y:([0-9a-z]{1,7})\.([A-Za-z0-9_-]{16}):([\s\S]+)$/;

function sameMac(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What a clicked button's custom id asks for. A Confirm id is checked: the clicker, the expiry and the line must all match its MAC. */
export function decodeCustomId(id: string, ctx: ConfirmContext): DecodedCustomId {
  if (typeof id !== 'string' || id.length > CUSTOM_ID_MAX) return { kind: 'invalid', reason: 'not a Patchbay custom id' };
  if (id === CANCEL_ID) return { kind: 'cancel' };
  const kind = id.slice(0, 2);
  if (kind === 'c:' || kind === 'q:') {
    const line = expand(id.slice(2));
    if (!line) return { kind: 'invalid', reason: 'malformed command line' };
    return { kind: kind === 'c:' ? 'run' : 'ask', line };
  }
  if (kind === 'y:') {
    const m = CONFIRMED.exec(id);
    if (!m) return { kind: 'invalid', reason: 'malformed confirmation' };
    const [, exp, mac, compressed] = m;
    const line = expand(compressed!);
    if (!line) return { kind: 'invalid', reason: 'malformed command line' };
    // Checked before the expiry, so a forged id learns nothing from which check failed.
    if (!sameMac(mac!, macOf(ctx.sign, ctx.userId, exp!, line))) return { kind: 'invalid', reason: 'confirmation is not valid for this user or action' };
    const expSec = Number.parseInt(exp!, 36);
    if (!(expSec > ctx.nowSec) || expSec > ctx.nowSec + CONFIRM_TTL_SEC + 60) return { kind: 'invalid', reason: 'confirmation expired' };
    return { kind: 'confirmed', line };
  }
  return { kind: 'invalid', reason: 'not a Patchbay custom id' };
}

/**
 * The ephemeral prompt a `q:` click answers with: the confirm's title and text, Confirm (Danger
 * when the button is) and Cancel. Without a `confirm` (an ingress that only has the clicked
 * button's label and line: `{ label, action: { command: line, args: [] } }`), a generic question.
 */
export function confirmPrompt(button: Button, ctx: ConfirmContext): DiscordMessage {
  if (isUrlAction(button.action)) throw new Error('a link button has nothing to confirm');
  const line = commandLine(button.action);
  const c = button.confirm ?? { title: `${button.label}?`, text: 'Are you sure?', confirmLabel: button.label, denyLabel: 'Cancel' };
  const content = toDiscord(`**${c.title}**\n${c.text}`, 2000);
  return {
    content,
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          { type: ComponentType.Button, style: button.style === 'danger' ? ButtonStyle.Danger : ButtonStyle.Primary, label: buttonLabel(c.confirmLabel), custom_id: confirmedCustomId(line, ctx) },
          { type: ComponentType.Button, style: ButtonStyle.Secondary, label: buttonLabel(c.denyLabel), custom_id: CANCEL_ID },
        ],
      },
    ],
    allowed_mentions: { parse: [] },
    flags: MessageFlags.Ephemeral,
  };
}

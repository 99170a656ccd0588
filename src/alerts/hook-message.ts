/**
 * The chat alert for a custom hook's messages: the newest body as inert text — pretty-printed
 * JSON in a code block, wrapped with `plain()` so every platform shows it literally (no
 * `<!channel>`/@here pings, no links, no unfurls) — cut to the first 1,500 characters, with how
 * many more arrived since the channel's previous post for this hook (at most one post per hook
 * per interval, src/alerts/hook-alerts.ts). The API lists every message.
 */
import type { IInboundHookMessage } from '../entities/inbound-hook.ts';
import { bold, code, inChannel, plain, type NeutralReply } from '../commands/view.ts';

export const SHOWN_CHARS = 1500;

export type HookAlertInput = {
  hook: { id: string; name: string };
  /** The newest message not posted yet in this channel. */
  latest: IInboundHookMessage;
  /** Messages not posted yet, the latest included. */
  count: number;
  /** When the first of them arrived. */
  since: Date;
};

const hhmmss = (d: Date) => `${d.toISOString().slice(11, 19)} UTC`;

/** The body as shown: pretty JSON, cut, with no run of three backticks that could close the block early. */
export function shownPayload(payload: unknown): { text: string; cut: boolean } {
  const pretty = JSON.stringify(payload, null, 2) ?? 'null';
  const cut = pretty.length > SHOWN_CHARS;
  const text = (cut ? `${pretty.slice(0, SHOWN_CHARS).toWellFormed()}\n…` : pretty).replace(/```/g, '`\u200b`\u200b`');
  return { text, cut };
}

export function renderHookAlert({ hook, latest, count, since }: HookAlertInput): NeutralReply {
  const name = bold(plain(hook.name));
  const more = count - 1;
  const head = more > 0 ? `📨 Hook ${name} received a message (+${more} more since ${hhmmss(since)}, not shown).` : `📨 Hook ${name} received a message.`;
  const { text, cut } = shownPayload(latest.payload);
  const facts = [
    `${latest.size} bytes${cut ? ` (first ${SHOWN_CHARS} characters shown)` : ''}`,
    latest.signatureVerified ? 'signature verified' : 'unsigned',
    `message ${latest.id} at ${hhmmss(latest.receivedAt)}`,
    `${code(`GET /api/v1/hooks/${hook.id}/messages`)} lists every one`,
  ].join(' · ');
  return inChannel(`${head} ${facts}`, [
    { type: 'section', text: head },
    // The body is the sender's text: literal, inside a code block.
    { type: 'section', text: `\`\`\`\n${plain(text)}\n\`\`\`` },
    { type: 'context', text: facts },
  ]);
}

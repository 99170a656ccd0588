/**
 * Reply pieces shared by the `webhooks` command and the webhook alerts (as cards.ts is for
 * connections). A leaf: it imports only the neutral view, so the alert renderers can use it
 * without pulling in the command handlers and their services.
 */
import type { WebhookStatus } from '../entities/webhook-endpoint.ts';
import { commandButton, type Button } from './view.ts';

export const WEBHOOK_STATUS_EMOJI: Record<WebhookStatus, string> = { active: '✅', paused: '⏸', disabled: '⛔' };

/** Where an endpoint posts, without path or query (they can carry tokens): `hooks.example.com`. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
}

/** `HTTP 200`, or `no answer` when the last attempt got none. */
export const answerText = (statusCode: number | null) => (statusCode === null ? 'no answer' : `HTTP ${statusCode}`);

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Test always; Enable while paused or disabled. The click runs `webhooks …` and is checked for the clicker. */
export function webhookButtons(w: { id: string; status: WebhookStatus }): Button[] {
  const out = [commandButton('Test', 'webhooks', ['test', w.id])];
  if (w.status !== 'active') out.push(commandButton('Enable', 'webhooks', ['enable', w.id], { style: 'primary' }));
  return out;
}

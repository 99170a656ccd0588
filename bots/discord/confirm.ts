/**
 * Discord has no confirmation dialog on buttons (Slack's `confirm`): a button that asks first
 * carries `q:<line>`, and its click answers with an ephemeral Confirm / Cancel pair
 * (render/custom-id.ts) whose Confirm id is signed for this user, this command line and
 * 15 minutes — so it cannot be replayed by someone else, later, or for another connection.
 * The prompt repeats the clicked button's label and what the message it was on was about.
 */
import type { Button } from '../../src/commands/view.ts';
import type { Interaction } from './parse.ts';
import { confirmPrompt, type ConfirmContext } from './render/custom-id.ts';

type RawComponent = { type?: number; custom_id?: string; label?: string; components?: RawComponent[]; accessory?: RawComponent };

function labelOf(components: unknown[] | undefined, customId: string): string | undefined {
  const stack = [...((components ?? []) as RawComponent[])];
  while (stack.length) {
    const c = stack.pop()!;
    if (c.custom_id === customId && c.label) return c.label;
    stack.push(...(c.components ?? []), ...(c.accessory ? [c.accessory] : []));
  }
  return undefined;
}

export function confirmPromptFor(i: Interaction, line: string, opts: ConfirmContext): ReturnType<typeof confirmPrompt> {
  const customId = String((i.data as { custom_id?: unknown } | undefined)?.custom_id ?? '');
  const label = labelOf(i.message?.components, customId) ?? 'Confirm';
  const about = i.message?.embeds?.[0]?.title ?? '';
  const button: Button = {
    label,
    // The line as clicked, unchanged: it is what the Confirm button's signature covers.
    action: { command: line, args: [] },
    style: 'danger',
    confirm: {
      title: `${label}${about ? ` — ${about}` : ''}?`,
      text: 'Confirm to go ahead; Cancel leaves everything as it is.',
      confirmLabel: label,
      denyLabel: 'Cancel',
    },
  };
  return confirmPrompt(button, opts);
}

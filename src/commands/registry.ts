/**
 * Every chat command, in the order `help` lists them. A command is one file in ./handlers;
 * later features (sync, rules, webhooks) add theirs here with one line each.
 */
import alerts from './handlers/alerts.ts';
import connect, { connectForm } from './handlers/connect.ts';
import disconnect from './handlers/disconnect.ts';
import help from './handlers/help.ts';
import hooks from './handlers/hooks.ts';
import link from './handlers/link.ts';
import list from './handlers/list.ts';
import log from './handlers/log.ts';
import pause from './handlers/pause.ts';
import providers from './handlers/providers.ts';
import reconnect, { reconnectForm } from './handlers/reconnect.ts';
import resume from './handlers/resume.ts';
import role from './handlers/role.ts';
import rules from './handlers/rules.ts';
import schedule from './handlers/schedule.ts';
import { ruleForm } from './rule-form.ts';
import status from './handlers/status.ts';
import sync from './handlers/sync.ts';
import test from './handlers/test.ts';
import webhookSecret, { webhookSecretForm } from './handlers/webhook-secret.ts';
import webhooks from './handlers/webhooks.ts';
import whoami from './handlers/whoami.ts';
import type { Command, FormHandler } from './types.ts';

export const commands: readonly Command[] = [
  help,
  link,
  list,
  providers,
  connect,
  reconnect,
  status,
  test,
  pause,
  resume,
  disconnect,
  webhookSecret,
  sync,
  rules,
  webhooks,
  hooks,
  schedule,
  log,
  alerts,
  role,
  whoami,
];

/** Form submissions, by the prefix of the form id. */
export const formHandlers: readonly FormHandler[] = [connectForm, reconnectForm, ruleForm, webhookSecretForm];

const byName = new Map(commands.map((c) => [c.name, c]));
if (byName.size !== commands.length) throw new Error('A chat command name is registered twice');

export function findCommand(name: string): Command | undefined {
  return byName.get(name.toLowerCase());
}

export function findFormHandler(prefix: string): FormHandler | undefined {
  return formHandlers.find((f) => f.prefix === prefix);
}

/**
 * Who may do what: one table, one check. Used by the admin API and by every chat bot, so a
 * rule changes in exactly one place. Later features add their actions to the table.
 */
import { AppError } from '../errors.ts';
import type { Role } from '../entities/member.ts';

const RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };

/** The least role each action needs. Owner can do everything; Member reads integrations and work data. */
export const PERMISSIONS = {
  // workspace and people
  'workspace.read': 'member',
  'workspace.update': 'owner',
  'members.read': 'member',
  'members.manage': 'owner',
  'tokens.read': 'owner',
  'tokens.manage': 'owner',
  'chat.link': 'owner',
  // integrations: read
  'connections.read': 'member',
  'connections.logs.read': 'member',
  'providers.read': 'member',
  'events.read': 'member',
  'audit.read': 'admin',
  // integrations: change
  'connections.connect': 'admin',
  'connections.reconnect': 'admin',
  'connections.test': 'admin',
  'connections.pause': 'admin',
  'connections.resume': 'admin',
  'connections.rename': 'admin',
  'connections.disconnect': 'admin',
  'connections.sync': 'admin',
  /** Store or remove a provider-made webhook secret (Jira admin webhooks). */
  'connections.webhook_secret': 'admin',
  'sync_rules.manage': 'admin',
  'webhooks.manage': 'admin',
  'hooks.manage': 'admin',
  'hooks.read': 'member',
  'alerts.manage': 'admin',
  'provider_apps.manage': 'owner',
  // the workspace's own work data
  'work_data.read': 'member',
  'work_data.write': 'member',
} as const satisfies Record<string, Role>;

export type Action = keyof typeof PERMISSIONS;

const ROLE_NAME: Record<Role, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };

export function requiredRole(action: Action): Role {
  return PERMISSIONS[action];
}

export function can(role: Role, action: Action): boolean {
  return RANK[role] >= RANK[PERMISSIONS[action]];
}

/** Throws `forbidden` with a message naming the role the action needs. */
export function authorize(role: Role, action: Action, what?: string): void {
  if (can(role, action)) return;
  const need = PERMISSIONS[action];
  const needText = need === 'owner' ? 'the Owner role' : `the ${ROLE_NAME[need]} or Owner role`;
  throw new AppError('forbidden', `${what ?? describe(action)} needs ${needText}; you are ${article(role)} ${ROLE_NAME[role]}.`, {
    details: { action, requiredRole: need, role },
  });
}

function article(role: Role): string {
  return role === 'admin' || role === 'owner' ? 'an' : 'a';
}

/** Where `<verb> <area>` reads badly, the words a refusal uses instead. */
const ACTION_WORDS: Partial<Record<Action, string>> = { 'connections.webhook_secret': 'Storing or removing a webhook secret' };

function describe(action: Action): string {
  const words = ACTION_WORDS[action];
  if (words) return words;
  const [area, verb] = action.split('.');
  const text = `${verb ?? ''} ${area?.replace(/_/g, ' ')}`.trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function atLeast(role: Role, min: Role): boolean {
  return RANK[role] >= RANK[min];
}

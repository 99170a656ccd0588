/**
 * Reply pieces shared by commands and alerts: a connection's line, its card, its buttons.
 * Display names, account names, status reasons, scopes and log messages come from admins and
 * providers: they are `plain()` everywhere here, so no renderer reads them as markup.
 */
import { can, type Action } from '../access/permissions.ts';
import type { ConnectionView } from '../connections/view.ts';
import type { IConnectionLog } from '../entities/connection-log.ts';
import type { Role } from '../entities/member.ts';
import { getProvider } from '../providers/registry.ts';
import { bold, commandButton, formatWhen, plain, statusBadge, type Block, type Button, type Field } from './view.ts';

const AUTH_NAMES: Record<string, string> = { oauth2: 'OAuth', api_key: 'API key', basic: 'Username and password', inbound: 'None stored (the service holds a Patchbay API token)' };

/** `OAuth`, `API key`, or for HTTP Basic the provider's own field names (Twilio: `Account SID and Auth Token`). */
function authName(c: ConnectionView): string {
  if (c.authKind === 'basic') {
    try {
      const labels = (getProvider(c.provider).definition.auth.credentials?.fields ?? []).filter((f) => !f.optional).map((f) => f.label);
      if (labels.length) return labels.join(' and ');
    } catch {
      // an unknown provider (removed since): the generic name
    }
  }
  return AUTH_NAMES[c.authKind] ?? c.authKind;
}

/** `✅ **Linear** (Linear) · as Ada`. */
export function connectionTitle(c: ConnectionView): string {
  const provider = c.providerName !== c.displayName ? ` (${c.providerName})` : '';
  const account = c.account?.name ? ` · as ${plain(c.account.name)}` : '';
  return `${statusBadge(c.status, c.pausedBy)} · ${bold(plain(c.displayName))}${provider}${account}`;
}

/** One line of facts under the title: why it is paused or errored, last sync. */
export function connectionFacts(c: ConnectionView): string {
  const parts: string[] = [];
  if (c.status === 'errored' && c.statusReason) parts.push(plain(c.statusReason));
  if (c.status === 'paused') parts.push(c.pausedUntil ? `resumes ${formatWhen(c.pausedUntil)}` : c.statusReason ? plain(c.statusReason) : 'paused');
  parts.push(c.lastSyncAt ? `last sync ${formatWhen(c.lastSyncAt)}${c.lastSyncCount != null ? `, ${c.lastSyncCount} records` : ''}` : 'not synced yet');
  return parts.join(' · ');
}

export function disconnectButton(c: ConnectionView): Button {
  return commandButton('Disconnect', 'disconnect', [c.id], { style: 'danger' });
}

/** The Disconnect button of a confirmation card: the click runs `disconnect <id> --confirmed` after the dialog. */
export function confirmedDisconnectButton(c: ConnectionView, note: string): Button {
  return commandButton('Disconnect', 'disconnect', [c.id, '--confirmed'], {
    style: 'danger',
    confirm: {
      title: `Disconnect ${plain(c.displayName)}?`,
      text: `Patchbay deletes the stored credentials and stops every sync of ${plain(c.displayName)}. ${note}`,
      confirmLabel: 'Disconnect',
      denyLabel: 'Cancel',
    },
  });
}

/** Whether a connection authenticates through OAuth (Reconnect) or typed credentials (Test first). */
export function isOAuth(c: Pick<ConnectionView, 'authKind'>): boolean {
  return c.authKind === 'oauth2';
}

/**
 * The buttons for a connection in its current state. With `role`, only the buttons that role may
 * use (ephemeral lists); without, all of them (messages in a channel: the click is checked anyway).
 */
export function connectionButtons(c: ConnectionView, role?: Role): Button[] {
  const allowed = (a: Action) => !role || can(role, a);
  const out: Array<[Action, Button]> = [];
  if (c.status === 'disconnected') {
    out.push(['connections.connect', commandButton('Connect again', 'connect', [c.provider])]);
  } else {
    if (c.status === 'errored') out.push(['connections.reconnect', commandButton('Reconnect', 'reconnect', [c.id], { style: 'primary' })]);
    out.push(['connections.test', commandButton('Test', 'test', [c.id])]);
    if (c.status === 'paused') out.push(['connections.resume', commandButton('Resume', 'resume', [c.id], c.status === 'paused' ? { style: 'primary' } : {})]);
    else out.push(['connections.pause', commandButton('Pause', 'pause', [c.id])]);
  }
  out.push(['connections.logs.read', commandButton('Log', 'log', [c.id])]);
  if (c.status !== 'disconnected') out.push(['connections.disconnect', disconnectButton(c)]);
  return out.filter(([a]) => allowed(a)).map(([, b]) => b);
}

/** The full `status` card. */
export function connectionCard(c: ConnectionView, logs: IConnectionLog[], role?: Role, extra: { webhooks?: string | null } = {}): Block[] {
  let providerLabel = c.providerName;
  try {
    providerLabel = `${getProvider(c.provider).definition.displayName} (${c.provider})`;
  } catch {
    providerLabel = c.provider;
  }
  const fields: Field[] = [
    { label: 'Status', value: statusBadge(c.status, c.pausedBy) },
    { label: 'Provider', value: providerLabel },
    { label: 'Account', value: c.account?.name ? plain(c.account.name) : '—' },
    { label: 'Auth', value: authName(c) },
    { label: 'Last sync', value: formatWhen(c.lastSyncAt) },
    { label: 'Records', value: c.lastSyncCount != null ? String(c.lastSyncCount) : '—' },
    { label: 'Connected', value: formatWhen(c.createdAt) },
  ];
  if (c.pausedUntil) fields.push({ label: 'Resumes', value: formatWhen(c.pausedUntil) });
  if (c.scopes.length) fields.push({ label: 'Scopes', value: plain(c.scopes.join(', ')) });
  if (extra.webhooks) fields.push({ label: 'Webhooks', value: plain(extra.webhooks) });
  const blocks: Block[] = [
    { type: 'header', text: plain(c.displayName) },
    { type: 'section', text: c.statusReason ? `${statusBadge(c.status, c.pausedBy)} — ${plain(c.statusReason)}` : statusBadge(c.status, c.pausedBy), fields },
  ];
  if (logs.length) blocks.push({ type: 'context', text: logs.map(logLine).join('\n') });
  const buttons = connectionButtons(c, role);
  if (buttons.length) blocks.push({ type: 'actions', buttons });
  return blocks;
}

const LEVEL_ICON: Record<string, string> = { info: '·', warn: '⚠️', error: '❌' };

export function logLine(l: IConnectionLog): string {
  const when = l.createdAt.toISOString().slice(0, 16).replace('T', ' ');
  const msg = l.message.length > 200 ? `${l.message.slice(0, 200)}…` : l.message;
  // Log messages quote names and providers' answers.
  return `${when} ${LEVEL_ICON[l.level] ?? '·'} ${l.kind}: ${plain(msg)}`;
}

import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { Member } from './member.ts';
import { Workspace } from './workspace.ts';

export const CONNECTION_STATUSES = ['connected', 'paused', 'errored', 'disconnected'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export const PAUSED_BY = ['member', 'rate_limit'] as const;
export type PausedBy = (typeof PAUSED_BY)[number];

/** `inbound`: a service that calls Patchbay with a Patchbay API token (Zapier); no credentials stored. */
export const AUTH_KINDS = ['oauth2', 'api_key', 'basic', 'inbound'] as const;
export type AuthKind = (typeof AUTH_KINDS)[number];

/** What we know of the account behind a connection; never secret. */
export type ConnectionMetadata = {
  accountId?: string;
  accountName?: string;
  scopes?: string[];
  /** Provider facts (Jira cloudId, Salesforce instance URL, …). */
  extra?: Record<string, unknown>;
  /** Per-connection URL overrides for self-managed installations. */
  urls?: { apiBaseUrl?: string; authorizeUrl?: string; tokenUrl?: string; revokeUrl?: string };
  /** The last defined rate-limit pause (a signal's `pause`), so the next one can double. */
  rateLimitPause?: { seconds: number; until: string };
};

/** A workspace's link to one account at one provider. Credentials are vault ciphertext, never serialized. */
export const Connection = defineEntity({
  name: 'Connection',
  tableName: 'connections',
  indexes: [{ properties: ['workspace', 'status'] }],
  // Display names are unique among a workspace's live connections, case-insensitively.
  uniques: [
    {
      name: 'connections_workspace_live_name_unique',
      expression: `create unique index "connections_workspace_live_name_unique" on "connections" ("workspace_id", lower("display_name")) where "status" <> 'disconnected'`,
    },
  ],
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
    providerSlug: p.string(),
    displayName: p.string(),
    status: p.enum(CONNECTION_STATUSES).default('connected'),
    statusReason: p.text().nullable(),
    pausedBy: p.enum(PAUSED_BY).nullable(),
    pausedUntil: p.datetime().nullable(),
    authKind: p.enum(AUTH_KINDS),
    /** Vault ciphertext of the Credentials JSON; null once disconnected. */
    credentials: p.text().nullable().hidden().lazy(),
    /** When the access token expires (drives proactive refresh); not secret. */
    tokenExpiresAt: p.datetime().nullable(),
    /** Last successful token refresh (idle connections are refreshed daily to keep refresh tokens alive). */
    tokenRefreshedAt: p.datetime().nullable(),
    metadata: p.json<ConnectionMetadata>().onCreate(() => ({})),
    createdBy: () => p.manyToOne(Member).mapToPk().nullable().deleteRule('set null'),
    lastSyncAt: p.datetime().nullable(),
    lastSyncCount: p.integer().nullable(),
    consecutiveFailures: p.integer().default(0),
    disconnectedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IConnection = InferEntity<typeof Connection>;

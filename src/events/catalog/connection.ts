/** Connection events: every state change of a connection, and failed OAuth authorizations. */
import { z } from 'zod';
import { CHAT_CLIENTS } from '../../chat/platforms.ts';
import { AUTH_KINDS, CONNECTION_STATUSES, PAUSED_BY } from '../../entities/connection.ts';
import { byType, eventFamily } from './define.ts';

const isoTime = () => z.iso.datetime().describe('ISO 8601 timestamp, UTC');
const status = z.enum(CONNECTION_STATUSES);

/** The public shape of a connection (the same as the API's), as it was after the change. */
export const connectionSnapshot = z
  .object({
    id: z.uuid(),
    provider: z.string().describe('Provider slug, e.g. `linear`'),
    providerName: z.string(),
    displayName: z.string(),
    status,
    statusReason: z.string().nullable(),
    pausedBy: z.enum(PAUSED_BY).nullable(),
    pausedUntil: isoTime().nullable(),
    authKind: z.enum(AUTH_KINDS),
    account: z.object({ id: z.string().nullable(), name: z.string().nullable() }).nullable(),
    scopes: z.array(z.string()),
    lastSyncAt: isoTime().nullable(),
    lastSyncCount: z.number().int().nullable(),
    consecutiveFailures: z.number().int(),
    createdBy: z.string().nullable().describe('Id of the member who connected it'),
    createdAt: isoTime(),
    updatedAt: isoTime(),
    disconnectedAt: isoTime().nullable(),
  })
  .describe('Connection');
export type ConnectionSnapshot = z.output<typeof connectionSnapshot>;

/** Where in chat an OAuth authorization was started, so its outcome is posted back there. */
const chatContext = z
  .object({
    platform: z.enum(CHAT_CLIENTS),
    teamId: z.string().optional(),
    channelId: z.string().optional(),
    userId: z.string().optional(),
    messageTs: z.string().optional(),
  })
  .nullable()
  .default(null)
  .describe('The chat channel that asked for this authorization; null when it was not started from chat');

const exampleConnection = {
  id: '4b1f6a0e-2c5d-4e8f-9a7b-3c2d1e0f9a8b',
  provider: 'linear',
  providerName: 'Linear',
  displayName: 'Linear',
  status: 'connected',
  statusReason: null,
  pausedBy: null,
  pausedUntil: null,
  authKind: 'oauth2',
  account: { id: 'usr_8f2c', name: 'Ada Lovelace' },
  scopes: ['read', 'write'],
  lastSyncAt: '2026-11-29T09:12:04.511Z',
  lastSyncCount: 42,
  consecutiveFailures: 0,
  createdBy: '7936d6b8-3345-4770-83c8-2c8c2ed12414',
  createdAt: '2026-11-20T14:03:11.000Z',
  updatedAt: '2026-11-29T09:12:04.511Z',
  disconnectedAt: null,
} satisfies z.input<typeof connectionSnapshot>;
const exampleId = exampleConnection.id;

const connectionEvent = eventFamily('connection', connectionSnapshot);

export const connectionEvents = byType([
  connectionEvent('connection_connected', {
    version: 1,
    description: 'A connection is connected: newly created, re-authorized (reconnected) or recovered from an error by a passing test.',
    data: z.object({
      previousStatus: status.nullable().describe('null for a new connection'),
      reconnected: z.boolean().default(false).describe('New credentials were stored on an existing connection'),
      recovered: z.boolean().default(false).describe('A passing test brought an errored connection back'),
      chatContext,
    }),
    example: { entityId: exampleId, snapshot: exampleConnection, data: { previousStatus: null, reconnected: false, recovered: false, chatContext: null } },
  }),
  connectionEvent('connection_errored', {
    version: 1,
    description: 'A connection stopped working (credentials rejected, token refresh failed, …) and needs attention.',
    data: z.object({ previousStatus: status, reason: z.string().describe('Why, in words') }),
    example: {
      entityId: exampleId,
      snapshot: { ...exampleConnection, status: 'errored', statusReason: 'Authentication failed: Linear rejected the credentials — Reconnect.', consecutiveFailures: 1 },
      data: { previousStatus: 'connected', reason: 'Authentication failed: Linear rejected the credentials — Reconnect.' },
    },
  }),
  connectionEvent('connection_paused', {
    version: 1,
    description: "A connection was paused, by a member or by the provider's rate limit (then it resumes by itself at `pausedUntil`).",
    data: z.object({
      previousStatus: status,
      pausedBy: z.enum(PAUSED_BY),
      pausedUntil: isoTime().nullable().default(null).describe('When a rate-limit pause ends; null for a member pause'),
      reason: z.string(),
    }),
    example: {
      entityId: exampleId,
      snapshot: { ...exampleConnection, status: 'paused', pausedBy: 'rate_limit', pausedUntil: '2026-11-29T10:12:04.000Z', statusReason: 'Rate limited by Linear: retry after 3600 s' },
      data: { previousStatus: 'connected', pausedBy: 'rate_limit', pausedUntil: '2026-11-29T10:12:04.000Z', reason: 'Rate limited by Linear: retry after 3600 s' },
    },
  }),
  connectionEvent('connection_resumed', {
    version: 1,
    description: 'A paused connection was resumed, by a member or when its rate-limit window ended.',
    data: z.object({
      previousStatus: z.literal('paused'),
      previousPausedBy: z.enum(PAUSED_BY).nullable(),
      resumedEarly: z.boolean().describe("Resumed before the provider's rate-limit window ended"),
    }),
    example: { entityId: exampleId, snapshot: exampleConnection, data: { previousStatus: 'paused', previousPausedBy: 'rate_limit', resumedEarly: false } },
  }),
  connectionEvent('connection_renamed', {
    version: 1,
    description: "A connection's display name changed.",
    data: z.object({ previousDisplayName: z.string() }),
    example: { entityId: exampleId, snapshot: { ...exampleConnection, displayName: 'Linear (Product)' }, data: { previousDisplayName: 'Linear' } },
  }),
  connectionEvent('connection_webhook_failed', {
    version: 1,
    description:
      "Patchbay could not register a webhook at the provider for a realtime rule (a missing scope or role, a URL the provider cannot reach, …). The rule polls every 5 minutes meanwhile, and registration is retried. Recorded once per registration that starts failing.",
    data: z.object({
      resource: z.string().describe("What the webhook was to watch (an Asana project id, a calendar, …)"),
      reason: z.string().describe("Why, in words (the provider's answer)"),
    }),
    example: { entityId: exampleId, snapshot: exampleConnection, data: { resource: '1207894561234567', reason: 'Asana refused the request (HTTP 403): webhooks:write scope missing' } },
  }),
  connectionEvent('connection_disconnected', {
    version: 1,
    description: "A connection was disconnected: its credentials were deleted and, where the provider allows, its grant revoked. Its history is kept.",
    data: z.object({
      previousStatus: status,
      revoke: z.enum(['revoked', 'failed', 'not_supported']).describe('What happened to the grant at the provider'),
    }),
    example: {
      entityId: exampleId,
      snapshot: { ...exampleConnection, status: 'disconnected', statusReason: 'Disconnected by Ada.', disconnectedAt: '2026-11-29T11:00:00.000Z' },
      data: { previousStatus: 'connected', revoke: 'revoked' },
    },
  }),
  eventFamily(
    'oauth_authorization',
    z
      .object({
        id: z.string().describe('Id of the authorization attempt'),
        provider: z.string().describe('Provider slug'),
        connectionId: z.uuid().nullable().describe('The connection being re-authorized; null for a new connection'),
      })
      .describe('OAuthAuthorization'),
  )('connection_authorization_failed', {
    version: 1,
    description: 'An OAuth authorization did not complete (denied at the provider, code exchange failed, …); nothing was connected.',
    data: z.object({
      code: z.string().describe('Stable error code, e.g. `access_denied` or `provider_auth_failed`'),
      message: z.string().describe('What happened and what to do, in words'),
      chatContext,
    }),
    example: {
      entityId: 'b2c3d4e5f6a7b8c9',
      snapshot: { id: 'b2c3d4e5f6a7b8c9', provider: 'hubspot', connectionId: null },
      data: { code: 'access_denied', message: 'The authorization was cancelled at HubSpot, so nothing was connected.', chatContext: null },
    },
  }),
]);

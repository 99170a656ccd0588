import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import type { ChatPlatform } from '../chat/platforms.ts';
import type { ConnectionMetadata } from './connection.ts';
import { Member } from './member.ts';
import { Workspace } from './workspace.ts';

/** Where an authorization was started from, so the outcome can be posted back there. */
export type ChatContext = { platform: ChatPlatform; teamId?: string; channelId?: string; userId?: string; messageTs?: string };

/** Per-connection URL overrides, as a connection's metadata keeps them. */
export type OAuthStateUrls = NonNullable<ConnectionMetadata['urls']>;

/**
 * One pending OAuth authorization. The `state` sent to the provider is this row's id plus an
 * HMAC, so it cannot be forged; the row is consumed once and expires after 10 minutes.
 */
export const OAuthState = defineEntity({
  name: 'OAuthState',
  tableName: 'oauth_states',
  properties: {
    id: p.string().primary(),
    workspace: () => p.manyToOne(Workspace).mapToPk().deleteRule('cascade'),
    member: () => p.manyToOne(Member).mapToPk().deleteRule('cascade'),
    providerSlug: p.string(),
    /** Set when this authorization re-authorizes an existing connection in place. */
    connectionId: p.uuid().nullable(),
    displayName: p.string().nullable(),
    scopes: p.json<string[]>(),
    redirectUri: p.string(),
    /** Vault ciphertext of the PKCE code verifier (null when the provider has no PKCE). */
    codeVerifier: p.text().nullable().hidden(),
    chatContext: p.json<ChatContext>().nullable(),
    /** The per-connection URL overrides this authorization uses (already validated against the definition). */
    urls: p.json<OAuthStateUrls>().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});
export type IOAuthState = InferEntity<typeof OAuthState>;

/** API tokens: `pb_` + 32 random bytes. Only a SHA-256 is stored; the secret is returned once. */
import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiToken, type IApiToken } from '../entities/api-token.ts';
import { Member, type IMember } from '../entities/member.ts';
import { AppError } from '../errors.ts';

const PREFIX = 'pb_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export type MintedToken = { token: string; record: IApiToken };

export async function mintToken(
  em: EntityManager,
  input: { workspaceId: string; memberId: string; name: string },
): Promise<MintedToken> {
  const token = PREFIX + randomBytes(32).toString('base64url');
  const record = em.create(ApiToken, {
    workspace: input.workspaceId,
    member: input.memberId,
    name: input.name,
    prefix: token.slice(0, PREFIX.length + 6),
    tokenHash: hashToken(token),
  });
  await em.flush();
  return { token, record };
}

export type Authenticated = { token: IApiToken; member: IMember };

/** Resolves a bearer token to its member; revoked, unknown or malformed tokens are all `unauthenticated`. */
export async function authenticateToken(em: EntityManager, token: string): Promise<Authenticated> {
  if (!token.startsWith(PREFIX) || token.length < 20 || token.length > 200) {
    throw new AppError('unauthenticated', 'The API token is not valid. Send `Authorization: Bearer pb_…` with a token from `npm run token`.');
  }
  const record = await em.findOne(ApiToken, { tokenHash: hashToken(token) });
  if (!record) throw new AppError('unauthenticated', 'The API token is not valid. It may have been mistyped or deleted.');
  if (record.revokedAt) throw new AppError('unauthenticated', 'The API token has been revoked. Ask an Owner for a new one.');
  const member = await em.findOne(Member, { id: record.member });
  if (!member) throw new AppError('unauthenticated', 'The API token belongs to a member who no longer exists.');
  // Write last-used at most once a minute, not on every request.
  if (!record.lastUsedAt || Date.now() - record.lastUsedAt.getTime() > 60_000) {
    record.lastUsedAt = new Date();
    await em.flush();
  }
  return { token: record, member };
}

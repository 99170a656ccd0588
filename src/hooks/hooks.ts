/**
 * Custom inbound hooks as data: create, list, get, change, delete, rotate the URL token, and the
 * messages a hook received. Changes need `hooks.manage` (Admins and Owners), reading `hooks.read`
 * (every member); every change is audited in its transaction. The URL token and a generated
 * secret leave this module once, in the answer that made them; afterwards only the token's
 * prefix shows. Tokens are stored as their SHA-256 and found by it (src/hooks/ingress.ts).
 */
import { randomBytes } from 'node:crypto';
import { hashToken } from '../access/api-tokens.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/postgresql';
import { authorizeOrAudit } from '../access/authorize.ts';
import type { Action } from '../access/permissions.ts';
import { writeAudit } from '../audit/audit.ts';
import type { Caller } from '../connections/actor.ts';
import { InboundHook, InboundHookMessage, type HookStatus, type IInboundHook, type IInboundHookMessage } from '../entities/inbound-hook.ts';
import { conflict, notFound, uniqueViolationOf } from '../errors.ts';
import type { Runtime } from '../runtime.ts';
import { generateSecret } from '../webhooks/sign.ts';
import type { CreateHookInput, UpdateHookInput } from './input.ts';

export const TOKEN_PREFIX = 'hk_';
/** Characters of the token shown after creation (`hk_` and four of its 43 random ones). */
const SHOWN = TOKEN_PREFIX.length + 4;

export type HookView = {
  id: string;
  name: string;
  status: HookStatus;
  /** The URL with the token cut to its prefix (`…/hooks/hk_Ab3x…`): the full URL was shown once. */
  urlPreview: string;
  tokenPrefix: string;
  hasSecret: boolean;
  receivedCount: number;
  lastReceivedAt: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
};

/** The answer to create and rotate-token (and to a secret change): the URL and a generated secret, shown this once. */
export type HookWithUrl = HookView & { url: string; secret: string | null };

export type HookMessageView = {
  id: string;
  receivedAt: string;
  contentType: string | null;
  size: number;
  signatureVerified: boolean;
  webhookId: string | null;
  correlationId: string;
  payload: unknown;
};

/** Hook URLs' tokens are stored and looked up as the same SHA-256 as API tokens. */
export const hashHookToken = hashToken;

function newToken(): { token: string; hash: string; prefix: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashHookToken(token), prefix: token.slice(0, SHOWN) };
}

export const hookUrl = (rt: Runtime, token: string) => `${rt.config.PUBLIC_URL}/hooks/${token}`;

export function hookView(rt: Runtime, h: IInboundHook): HookView {
  return {
    id: h.id,
    name: h.name,
    status: h.status,
    urlPreview: `${hookUrl(rt, h.tokenPrefix)}…`,
    tokenPrefix: h.tokenPrefix,
    hasSecret: h.secret !== null && h.secret !== undefined,
    receivedCount: Number(h.receivedCount),
    lastReceivedAt: h.lastReceivedAt?.toISOString() ?? null,
    createdBy: h.createdBy ?? null,
    createdAt: h.createdAt.toISOString(),
    updatedAt: h.updatedAt.toISOString(),
  };
}

export function messageView(m: IInboundHookMessage): HookMessageView {
  return {
    id: String(m.id),
    receivedAt: m.receivedAt.toISOString(),
    contentType: m.contentType ?? null,
    size: m.size,
    signatureVerified: m.signatureVerified,
    webhookId: m.webhookId ?? null,
    correlationId: m.correlationId,
    payload: m.payload,
  };
}

async function authorize(rt: Runtime, caller: Caller, action: Action, targetId: string | null): Promise<void> {
  await authorizeOrAudit(rt, {
    workspaceId: caller.workspaceId,
    role: caller.member.role,
    action,
    targetType: 'hook',
    targetId,
    what: action === 'hooks.manage' ? 'Managing custom hooks' : 'Reading custom hooks',
  });
}

/** The hook with `secret` loaded (it is lazy): whether it has one is part of every view. */
async function findHook(em: EntityManager, workspaceId: string, id: string, lock = false): Promise<IInboundHook> {
  const h = await em.findOne(InboundHook, { id, workspace: workspaceId }, { populate: ['secret'], ...(lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}) });
  if (!h) throw notFound('Hook', id);
  return h;
}

/** Runs a write, turning the (workspace, name) unique violation into a 409. */
async function guardName<T>(name: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (name !== undefined && uniqueViolationOf(err)) {
      throw conflict(`A hook named '${name}' already exists in this workspace. Choose another name.`, { name });
    }
    throw err;
  }
}

/** A generated secret (to show once), a given one, or none. */
function secretOf(input: true | string | null | undefined): { plain: string | null; generated: boolean } {
  if (input === true) return { plain: generateSecret(), generated: true };
  return { plain: input ?? null, generated: false };
}

export async function listHooks(rt: Runtime, caller: Caller): Promise<HookView[]> {
  await authorize(rt, caller, 'hooks.read', null);
  const rows = await rt.em().find(InboundHook, { workspace: caller.workspaceId }, { populate: ['secret'], orderBy: { createdAt: 'asc', id: 'asc' } });
  return rows.map((h) => hookView(rt, h));
}

export async function getHook(rt: Runtime, caller: Caller, id: string): Promise<HookView> {
  await authorize(rt, caller, 'hooks.read', id);
  return hookView(rt, await findHook(rt.em(), caller.workspaceId, id));
}

export async function createHook(rt: Runtime, caller: Caller, input: CreateHookInput): Promise<HookWithUrl> {
  await authorize(rt, caller, 'hooks.manage', null);
  const token = newToken();
  const secret = secretOf(input.secret);
  return await guardName(input.name, () =>
    rt.em().transactional(async (tx) => {
      const h = tx.create(InboundHook, {
        workspace: caller.workspaceId,
        name: input.name,
        tokenHash: token.hash,
        tokenPrefix: token.prefix,
        secret: secret.plain ? rt.vault.encrypt(secret.plain) : null,
        createdBy: caller.member.id,
      });
      await tx.flush();
      await writeAudit(tx, {
        workspaceId: caller.workspaceId,
        action: 'hook.create',
        targetType: 'hook',
        targetId: h.id,
        outcome: 'success',
        details: { name: h.name, tokenPrefix: h.tokenPrefix, hasSecret: Boolean(secret.plain) },
      });
      return { ...hookView(rt, h), url: hookUrl(rt, token.token), secret: secret.generated ? secret.plain : null };
    }),
  );
}

export async function updateHook(rt: Runtime, caller: Caller, id: string, patch: UpdateHookInput): Promise<HookView & { secret?: string }> {
  await authorize(rt, caller, 'hooks.manage', id);
  const secret = patch.secret === undefined ? undefined : secretOf(patch.secret);
  return await guardName(patch.name, () =>
    rt.em().transactional(async (tx) => {
      const h = await findHook(tx, caller.workspaceId, id, true);
      const changed: string[] = [];
      if (patch.name !== undefined && patch.name !== h.name) {
        h.name = patch.name;
        changed.push('name');
      }
      if (patch.status !== undefined && patch.status !== h.status) {
        h.status = patch.status;
        changed.push('status');
      }
      if (secret) {
        // Write-only: a given secret always counts as a change (it is not compared with the stored one).
        if (secret.plain || h.secret) changed.push(secret.plain ? 'secret' : 'secret_cleared');
        h.secret = secret.plain ? rt.vault.encrypt(secret.plain) : null;
      }
      if (!changed.length) return hookView(rt, h);
      await tx.flush();
      await writeAudit(tx, {
        workspaceId: caller.workspaceId,
        action: 'hook.update',
        targetType: 'hook',
        targetId: h.id,
        outcome: 'success',
        details: { name: h.name, changed, status: h.status, hasSecret: Boolean(h.secret) },
      });
      return { ...hookView(rt, h), ...(secret?.generated && secret.plain ? { secret: secret.plain } : {}) };
    }),
  );
}

export async function deleteHook(rt: Runtime, caller: Caller, id: string): Promise<{ name: string }> {
  await authorize(rt, caller, 'hooks.manage', id);
  return await rt.em().transactional(async (tx) => {
    const h = await findHook(tx, caller.workspaceId, id, true);
    tx.remove(h);
    await tx.flush();
    await writeAudit(tx, { workspaceId: caller.workspaceId, action: 'hook.delete', targetType: 'hook', targetId: id, outcome: 'success', details: { name: h.name } });
    return { name: h.name };
  });
}

/** A new URL token: the old URL answers 404 from now on. The new URL is shown this once. */
export async function rotateHookToken(rt: Runtime, caller: Caller, id: string): Promise<HookWithUrl> {
  await authorize(rt, caller, 'hooks.manage', id);
  const token = newToken();
  return await rt.em().transactional(async (tx) => {
    const h = await findHook(tx, caller.workspaceId, id, true);
    const previous = h.tokenPrefix;
    h.tokenHash = token.hash;
    h.tokenPrefix = token.prefix;
    await tx.flush();
    await writeAudit(tx, {
      workspaceId: caller.workspaceId,
      action: 'hook.rotate_token',
      targetType: 'hook',
      targetId: h.id,
      outcome: 'success',
      details: { name: h.name, previousTokenPrefix: previous, tokenPrefix: h.tokenPrefix },
    });
    return { ...hookView(rt, h), url: hookUrl(rt, token.token), secret: null };
  });
}

/** A page of a hook's messages, newest first. */
export async function listHookMessages(rt: Runtime, caller: Caller, id: string, page: { limit: number; cursor?: number | undefined }) {
  await authorize(rt, caller, 'hooks.read', id);
  const em = rt.em();
  await findHook(em, caller.workspaceId, id);
  const rows = await em.find(
    InboundHookMessage,
    { hook: id, ...(page.cursor ? { id: { $lt: page.cursor } } : {}) },
    { orderBy: { id: 'desc' }, limit: page.limit + 1 },
  );
  const more = rows.length > page.limit;
  const items = more ? rows.slice(0, page.limit) : rows;
  return { data: items.map(messageView), nextCursor: more ? String(items.at(-1)!.id) : null };
}

/** Finds a hook by id or (case-insensitive) name, for chat. */
export async function findHookByRef(rt: Runtime, workspaceId: string, ref: string): Promise<IInboundHook> {
  const em = rt.em();
  const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
  const byId = isId ? await em.findOne(InboundHook, { id: ref, workspace: workspaceId }, { populate: ['secret'] }) : null;
  if (byId) return byId;
  const [row] = await em.execute<Array<{ id: string }>>('select id from inbound_hooks where workspace_id = ? and lower(name) = lower(?) limit 1', [workspaceId, ref.trim()]);
  const found = row ? await em.findOne(InboundHook, { id: row.id }, { populate: ['secret'] }) : null;
  if (!found) throw notFound('Hook', ref);
  return found;
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { mintToken } from '../access/api-tokens.ts';
import { Member, type IMember, type Role } from '../entities/member.ts';
import { Workspace, type IWorkspace } from '../entities/workspace.ts';
import { AppError, conflict } from '../errors.ts';

export const slugSchema = z
  .string()
  .min(2)
  .max(40)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { error: 'use lowercase letters, digits and single dashes' });

export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return s.length >= 2 ? s : `ws-${s || 'workspace'}`;
}

export type CreatedWorkspace = { workspace: IWorkspace; owner: IMember; token: string };

/** Creates a workspace with its first Owner and an API token for that Owner (returned once). */
export async function createWorkspace(
  em: EntityManager,
  input: { name: string; slug?: string; ownerName: string; ownerEmail: string | null },
): Promise<CreatedWorkspace> {
  const slug = input.slug ?? slugify(input.name);
  const parsed = slugSchema.safeParse(slug);
  if (!parsed.success) throw new AppError('validation_failed', `Workspace slug '${slug}' is not valid: ${parsed.error.issues[0]?.message}.`);
  return await em.transactional(async (tx) => {
    if (await tx.findOne(Workspace, { slug })) throw conflict(`A workspace with slug '${slug}' already exists.`);
    const workspace = tx.create(Workspace, { name: input.name, slug });
    const owner = tx.create(Member, {
      workspace: workspace.id,
      displayName: input.ownerName,
      email: input.ownerEmail,
      role: 'owner',
    });
    await tx.flush();
    const { token } = await mintToken(tx, { workspaceId: workspace.id, memberId: owner.id, name: 'bootstrap' });
    return { workspace, owner, token };
  });
}

/** On an empty database, creates the default workspace and its Owner; returns null otherwise. */
export async function bootstrapIfEmpty(em: EntityManager): Promise<CreatedWorkspace | null> {
  if ((await em.count(Workspace, {})) > 0) return null;
  try {
    return await createWorkspace(em, { name: 'Default', slug: 'default', ownerName: 'Owner', ownerEmail: 'owner@localhost' });
  } catch (err) {
    // Another process (a second server) bootstrapped first.
    if (err instanceof AppError && err.code === 'conflict') return null;
    throw err;
  }
}

export async function findWorkspaceBySlug(em: EntityManager, slug: string): Promise<IWorkspace> {
  const ws = await em.findOne(Workspace, { slug });
  if (!ws) throw new AppError('not_found', `No workspace with slug '${slug}'.`);
  return ws;
}

/** Finds a member by email, or creates one with the given role. */
export async function findOrCreateMember(
  em: EntityManager,
  workspaceId: string,
  email: string,
  role: Role | undefined,
  displayName?: string,
): Promise<{ member: IMember; created: boolean }> {
  const existing = await em.findOne(Member, { workspace: workspaceId, email });
  if (existing) return { member: existing, created: false };
  if (!role) throw new AppError('not_found', `No member with email '${email}'. Pass --role to create one.`);
  const member = em.create(Member, { workspace: workspaceId, email, role, displayName: displayName ?? email.split('@')[0] ?? email });
  await em.flush();
  return { member, created: true };
}

import { mintToken } from '../../src/access/api-tokens.ts';
import { Member, type Role } from '../../src/entities/member.ts';
import { Workspace } from '../../src/entities/workspace.ts';
import type { TestApp } from './app.ts';

/** Adds a member with the given role to the default workspace and returns an API token acting as them. */
export async function memberWithToken(app: TestApp, role: Role, email = `${role}-${Math.random().toString(36).slice(2, 8)}@example.com`) {
  const em = app.pb.rt.em();
  const ws = await em.findOneOrFail(Workspace, { slug: 'default' });
  const member = em.create(Member, { workspace: ws.id, displayName: email.split('@')[0]!, email, role });
  await em.flush();
  const { token } = await mintToken(em, { workspaceId: ws.id, memberId: member.id, name: 'test' });
  return { member, token, workspaceId: ws.id };
}

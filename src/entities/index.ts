/** Every entity MikroORM knows about. Add new ones here and create a migration (`npm run migration:create`). */
import { ApiToken } from './api-token.ts';
import { Member } from './member.ts';
import { Workspace } from './workspace.ts';

export { ApiToken, Member, Workspace };
export const entities = [Workspace, Member, ApiToken];

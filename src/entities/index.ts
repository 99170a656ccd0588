/** Every entity MikroORM knows about. Add new ones here and create a migration (`npm run migration:create`). */
import { ApiToken } from './api-token.ts';
import { AuditLog } from './audit-log.ts';
import { ConnectionLog } from './connection-log.ts';
import { Connection } from './connection.ts';
import { DomainEvent, EventDelivery } from './domain-event.ts';
import { Member } from './member.ts';
import { OAuthState } from './oauth-state.ts';
import { ProviderApp } from './provider-app.ts';
import { Workspace } from './workspace.ts';

export { ApiToken, AuditLog, Connection, ConnectionLog, DomainEvent, EventDelivery, Member, OAuthState, ProviderApp, Workspace };
export const entities = [Workspace, Member, ApiToken, Connection, ConnectionLog, AuditLog, DomainEvent, EventDelivery, OAuthState, ProviderApp];

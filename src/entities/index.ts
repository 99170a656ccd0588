/** Every entity MikroORM knows about. Add new ones here and create a migration (`npm run migration:create`). */
import { AlertPost } from './alert-post.ts';
import { AlertSubscription } from './alert-subscription.ts';
import { ApiToken } from './api-token.ts';
import { CalendarEvent } from './calendar-event.ts';
import { AuditLog } from './audit-log.ts';
import { ChatChannelPace } from './chat-channel-pace.ts';
import { ChatIdentity } from './chat-identity.ts';
import { ChatTeam } from './chat-team.ts';
import { ConnectionLog } from './connection-log.ts';
import { Contact } from './contact.ts';
import { Connection } from './connection.ts';
import { DomainEvent, EventDelivery } from './domain-event.ts';
import { InboundReceipt } from './inbound-receipt.ts';
import { LinkCode } from './link-code.ts';
import { Member } from './member.ts';
import { OAuthState } from './oauth-state.ts';
import { ProviderApp } from './provider-app.ts';
import { RateLimitCounter } from './rate-limit-counter.ts';
import { Task } from './task.ts';
import { TimeEntry } from './time-entry.ts';
import { Workspace } from './workspace.ts';

export { ApiToken, AuditLog, Connection, ConnectionLog, DomainEvent, EventDelivery, Member, OAuthState, ProviderApp, Workspace };
export { AlertPost, AlertSubscription, ChatChannelPace, ChatIdentity, ChatTeam, InboundReceipt, LinkCode, RateLimitCounter };
export { CalendarEvent, Contact, Task, TimeEntry };
export const entities = [Workspace, Member, ApiToken, Connection, ConnectionLog, AuditLog, DomainEvent, EventDelivery, OAuthState, ProviderApp, ChatTeam, ChatIdentity, LinkCode, AlertSubscription, AlertPost, InboundReceipt, ChatChannelPace, RateLimitCounter, Task, Contact, CalendarEvent, TimeEntry];

/** Every /api/v1 route, by area. An area is a folder with one file per endpoint and an index. */
import type { AnyRoute } from '../route.ts';
import audit from './audit/index.ts';
import calendarEvents from './calendar-events/index.ts';
import chatLinkCode from './chat/create-link-code.ts';
import personalLinkCode from './chat/create-personal-link-code.ts';
import connections from './connections/index.ts';
import contacts from './contacts/index.ts';
import events from './events/index.ts';
import members from './members/index.ts';
import providers from './providers/index.ts';
import syncRules from './sync-rules/index.ts';
import tasks from './tasks/index.ts';
import timeEntries from './time-entries/index.ts';
import tokens from './tokens/index.ts';
import webhooks from './webhooks/index.ts';
import hooks from './hooks/index.ts';
import workspace from './workspace/index.ts';
import zapier from './zapier/index.ts';

export const apiRoutes: AnyRoute[] = [...workspace, ...members, ...tokens, ...connections, ...syncRules, ...providers, ...events, ...audit, ...tasks, ...contacts, ...calendarEvents, ...timeEntries, ...webhooks, ...zapier, ...hooks, chatLinkCode, personalLinkCode];

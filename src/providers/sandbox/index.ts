import { defineProvider } from '../_shared/define.ts';
import type { Provider } from '../types.ts';
import { contactsAdapter } from './adapters/contacts.ts';
import { tasksAdapter } from './adapters/tasks.ts';
import { connector } from './connector.ts';
import { definition } from './definition.ts';
import { webhooks } from './webhooks.ts';

export const sandbox: Provider = defineProvider(definition, connector, [tasksAdapter, contactsAdapter], { webhooks });

import { defineProvider } from '../_shared/define.ts';
import type { Provider } from '../types.ts';
import { tasksAdapter } from './adapters/tasks.ts';
import { connector } from './connector.ts';
import { definition } from './definition.ts';
import { webhooks } from './webhooks.ts';

export const asana: Provider = defineProvider(definition, connector, [tasksAdapter], { webhooks });

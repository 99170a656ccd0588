import { defineProvider } from '../_shared/define.ts';
import type { Provider } from '../types.ts';
import { connector } from './connector.ts';
import { definition } from './definition.ts';
import { webhooks } from './webhooks.ts';

export const microsoft365: Provider = defineProvider(definition, connector, [], { webhooks });

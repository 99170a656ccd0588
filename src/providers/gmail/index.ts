import { defineProvider } from '../_shared/define.ts';
import type { Provider } from '../types.ts';
import { connector } from './connector.ts';
import { definition } from './definition.ts';

// No webhooks: Gmail push (users.watch) goes through Google Cloud Pub/Sub, which is out of scope.
export const gmail: Provider = defineProvider(definition, connector);

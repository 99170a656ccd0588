import { defineProvider } from '../_shared/define.ts';
import type { Provider } from '../types.ts';
import { connector } from './connector.ts';
import { definition } from './definition.ts';

/** No webhooks: Salesforce pushes through Outbound Messages (SOAP) or Change Data Capture (Pub/Sub API), not webhooks. */
export const salesforce: Provider = defineProvider(definition, connector);

import { defineProvider } from '../_shared/define.ts';
import type { Provider } from '../types.ts';
import { createTwilioConnector } from './connector.ts';
import { definition } from './definition.ts';

export const twilio: Provider = defineProvider(
  definition,
  createTwilioConnector(() => twilio),
);

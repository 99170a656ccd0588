import { defineProvider } from '../_shared/define.ts';
import type { Provider } from '../types.ts';
import { connector } from './connector.ts';
import { definition } from './definition.ts';

// No webhooks in this version: channel-message subscriptions need ChannelMessage.Read.All (admin consent) — see the doc page.
export const microsoftTeams: Provider = defineProvider(definition, connector);

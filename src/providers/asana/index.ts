import { defineProvider } from '../_shared/define.ts';
import type { Provider } from '../types.ts';
import { createAsanaConnector } from './connector.ts';
import { definition } from './definition.ts';

export const asana: Provider = defineProvider(
  definition,
  createAsanaConnector(() => asana),
);

import { defineProvider } from '../_shared/define.ts';
import type { Provider } from '../types.ts';
import { connector } from './connector.ts';
import { definition } from './definition.ts';

export const slack: Provider = defineProvider(definition, connector);

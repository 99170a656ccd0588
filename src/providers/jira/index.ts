import { defineProvider } from '../_shared/define.ts';
import type { Provider } from '../types.ts';
import { createJiraConnector } from './connector.ts';
import { definition } from './definition.ts';

export const jira: Provider = defineProvider(
  definition,
  createJiraConnector(() => jira),
);

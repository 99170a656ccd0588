/**
 * Patchbay Sandbox — the fake SaaS Patchbay serves itself under /sandbox/api (src/sandbox/README.md),
 * for trying two-way sync offline. API key auth (`Authorization: Bearer sbx_…`); its base URL is
 * the operator's SANDBOX_URL (default: this process's own address).
 */
import type { ProviderDefinition } from '../types.ts';

export const definition = {
  slug: 'sandbox',
  displayName: 'Patchbay Sandbox',
  category: 'project_management',
  docsUrl: 'https://github.com/patchbay/patchbay/blob/main/src/sandbox/README.md',
  auth: {
    credentials: {
      kind: 'api_key',
      fields: [{ name: 'apiKey', label: 'Sandbox API key', secret: true, pattern: '^sbx_', help: 'Starts with sbx_; printed once by `npm run sandbox -- key`.' }],
      instructions: 'On the machine running Patchbay, run `npm run sandbox -- key` and paste the key it prints (sbx_…). `npm run sandbox -- seed 1000` adds sample tasks.',
    },
  },
  apiBaseUrl: 'http://127.0.0.1:3000/sandbox/api',
  apiBaseUrlSetting: 'SANDBOX_URL',
  rateLimit: { signals: [] },
  objects: [
    { name: 'tasks', direction: 'both', scopes: [] },
    { name: 'contacts', direction: 'both', scopes: [] },
  ],
  revokeNote: 'Sandbox keys cannot be revoked through the API: disconnecting deletes the key from Patchbay (the sandbox account keeps its records).',
} satisfies ProviderDefinition;

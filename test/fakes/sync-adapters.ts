/**
 * Object adapters for tests of rules and mapping: the shapes of a CRM's contacts (HubSpot-like
 * `firstname` / `lastname` / `phone_number`) and a project tool's tasks (Asana-like `due_on`),
 * with calls that must not be reached (rules and mapping never call the provider).
 *
 * API tests attach them to real providers with `vi.mock` of the provider's index module (see
 * `withAdapters`), so `getProvider(slug).adapters` finds them and nothing test-only lives in src/.
 */
import type { Provider } from '../../src/providers/types.ts';
import type { ObjectAdapter } from '../../src/sync/types.ts';

const unreachable = async (): Promise<never> => {
  throw new Error('the test adapters are not called by rules or mapping');
};
const calls = { listChanged: unreachable, get: unreachable, create: unreachable, update: unreachable, delete: unreachable };

export const contactsAdapter: ObjectAdapter = {
  remoteObject: 'contacts',
  localObject: 'contacts',
  fields: [
    { name: 'firstname', type: 'string', label: 'First name' },
    { name: 'lastname', type: 'string', label: 'Last name' },
    { name: 'email', type: 'email', required: true },
    { name: 'phone_number', type: 'phone' },
    { name: 'company', type: 'string' },
    { name: 'jobtitle', type: 'string' },
    { name: 'hs_object_source', type: 'string', readOnly: true },
  ],
  aliases: {},
  reportsDeletes: true,
  ...calls,
};

export const tasksAdapter: ObjectAdapter = {
  remoteObject: 'tasks',
  localObject: 'tasks',
  fields: [
    { name: 'name', type: 'string', required: true },
    { name: 'html_notes', type: 'rich_text' },
    { name: 'due_on', type: 'date' },
    { name: 'status', type: 'enum', values: ['todo', 'in_progress', 'completed'] },
    { name: 'assignee_email', type: 'email' },
    { name: 'tags', type: 'string' },
    { name: 'permalink_url', type: 'string', readOnly: true },
  ],
  aliases: {},
  scope: { key: 'project', label: 'Project', required: true },
  reportsDeletes: false,
  ...calls,
};

/** A copy of a provider with these adapters (for `vi.mock` of its index module). */
export const withAdapters = (provider: Provider, adapters: ObjectAdapter[]): Provider => ({ ...provider, adapters });

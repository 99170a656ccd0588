/** Sandbox contacts ↔ Patchbay contacts (first + last name ↔ name is the engine's `name_parts`). */
import { sandboxAdapter } from './feed.ts';

export const contactsAdapter = sandboxAdapter({
  remoteObject: 'contacts',
  localObject: 'contacts',
  path: '/contacts',
  fields: [
    { name: 'first_name', type: 'string', label: 'First name' },
    { name: 'last_name', type: 'string', label: 'Last name' },
    { name: 'email', type: 'email', label: 'Email' },
    { name: 'phone_number', type: 'phone', label: 'Phone number' },
    { name: 'company', type: 'string', label: 'Company' },
    { name: 'job_title', type: 'string', label: 'Job title' },
    { name: 'created_at', type: 'datetime', label: 'Created at', readOnly: true },
  ],
  aliases: { phone_number: 'phone', job_title: 'title', company: 'company', email: 'email' },
});

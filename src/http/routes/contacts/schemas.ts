import { exampleContact, contactSnapshot } from '../../../events/catalog/contact.ts';
import { createContactInput, updateContactInput } from '../../../work/contacts.ts';
import { idParamsOf, page } from '../../schemas.ts';
import { EX } from '../../examples.ts';

// The API's contact is the event snapshot: one public shape for the API and webhooks alike.
// `.extend({})` makes a copy after zod is extended for OpenAPI (these schemas may be built before).
export const contactSchema = contactSnapshot.extend({}).openapi('Contact', { example: exampleContact });
export const contactPageSchema = page(contactSchema);
export const contactParams = idParamsOf(EX.contactId);

export const createContactBody = createContactInput.extend({}).openapi('CreateContact', {
  example: { name: 'Grace Hopper', email: 'grace@navy.example', phone: '+1 202 555 0143', company: 'US Navy', title: 'Rear Admiral' },
});
export const updateContactBody = updateContactInput.extend({}).openapi('UpdateContact', { example: { title: 'Commodore', phone: null } });

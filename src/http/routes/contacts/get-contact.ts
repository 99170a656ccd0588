import { getContact } from '../../../work/contacts.ts';
import { defineRoute } from '../../route.ts';
import { contactParams, contactSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/contacts/:id',
  operationId: 'getContact',
  summary: 'One contact (404 once deleted)',
  tag: 'Contacts',
  permission: 'work_data.read',
  params: contactParams,
  responses: { 200: { description: 'The contact', schema: contactSchema } },
  async handler({ em, auth, params }) {
    return { status: 200, body: await getContact(em, auth.workspaceId, params.id) };
  },
});

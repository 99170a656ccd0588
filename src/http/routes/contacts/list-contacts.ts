import { listContacts, contactView } from '../../../work/contacts.ts';
import { defineRoute } from '../../route.ts';
import { workListOptions, workListQuery, workPage } from '../work-pagination.ts';
import { contactPageSchema } from './schemas.ts';

export default defineRoute({
  method: 'get',
  path: '/contacts',
  operationId: 'listContacts',
  summary: 'Contacts, oldest change first (a change feed with `updated_since`)',
  tag: 'Contacts',
  permission: 'work_data.read',
  query: workListQuery,
  responses: { 200: { description: 'A page of contacts', schema: contactPageSchema } },
  async handler({ em, auth, query }) {
    const o = workListOptions(query);
    return { status: 200, body: workPage(await listContacts(em, auth.workspaceId, o), o.limit, contactView) };
  },
});

import { deleteContact } from '../../../work/contacts.ts';
import { defineRoute } from '../../route.ts';
import { contactParams } from './schemas.ts';

export default defineRoute({
  method: 'delete',
  path: '/contacts/:id',
  operationId: 'deleteContact',
  summary: 'Delete a contact (emits `contact_deleted`; listed with `include_deleted=true`)',
  tag: 'Contacts',
  permission: 'work_data.write',
  params: contactParams,
  responses: { 204: { description: 'Deleted' } },
  async handler({ em, auth, params }) {
    await deleteContact(em, { workspaceId: auth.workspaceId, memberId: auth.member.id }, params.id);
    return { status: 204 };
  },
});

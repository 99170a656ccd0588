import createContact from './create-contact.ts';
import deleteContact from './delete-contact.ts';
import getContact from './get-contact.ts';
import listContacts from './list-contacts.ts';
import updateContact from './update-contact.ts';

export default [listContacts, createContact, getContact, updateContact, deleteContact];

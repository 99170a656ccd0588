import createTimeEntry from './create-time-entry.ts';
import deleteTimeEntry from './delete-time-entry.ts';
import getTimeEntry from './get-time-entry.ts';
import listTimeEntries from './list-time-entries.ts';
import updateTimeEntry from './update-time-entry.ts';

export default [listTimeEntries, createTimeEntry, getTimeEntry, updateTimeEntry, deleteTimeEntry];

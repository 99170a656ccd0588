import listMembers from './list-members.ts';

export default [listMembers];

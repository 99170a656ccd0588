import listMembers from './list-members.ts';
import updateMember from './update-member.ts';

export default [listMembers, updateMember];

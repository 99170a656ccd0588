import getWorkspace from './get-workspace.ts';
import updateWorkspace from './update-workspace.ts';

export default [getWorkspace, updateWorkspace];

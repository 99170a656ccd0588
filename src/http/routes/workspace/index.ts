import getWorkspace from './get-workspace.ts';

export default [getWorkspace];

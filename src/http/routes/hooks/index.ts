import createHook from './create-hook.ts';
import deleteHook from './delete-hook.ts';
import getHook from './get-hook.ts';
import listHookMessages from './list-hook-messages.ts';
import listHooks from './list-hooks.ts';
import rotateHookToken from './rotate-hook-token.ts';
import updateHook from './update-hook.ts';

export default [listHooks, createHook, getHook, updateHook, deleteHook, rotateHookToken, listHookMessages];

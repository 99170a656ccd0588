import createTask from './create-task.ts';
import createTaskFromSource from './create-from-source.ts';
import deleteTask from './delete-task.ts';
import getTask from './get-task.ts';
import listTasks from './list-tasks.ts';
import updateTask from './update-task.ts';

export default [listTasks, createTask, createTaskFromSource, getTask, updateTask, deleteTask];

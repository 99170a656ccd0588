import listEvents from './list-events.ts';

export default [listEvents];

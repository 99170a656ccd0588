/** Every /api/v1 route, by area. An area is a folder with one file per endpoint and an index. */
import type { AnyRoute } from '../route.ts';
import members from './members/index.ts';
import workspace from './workspace/index.ts';

export const apiRoutes: AnyRoute[] = [...workspace, ...members];

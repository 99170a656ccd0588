/**
 * Adds `.openapi()` to zod. zod 4 gives each schema its methods when the schema is made, so only
 * schemas made after this ran have it: every entry point (and the test setup) imports this module
 * first, before anything that makes schemas an endpoint later annotates.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

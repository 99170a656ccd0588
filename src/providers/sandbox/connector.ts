/** The Sandbox's connector: `GET /me` as the test; the default Bearer auth for its API key. */
import { z } from 'zod';
import type { ConnectorSpec } from '../types.ts';

/** GET /me → the key's account (src/sandbox/README.md). */
export const meSchema = z.object({ id: z.string(), name: z.string().nullish() });

export const connector: ConnectorSpec<typeof meSchema> = {
  test: {
    path: '/me',
    response: meSchema,
    account: (me) => ({ id: me.id, name: me.name }),
  },
};

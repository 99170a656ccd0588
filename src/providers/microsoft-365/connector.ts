/** Microsoft 365's connector: GET /v1.0/me as the test (shared with Teams). No revoke (see revokeNote). */
import { graphMeTest, type meSchema } from '../_shared/microsoft.ts';
import type { ConnectorSpec } from '../types.ts';

export const connector: ConnectorSpec<typeof meSchema> = { test: graphMeTest };

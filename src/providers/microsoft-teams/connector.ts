/** Microsoft Teams' connector: GET /v1.0/me as the test (shared with Microsoft 365). No revoke (see revokeNote). */
import { graphMeTest, type meSchema } from '../_shared/microsoft.ts';
import type { ConnectorSpec } from '../types.ts';

export const connector: ConnectorSpec<typeof meSchema> = { test: graphMeTest };

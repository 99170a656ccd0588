import { CONNECTION_STATUSES, PAUSED_BY, AUTH_KINDS } from '../../../entities/connection.ts';
import { z } from '../../schemas.ts';

export const connectionSchema = z
  .object({
    id: z.uuid(),
    provider: z.string(),
    providerName: z.string(),
    displayName: z.string(),
    status: z.enum(CONNECTION_STATUSES),
    statusReason: z.string().nullable(),
    pausedBy: z.enum(PAUSED_BY).nullable(),
    pausedUntil: z.iso.datetime().nullable(),
    authKind: z.enum(AUTH_KINDS),
    account: z.object({ id: z.string().nullable(), name: z.string().nullable() }).nullable(),
    scopes: z.array(z.string()),
    lastSyncAt: z.iso.datetime().nullable(),
    lastSyncCount: z.number().int().nullable(),
    consecutiveFailures: z.number().int(),
    createdBy: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    disconnectedAt: z.iso.datetime().nullable(),
  })
  .openapi('Connection');

export const displayNameSchema = z.string().trim().min(1).max(80);

/** Typed credential fields of an API-key or Basic provider. Accepted in bodies only; never returned. */
export const credentialFieldsSchema = z
  .record(z.string().max(64), z.string().max(4096))
  .openapi({ description: "The provider's credential fields (see GET /api/v1/providers); never returned by the API.", example: { apiKey: 'lin_api_…' } });

export const accountSchema = z.object({ id: z.string(), name: z.string() });

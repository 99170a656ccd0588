import { CONNECTION_STATUSES, PAUSED_BY, AUTH_KINDS } from '../../../entities/connection.ts';
import { EX } from '../../examples.ts';
import { z } from '../../schemas.ts';

const connectionExample = {
  id: EX.connectionId,
  provider: EX.provider,
  providerName: EX.providerName,
  displayName: EX.displayName,
  status: 'connected',
  statusReason: null,
  pausedBy: null,
  pausedUntil: null,
  authKind: 'api_key',
  account: { id: EX.accountId, name: EX.accountName },
  scopes: ['read', 'write'],
  lastSyncAt: EX.updatedAt,
  lastSyncCount: 42,
  consecutiveFailures: 0,
  createdBy: EX.memberId,
  createdAt: EX.createdAt,
  updatedAt: EX.updatedAt,
  disconnectedAt: null,
};

export const connectionSchema = z
  .object({
    id: z.uuid().openapi({ example: EX.connectionId }),
    provider: z.string().openapi({ example: EX.provider, description: 'Provider slug (see GET /api/v1/providers)' }),
    providerName: z.string().openapi({ example: EX.providerName }),
    displayName: z.string().openapi({ example: EX.displayName }),
    status: z.enum(CONNECTION_STATUSES),
    statusReason: z.string().nullable().openapi({ example: 'Paused by Ada Lovelace.' }),
    pausedBy: z.enum(PAUSED_BY).nullable(),
    pausedUntil: z.iso.datetime().nullable().openapi({ example: EX.later }),
    authKind: z.enum(AUTH_KINDS),
    account: z
      .object({ id: z.string().nullable().openapi({ example: EX.accountId }), name: z.string().nullable().openapi({ example: EX.accountName }) })
      .nullable(),
    scopes: z.array(z.string().openapi({ example: 'read' })),
    lastSyncAt: z.iso.datetime().nullable().openapi({ example: EX.updatedAt }),
    lastSyncCount: z.number().int().nullable().openapi({ example: 42 }),
    consecutiveFailures: z.number().int().openapi({ example: 0 }),
    createdBy: z.uuid().nullable().openapi({ example: EX.memberId }),
    createdAt: z.iso.datetime().openapi({ example: EX.createdAt }),
    updatedAt: z.iso.datetime().openapi({ example: EX.updatedAt }),
    disconnectedAt: z.iso.datetime().nullable().openapi({ example: EX.later }),
  })
  .openapi('Connection', { example: connectionExample });

/**
 * What every connection action answers: `{ connection, …extras }`. One envelope, so a client
 * reads `body.connection` whatever it did (pause, resume, test, rename, reconnect, disconnect).
 */
export const connectionResult = <T extends z.ZodRawShape>(extras: T) => z.object({ connection: connectionSchema, ...extras });

export const displayNameSchema = z.string().trim().min(1).max(80).openapi({ example: EX.displayName });

/** A provider slug in a request body. */
export const providerSlugSchema = z.string().min(1).max(64).openapi({ example: EX.provider, description: 'Provider slug (see GET /api/v1/providers)' });

/** Typed credential fields of an API-key or Basic provider. Accepted in bodies only; never returned. */
export const credentialFieldsSchema = z
  .record(z.string().max(64), z.string().max(4096))
  .openapi({
    description: "The provider's credential fields (see GET /api/v1/providers); never returned by the API.",
    example: { apiKey: 'lin_api_8fK2pQ7vN3xR9sT1wY5zB0cD4eG6hJ8k' },
  });

export const accountSchema = z
  .object({ id: z.string().openapi({ example: EX.accountId }), name: z.string().openapi({ example: EX.accountName }) })
  .openapi({ description: 'The account the credentials act as, from the provider' });

/**
 * One per-connection URL override in a request body: http(s), at most 2048 characters. Whether the
 * provider accepts it (field, auth kind, host, scheme, no query or internal address) is checked
 * against its definition by the service, which answers a 400 naming each refused field.
 */
export const overrideUrlSchema = () => z.url({ protocol: /^https?$/ }).max(2048);

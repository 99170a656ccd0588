/**
 * The contract a provider folder fills to receive its webhooks (`src/providers/<slug>/webhooks.ts`):
 * how its deliveries are signed, what identifies one delivery, which events matter, and — where the
 * provider has a webhook API — how Patchbay registers, renews and removes its webhooks. The core
 * (src/inbound/) does the rest: routing, secrets, receipts, the apply job, registration jobs.
 */
import type { ConnectorContext, ObjectName } from '../providers/types.ts';
import type { ISyncRule } from '../entities/sync-rule.ts';

/** A delivery as it arrived, before anything parsed it. Header names are lower-case. */
export type InboundRequest = {
  method: string;
  /** The URL the provider called: PUBLIC_URL + path + query (HubSpot v3, Trello and Twilio sign it). */
  url: string;
  headers: Readonly<Record<string, string | undefined>>;
  rawBody: Buffer;
  /** When it arrived (timestamped schemes check their tolerance against it). */
  receivedAt: Date;
};

/** One change a verified delivery announces. */
export type InboundEvent = {
  /** What the provider sends to identify this delivery (or event, in batches): the idempotency key. */
  deliveryId: string;
  /** The provider's event type, for logs and receipts (`issues.opened`, `contact.propertyChange`). */
  type: string;
  /** The provider object it changes; null when Patchbay has nothing to do with it (logged as ignored). */
  object: ObjectName | null;
  /** The changed record's id at the provider, when the payload says. */
  remoteId?: string;
  /** App-level routing (HubSpot): the provider account the event belongs to (`portalId`). */
  accountId?: string;
};

/** An answer given before (or instead of) verification: Asana's handshake, Trello's HEAD. */
export type HandshakeAnswer = {
  status: number;
  headers?: Record<string, string>;
  /** A body to answer with (monday's `{"challenge": …}`, Dropbox's `challenge`, Graph's `validationToken` echoes; set its content type in `headers`). */
  body?: string;
  /** The secret the handshake hands over (Asana's `X-Hook-Secret`), kept for the registration it names. */
  secret?: string;
};

export type WebhookScheme = {
  /**
   * `connection`: one URL per connection, `/webhooks/<slug>/<connectionId>[/<registrationId>]`;
   * `app`: one URL for the provider, `/webhooks/<slug>`, events routed by `accountId` (HubSpot).
   */
  routing: 'connection' | 'app';
  /**
   * Where the verifying secret comes from: `registration` (Patchbay's registration made it, or its
   * handshake delivered it), `admin` (the provider made it and an Admin stored it on the
   * connection), `app` (the OAuth app's client secret), `credential` (a credential field, Twilio's auth token).
   */
  secretSource: 'registration' | 'admin' | 'app' | 'credential';
  /** The credential field holding the secret, with `secretSource: 'credential'`. */
  credentialField?: string;
  /** Answers a request that is a handshake, before verification; null for ordinary deliveries. */
  handshake?(req: InboundRequest): HandshakeAnswer | null;
  /** Whether the raw request is signed with `secret` (constant-time; timestamp tolerance included). */
  verify(req: InboundRequest, secret: string): boolean;
  /** The events of a verified delivery; [] for pings and events without changes. Throws on a malformed body. */
  parse(req: InboundRequest): InboundEvent[];
};

/** What a registration call answers. */
export type Registered = { remoteId: string; secret?: string; expiresAt?: Date };

export type RegistrationInput = {
  /** Where the provider must send: the connection's inbound URL for this registration. */
  url: string;
  /** What to watch, as `resourcesFor` named it. */
  resource: string;
  registrationId: string;
  /** A secret Patchbay generated, for providers that let Patchbay set one. */
  secret: string;
};

export type ExistingRegistration = { remoteId: string; resource: string; secret: string | null };

/** A provider's webhooks: the scheme, and registration where the provider has a webhook API. */
export type ProviderWebhooks = {
  scheme: WebhookScheme;
  /** What a realtime rule needs watched (Asana: its project; the Sandbox: the account). Absent: nothing to register. */
  resourcesFor?(rule: Pick<ISyncRule, 'remoteObject' | 'scope'>): string[];
  register?(ctx: ConnectorContext, input: RegistrationInput): Promise<Registered>;
  /** Removes it at the provider; a webhook already gone there is not an error. */
  unregister?(ctx: ConnectorContext, reg: ExistingRegistration): Promise<void>;
  /** Extends a registration in place (Graph's `PATCH /subscriptions/{id}`); null when it is gone at the provider. Absent or null: renewal registers anew. */
  renew?(ctx: ConnectorContext, reg: ExistingRegistration): Promise<{ expiresAt: Date } | null>;
  /** Seconds before `expiresAt` a renewal is due (Google channels); renewal = register anew, then remove the old. */
  renewBeforeSeconds?: number;
  /** For the doc page and the connect flow: scopes registration needs, and what to set up by hand. */
  setup: string;
};

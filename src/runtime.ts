/**
 * Everything a request handler, job or CLI needs, built once per process (or per test) and
 * passed down explicitly — no module-level singletons, so tests can run several side by side.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChatBot } from './chat/bots.ts';
import { createChatCache, type ChatCache } from './chat/resolve-cache.ts';
import type { Config } from './config/index.ts';
import type { Database } from './db/database.ts';
import type { Logger } from './logger.ts';
import type { Subscriber } from './events/subscribers.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { loadVault, type Vault } from './vault/vault.ts';
import { systemResolver, type Resolver } from './net/egress.ts';
import { DeliveryAgents } from './webhooks/send.ts';

export type Runtime = {
  config: Config;
  logger: Logger;
  db: Database;
  metrics: Metrics;
  /** Encrypts and decrypts credentials at rest. */
  vault: Vault;
  /** Who receives domain events after commit (the alert pipeline, outbound webhooks, …). */
  subscribers: Subscriber[];
  /** The chat apps started in this process (src/main/lifecycle.ts): their posters and paces. */
  bots: ChatBot[];
  /** Who chat users are, cached while this process listens for changes (src/chat/resolve-cache.ts). */
  chatCache: ChatCache;
  /** Health of the parts /readyz reports on (bots: `rt.bots`). */
  state: { workersRunning: boolean; shuttingDown: boolean };
  /**
   * Outbound HTTP to user-chosen hosts: the DNS resolver the egress guard checks with (tests
   * inject one that answers internal addresses) and the webhook deliveries' keep-alive pools.
   */
  net: { resolver: Resolver; deliveryAgents: DeliveryAgents };
  /** A fresh entity manager for one unit of work (request, job, command). */
  em(): EntityManager;
};

export type RuntimeParts = {
  /** Event subscribers, chosen by the composition root (src/main/lifecycle.ts). */
  subscribers: Subscriber[];
};

export function createRuntime(config: Config, logger: Logger, db: Database, parts: RuntimeParts): Runtime {
  return {
    config,
    logger,
    db,
    metrics: createMetrics({ pool: db.pool }),
    vault: loadVault(config, logger),
    subscribers: [...parts.subscribers],
    bots: [],
    chatCache: createChatCache(),
    state: { workersRunning: false, shuttingDown: false },
    net: { resolver: systemResolver, deliveryAgents: new DeliveryAgents() },
    em: () => db.orm.em.fork() as EntityManager,
  };
}

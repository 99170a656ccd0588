/** What every part of the Discord app shares: the runtime, the REST client, caches and deadlines. */
import type { REST } from 'discord.js';
import type { Poster } from '../../src/alerts/posters.ts';
import type { Runtime } from '../../src/runtime.ts';
import type { GuildOwners } from './members.ts';
import type { Interaction } from './parse.ts';
import type { ConfirmContext } from './render/custom-id.ts';

export type DiscordContext = {
  rt: Runtime;
  rest: REST;
  owners: GuildOwners;
  poster: Poster;
  /** How long the core may take before the interaction is deferred (Discord allows 3 s in all). */
  ackBudgetMs: number;
  /** Keeps work that outlives the first answer visible to graceful shutdown (and tests). */
  track<T>(work: Promise<T>): Promise<T>;
  /** What signs and checks the confirmation buttons of this interaction's user. */
  customIds(i: Interaction): ConfirmContext;
};

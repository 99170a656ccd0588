/**
 * The seam between the platform-neutral core and the chat apps. Each platform that has an app
 * (bots/<platform>) provides a `BotAdapter`; the composition root (src/main/bots.ts) lists
 * them and src/main/lifecycle.ts starts the configured ones, which then live on the runtime
 * (`rt.bots`). Nothing in src/ outside src/main/ knows a chat SDK: the core reaches a bot only
 * through this type (its poster for alerts, its pace for a channel's posts).
 */
import type { Express } from 'express';
import type { Poster } from '../alerts/posters.ts';
import type { Config } from '../config/index.ts';
import type { Runtime } from '../runtime.ts';
import { PLATFORM_NAMES, type BotPlatform } from './platforms.ts';

/**
 * How fast one channel may receive posts, across every process posting into it (enforced
 * through Postgres by src/alerts/pace.ts). Slack: about one message per second per channel.
 */
export type ChannelPace = { minIntervalMs: number };

/** A started chat app. */
export type ChatBot = {
  platform: BotPlatform;
  /** How people name the platform and its teams (from src/chat/platforms.ts). */
  names: { name: string; team: string };
  poster: Poster;
  pace: ChannelPace;
  /** Mounts the platform's routes on the HTTP app; runs before any body parser (raw bodies are verified). */
  mount?(app: Express): void;
  /** Starts receiving (e.g. opens a socket); called only in the process that serves HTTP. */
  start(): Promise<void>;
  /** Bounded: waits for replies still being delivered, then disconnects. */
  stop(): Promise<void>;
};

export type BotAdapter = {
  platform: BotPlatform;
  /** Whether the environment configures this platform's app. */
  configured(config: Config): boolean;
  /** May load its SDK lazily: a process without this platform configured never pays for it. */
  create(rt: Runtime): ChatBot | Promise<ChatBot>;
};

export function namesOf(platform: BotPlatform): ChatBot['names'] {
  return PLATFORM_NAMES[platform];
}

export function botFor(rt: Pick<Runtime, 'bots'>, platform: string): ChatBot | undefined {
  return rt.bots.find((b) => b.platform === platform);
}

/** Puts a bot on the runtime (replacing one of the same platform); returns a function that removes it. */
export function attachBot(rt: Pick<Runtime, 'bots'>, bot: ChatBot): () => void {
  rt.bots = [...rt.bots.filter((b) => b.platform !== bot.platform), bot];
  return () => {
    rt.bots = rt.bots.filter((b) => b !== bot);
  };
}

/** What every part of the Teams bot shares: the runtime, the SDK's adapter, the app id and the work in flight. */
import type { CloudAdapter } from '@microsoft/agents-hosting';
import type { Poster } from '../../src/alerts/posters.ts';
import type { Runtime } from '../../src/runtime.ts';

export type TeamsContext = {
  rt: Runtime;
  adapter: CloudAdapter;
  /** The bot's app id for proactive turns (non-empty even for the anonymous emulator). */
  appId: string;
  poster: Poster;
  /** Keeps work that outlives the turn visible to graceful shutdown (and tests). */
  track<T>(work: Promise<T>): Promise<T>;
  /** Signs the Confirm buttons of confirmation cards (the vault's signer). */
  sign(data: string): string;
};

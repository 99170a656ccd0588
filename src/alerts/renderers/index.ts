/** Every alert renderer; later features (sync conflicts, webhooks, hooks) add one file and one line each. */
import errored from './errored.ts';
import oauthOutcome from './oauth-outcome.ts';
import rateLimitPaused from './rate-limit-paused.ts';
import recovered from './recovered.ts';
import syncConflicts from './sync-conflicts.ts';
import webhooks from './webhooks.ts';
import webhookRegistration from './webhook-registration.ts';
import type { EventType } from '../../events/catalog/index.ts';
import type { AlertRenderer } from './types.ts';

export type { AlertInput, AlertMatch, AlertRenderer } from './types.ts';
export { defineRenderer } from './types.ts';

export const alertRenderers: readonly AlertRenderer[] = [errored, rateLimitPaused, recovered, oauthOutcome, syncConflicts, webhooks, webhookRegistration];

export function getRenderer(name: string): AlertRenderer | undefined {
  return alertRenderers.find((r) => r.name === name);
}

/** The event types the alert pipeline subscribes to. */
export const alertEventTypes: readonly EventType[] = [...new Set(alertRenderers.flatMap((r) => r.types)), 'connection_disconnected'];

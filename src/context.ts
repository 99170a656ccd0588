/**
 * Per-request / per-job context carried through async calls, so every log line and every
 * domain event written while handling it carries the same correlation id without threading
 * it through every signature.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { CHAT_PLATFORMS } from './chat/platforms.ts';

export type Actor = {
  /** The member acting, when there is one. */
  memberId?: string | null;
  /** Through what the action came in. One list for audit entries and events alike. */
  via: Via;
  /** The chat identity behind the action (e.g. `slack:T123:U456`), for the audit log. */
  externalId?: string;
};

/** The chat clients (src/chat/platforms.ts) plus the doors that are not chat. */
export const VIAS = ['api', 'cli', ...CHAT_PLATFORMS, 'sync', 'webhook', 'system'] as const;
export type Via = (typeof VIAS)[number];

export type RequestContext = {
  correlationId: string;
  actor?: Actor;
};

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

export function correlationId(): string {
  return storage.getStore()?.correlationId ?? 'none';
}

/** Accepts a caller's id only if it looks like an id, so logs cannot be polluted through a header. */
export function newCorrelationId(incoming?: unknown): string {
  if (typeof incoming === 'string' && /^[A-Za-z0-9._:-]{8,128}$/.test(incoming)) return incoming;
  return randomUUID();
}

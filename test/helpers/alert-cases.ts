/**
 * Every alert renderer's reply for every event type it takes, built from the event catalog's
 * examples with the strings that come from outside replaced by hostile text of `n` characters:
 * what each platform's renderer tests feed their renderer, to show outside text stays inert and
 * every message stays within the platform's limits.
 */
import { alertRenderers } from '../../src/alerts/renderers/index.ts';
import type { BotPlatform } from '../../src/chat/platforms.ts';
import type { NeutralReply } from '../../src/commands/view.ts';
import { describeEventType, type RecordedEvent } from '../../src/events/catalog/index.ts';

const base = { id: 1, workspaceId: 'ws-1', version: 1, traceId: 'corr-1', actorMemberId: null, via: 'system' as const, txid: '1', createdAt: new Date('2026-11-22T14:05:00Z') };

/** Strings that come from outside in events (names, reasons, values). */
const OUTSIDE_KEYS = new Set(['displayName', 'name', 'reason', 'message', 'statusReason', 'resource', 'lastError', 'localValue', 'remoteValue']);

function hostile<T>(value: T, evil: string, n: number): T {
  const text = evil.repeat(Math.ceil(n / evil.length)).slice(0, n);
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string') return key && OUTSIDE_KEYS.has(key) ? text : v;
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(value) as T;
}

/** `[name, reply]` for every renderer × type × recovery variant, with a chat context on `chat` and 30 conflicts where there are any. */
export function alertCases(evil: string, n: number, chat: { platform: BotPlatform; teamId: string; channelId: string; userId: string }): Array<[string, NeutralReply]> {
  const out: Array<[string, NeutralReply]> = [];
  for (const r of alertRenderers) {
    for (const type of r.types) {
      const ex = describeEventType(type).example as { entityType: string; entityId: string; snapshot: Record<string, unknown>; data: Record<string, unknown> };
      const data: Record<string, unknown> = { ...ex.data };
      if ('chatContext' in data) data.chatContext = chat;
      if (Array.isArray(data.conflicts) && data.conflicts.length) data.conflicts = Array.from({ length: 30 }, () => (data.conflicts as unknown[])[0]);
      const event = hostile({ ...base, type, entityType: ex.entityType, entityId: ex.entityId, snapshot: ex.snapshot, data }, evil, n) as unknown as RecordedEvent;
      const connection = ex.entityType === 'connection' ? (event.snapshot as never) : null;
      for (const closes of [undefined, 'paused', 'errored'] as const) {
        out.push([`${r.name} ${type}${closes ? ` closes ${closes}` : ''}`, r.render({ event, connection, ...(closes ? { closes } : {}) } as never)]);
      }
    }
  }
  return out;
}

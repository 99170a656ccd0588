/**
 * `enqueue` is typed by the task list: a job payload of the wrong shape does not compile. The
 * `@ts-expect-error` lines below are the test — `npm run typecheck` (run by CI) fails if any of
 * them stops being an error. At run time the same payloads are refused before anything is queued.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { describe, expect, it } from 'vitest';
import { enqueue } from '../../src/jobs/enqueue.ts';

describe('enqueue is typed by the task list', () => {
  it('rejects a wrong payload at compile time and at run time, before touching the database', async () => {
    const em = {
      execute: () => {
        throw new Error('must not reach the database');
      },
    } as unknown as EntityManager;
    // @ts-expect-error — post_alert needs renderer, eventId and target, not a connection id
    await expect(enqueue(em, 'post_alert', { connectionId: 'c1' })).rejects.toThrow(/renderer|eventId|target/);
    // @ts-expect-error — resume_connection's ids are required
    await expect(enqueue(em, 'resume_connection', { connectionId: 'c1' })).rejects.toThrow(/workspaceId/);
    // @ts-expect-error — no such task
    await expect(enqueue(em, 'no_such_task', {})).rejects.toThrow('must not reach the database');
    // The right payload type-checks (and here reaches the stand-in database).
    await expect(
      enqueue(em, 'resume_connection', { connectionId: '6f1c7a9e-3c1a-4b7e-9a51-2d1f0c7b8e11', workspaceId: '6f1c7a9e-3c1a-4b7e-9a51-2d1f0c7b8e12' }),
    ).rejects.toThrow('must not reach the database');
  });
});

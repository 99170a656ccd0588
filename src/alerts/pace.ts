/**
 * A channel's posting pace, kept in Postgres so every process posting into the channel keeps
 * it together (the graphile-worker queue per channel already runs one post at a time; this
 * spaces them out). A session advisory lock per channel is held while waiting and posting, and
 * the post's end is recorded with the database clock, so the next post — from any process —
 * starts at least `minIntervalMs` after the previous one finished.
 */
import type { ChannelPace } from '../chat/bots.ts';
import { withAdvisoryLock } from '../db/locks.ts';
import type { Runtime } from '../runtime.ts';

export async function withChannelPace<T>(rt: Runtime, channelKey: string, pace: ChannelPace, fn: () => Promise<T>): Promise<T> {
  if (pace.minIntervalMs <= 0) return await fn();
  return await withAdvisoryLock(rt.db.pool, `channel-pace:${channelKey}`, async (client) => {
    const { rows } = await client.query<{ ago_ms: number }>(
      'select extract(epoch from clock_timestamp() - last_post_at)::float8 * 1000 as ago_ms from chat_channel_paces where channel_key = $1',
      [channelKey],
    );
    const wait = rows[0] ? pace.minIntervalMs - rows[0].ago_ms : 0;
    if (wait > 0) await new Promise((r) => setTimeout(r, Math.ceil(wait)));
    try {
      return await fn();
    } finally {
      // Recorded after failures too: a refused post still counted against the platform's pace.
      await client.query(
        `insert into chat_channel_paces (channel_key, last_post_at) values ($1, clock_timestamp())
         on conflict (channel_key) do update set last_post_at = excluded.last_post_at`,
        [channelKey],
      );
    }
  });
}

/**
 * Slack's pace (about one message per second per channel) is kept between processes: two
 * runtimes on one database post alerts into one channel through their own Slack apps, and the
 * fake Slack API sees the posts at least a second apart — while another channel is not held up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postPaced } from '../../src/alerts/deliver.ts';
import { ephemeral } from '../../src/commands/view.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { BOT_TOKEN, SIGNING_SECRET, startSlackTest, TEAM, type SlackTest } from './support.ts';

let t: SlackTest;
let other: TestApp;

beforeAll(async () => {
  t = await startSlackTest();
  // A second process (a worker) on the same database, with its own Slack app.
  other = await startTestApp({
    dbUrl: t.app.dbUrl,
    http: false,
    env: { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: `${t.fake.url}/api/`, PUBLIC_URL: 'https://patchbay.example.test' },
  });
});
afterAll(async () => {
  await other?.close();
  await t?.close();
});

describe('posting pace across processes', () => {
  it('keeps posts into one channel from two runtimes at least 1 s apart', async () => {
    const target = { platform: 'slack' as const, teamId: TEAM, channelId: 'C_PACED' };
    const runtimes = [t.app.pb.rt, other.pb.rt, t.app.pb.rt, other.pb.rt];
    const started = Date.now();
    await Promise.all([
      ...runtimes.map((rt, i) => postPaced(rt, target, ephemeral(`alert ${i}`))),
      postPaced(other.pb.rt, { ...target, channelId: 'C_OTHER' }, ephemeral('elsewhere')),
    ]);
    const posts = t.fake.callsTo('chat.postMessage');
    const paced = posts.filter((c) => c.body.channel === 'C_PACED').map((c) => c.at);
    expect(paced).toHaveLength(4);
    for (let i = 1; i < paced.length; i++) expect(paced[i]! - paced[i - 1]!, `post ${i}`).toBeGreaterThanOrEqual(1_000);
    // Another channel has its own pace: its post did not wait behind C_PACED's.
    const elsewhere = posts.find((c) => c.body.channel === 'C_OTHER')!;
    expect(elsewhere.at - started).toBeLessThan(900);
  });
});

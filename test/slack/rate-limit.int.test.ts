/**
 * Replies while Slack rate-limits the bot (chat.postMessage / chat.update answer HTTP 429 with
 * Retry-After 30): nothing waits out the 30 s, the reply goes through the response URL instead,
 * and the user is told what actually happened — never "nothing was changed" about a change
 * that was made, and never silence about a slow result.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../helpers/app.ts';
import { eventually, sql } from '../helpers/sql.ts';
import { OWNER, ADMIN, buttonNamed, linkTeam, startSlackTest, textOf, type SlackTest } from './support.ts';

const VIEWER = { data: { viewer: { id: 'lin-1', name: 'Ada Lovelace', email: 'ada@example.com' } } };

let t: SlackTest;
let linearId: string;

const status = async () => (await sql<{ status: string }>(t.app.dbUrl, 'select status from connections where id = $1', [linearId]))[0]!.status;
/** Every text a response URL received, joined. */
const said = (url: string) => t.responses(url).map((r) => textOf(r.body)).join('\n');

beforeAll(async () => {
  t = await startSlackTest();
  await linkTeam(t, OWNER);
  nock('https://api.linear.app').post('/graphql').reply(200, VIEWER);
  const res = await t.app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'linear', displayName: 'Linear', credentials: { apiKey: 'lin_api_RateLimitKey00000000000000' } } });
  expect(res.status).toBe(201);
  await json(res);
  linearId = (await sql<{ id: string }>(t.app.dbUrl, `select id from connections where provider_slug = 'linear'`))[0]!.id;
});
afterEach(() => {
  t.fake.rateLimit('chat.postMessage', null);
  t.fake.rateLimit('chat.update', null);
});
afterAll(async () => {
  await t?.close();
});

describe('chat.postMessage answers 429', () => {
  it('an admin’s Pause click pauses the connection and the admin is told it was paused', async () => {
    const list = await t.slash(ADMIN, 'list');
    const pause = buttonNamed(list.body, 'Pause');
    t.fake.rateLimit('chat.postMessage', 30);
    const started = Date.now();
    const res = await t.click(ADMIN, pause, { ephemeral: true });
    expect(res.status).toBe(200);
    await eventually(async () => /paused \*Linear\*/.test(said(res.responseUrl)), 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await status()).toBe('paused');
    expect(said(res.responseUrl)).toMatch(/<@U_ADMIN> paused \*Linear\*/);
    expect(said(res.responseUrl)).not.toMatch(/nothing was changed|went wrong/i);
    expect(t.fake.callsTo('chat.postMessage').length).toBeGreaterThan(0);
    await t.slash(ADMIN, 'resume linear');
  });

  it('a slow `test` result still arrives, through the response URL', async () => {
    nock('https://api.linear.app').post('/graphql').delay(500).reply(200, VIEWER);
    t.fake.rateLimit('chat.postMessage', 30);
    const res = await t.slash(ADMIN, 'test linear');
    expect(res.status).toBe(200);
    const [ack, result] = await t.waitForResponses(res.responseUrl, 2);
    expect(textOf(ack!.body)).toMatch(/Testing \*Linear\*/);
    expect(result!.body).toMatchObject({ response_type: 'in_channel' });
    expect(textOf(result!.body)).toMatch(/<@U_ADMIN> tested \*Linear\*: passed/);
  });
});

describe('chat.update answers 429', () => {
  it('the result of slow work is posted through the response URL instead of the edit', async () => {
    nock('https://api.linear.app').post('/graphql').delay(300).reply(200, VIEWER);
    t.fake.rateLimit('chat.update', 30);
    const posts = t.fake.callsTo('chat.postMessage').length;
    const res = await t.slash(ADMIN, 'test linear');
    await t.fake.waitFor('chat.postMessage', posts + 1);
    const [result] = await t.waitForResponses(res.responseUrl, 1);
    expect(result!.body).toMatchObject({ response_type: 'in_channel', replace_original: false });
    expect(textOf(result!.body)).toMatch(/<@U_ADMIN> tested \*Linear\*: passed/);
  });
});

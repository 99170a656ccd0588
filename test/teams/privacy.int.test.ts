/**
 * What only one user should see stays theirs on Teams, and what is for everyone reaches everyone:
 * a private reply in a channel is a targeted message; a refused form submit answers with the form
 * and its problems; an Admin's press with a result for everyone edits the pressed message for all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/sandbox/store.ts';
import { sql } from '../helpers/sql.ts';
import { ADMIN, CHANNEL, MEMBER, OWNER, actionTitled, actionsOf, cardOf, cardText, linkTenant, startTeamsTest, type TeamsTest } from './support.ts';

let t: TeamsTest;

/** The connector calls a line's reply made. */
async function say(user: typeof ADMIN, line: string, opts: { mentions?: Array<typeof ADMIN> } = {}) {
  const from = t.connector.calls.length;
  expect((await t.say(user, line, opts)).status).toBe(200);
  await t.idle();
  return t.connector.calls.slice(from);
}

beforeAll(async () => {
  t = await startTeamsTest({ env: { SANDBOX_ENABLED: 'true' } });
  await linkTenant(t, OWNER);
  await say(OWNER, 'role @Adam admin', { mentions: [ADMIN] });
});
afterAll(async () => {
  await t?.close();
});

describe('Teams privacy', () => {
  it('sends a private reply in a channel as a targeted message to its user only', async () => {
    const [denied] = await say(MEMBER, 'pause sandbox');
    expect(denied).toMatchObject({ method: 'POST', conversation: CHANNEL, targeted: true });
    expect(denied!.body.recipient).toMatchObject({ id: MEMBER.id });
    expect(denied!.body.entities).toEqual(expect.arrayContaining([{ type: 'activityTreatment', treatment: 'targeted' }]));
    // An in-channel reply is an ordinary message.
    const [help] = await say(ADMIN, 'alerts here');
    expect(help).toMatchObject({ targeted: false });
  });

  it('answers a refused form submit with the form again, its problem under the input, nothing typed kept for a secret', async () => {
    const [opened] = await say(ADMIN, 'connect sandbox');
    expect(opened!.targeted).toBe(true);
    const submit = actionsOf(cardOf(opened!.body)).find((a) => a.verb === 'pb.form')!;
    expect(submit.data.targeted).toBe(true);
    const res = await t.execute(ADMIN, submit.verb!, { ...submit.data, apiKey: 'not-a-sandbox-key', displayName: 'Mine' }, { replyToId: opened!.replyId! });
    const card = cardOf(res.body);
    const inputs = card.body.filter((e: any) => e.type?.startsWith('Input.'));
    expect(inputs.map((e: any) => e.id)).toEqual(['apiKey', 'displayName']);
    expect(inputs[0].value).toBeUndefined();
    expect(inputs[1].value).toBe('Mine');
    const apiKeyAt = card.body.indexOf(inputs[0]);
    const after = card.body.slice(apiKeyAt + 1, card.body.indexOf(inputs[1]));
    expect(after.some((e: any) => JSON.stringify(e).includes('"color":"Attention"'))).toBe(true);
    expect(JSON.stringify(card)).not.toContain('not-a-sandbox-key');
    expect(await sql(t.app.dbUrl, 'select 1 from connections')).toEqual([]);
  });

  it('edits the pressed public message for everyone when a press has a result for everyone; a Member’s denial is only in the invoke answer', async () => {
    const { key } = await createAccount(t.app.pb.rt.db.pool, 'Acme');
    const [opened] = await say(ADMIN, 'connect sandbox');
    const submit = actionsOf(cardOf(opened!.body)).find((a) => a.verb === 'pb.form')!;
    await t.execute(ADMIN, submit.verb!, { ...submit.data, apiKey: key }, { replyToId: opened!.replyId! });
    await t.idle();
    const [paused] = await say(ADMIN, 'pause sandbox');
    expect(paused!.targeted).toBe(false);
    const resume = actionTitled(cardOf(paused!.body), 'Resume');
    const from = t.connector.calls.length;
    const denied = await t.execute(MEMBER, resume.verb!, resume.data, { replyToId: paused!.replyId! });
    expect(cardText(cardOf(denied.body))).toMatch(/🚫/);
    await t.idle();
    expect(t.connector.calls.slice(from)).toEqual([]);
    const done = await t.execute(ADMIN, resume.verb!, resume.data, { replyToId: paused!.replyId! });
    expect(cardText(cardOf(done.body))).toMatch(/resumed/);
    const put = t.connector.calls.slice(from).find((c) => c.method === 'PUT' && c.activityId === paused!.replyId);
    expect(put?.targeted).toBe(false);
    expect(cardText(cardOf(put!.body))).toMatch(/resumed/);
  });
});

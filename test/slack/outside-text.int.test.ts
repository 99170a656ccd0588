/**
 * Text from outside is text in command replies too: a connection named by an admin with Slack
 * markup, and an account name from the provider with a mention, read as typed on every surface.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMessage } from '../../bots/slack/render/blocks.ts';
import { renderText } from '../../src/commands/render-text.ts';
import { systemActor } from '../../src/connections/actor.ts';
import { markErrored } from '../../src/connections/system-transitions.ts';
import { Connection } from '../../src/entities/connection.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { chat, defaultWorkspace, linkCode } from '../commands/support.ts';

const NAME = '*bold* <!channel> [x](https://evil.example)';
const ACCOUNT = 'Ada <@U123> & co';
const REASON = 'HubSpot said: <https://evil.example|click> to fix';
const OWNER = { userId: 'U_OWNER' };

let app: TestApp;
let c: ReturnType<typeof chat>;
let id: string;

beforeAll(async () => {
  app = await startTestApp();
  c = chat(app, { teamId: 'T_OUTSIDE' });
  expect(c.text(await c.final(OWNER, `link ${await linkCode(app)}`))).toMatch(/linked/i);
  const { ws } = await defaultWorkspace(app);
  const em = app.pb.rt.em();
  const conn = em.create(Connection, {
    workspace: ws.id,
    providerSlug: 'linear',
    displayName: NAME,
    authKind: 'api_key',
    metadata: { accountId: 'acc-1', accountName: ACCOUNT },
    credentials: app.pb.rt.vault.encrypt({ type: 'api_key', fields: { apiKey: 'lin_api_outside000' } }),
  });
  await em.flush();
  id = conn.id;
  await markErrored(app.pb.rt, systemActor(ws.id, 'test'), id, REASON);
});
afterAll(async () => {
  await app.close();
});

/** Every mrkdwn text of a Slack message, with whether Slack is told to take it verbatim. */
const mrkdwns = (msg: unknown): Array<{ text: string; verbatim?: boolean }> => {
  const out: Array<{ text: string; verbatim?: boolean }> = [];
  JSON.stringify(msg, (_k, v: unknown) => {
    if (v && typeof v === 'object' && (v as { type?: string }).type === 'mrkdwn') out.push(v as { text: string; verbatim?: boolean });
    return v;
  });
  return out;
};

describe('outside text in command replies', () => {
  it('the status card shows the name, account and reason in Slack as inert text: escaped, no link, no mention, verbatim', async () => {
    const msg = renderMessage(await c.final(OWNER, `status ${id}`));
    // The header is plain_text, which Slack never parses: the name exactly as typed.
    expect(msg.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: NAME, emoji: true } });
    // Everything Slack does parse (mrkdwn and the notification text): no mention, no link.
    const texts = mrkdwns(msg);
    for (const t of [...texts.map((x) => x.text), msg.text]) {
      expect(t).not.toContain('<!channel>');
      expect(t).not.toContain('<@U123>');
      expect(t).not.toMatch(/<https:\/\/evil\.example/);
    }
    const account = texts.find((t) => t.text.includes('Ada'));
    expect(account).toEqual({ type: 'mrkdwn', text: '*Account*\nAda &lt;@U123&gt; &amp; co', verbatim: true });
    const reason = texts.find((t) => t.text.includes('HubSpot said'));
    expect(reason?.text).toContain('HubSpot said: &lt;https://evil.example|click&gt; to fix');
    expect(reason?.verbatim).toBe(true);
  });

  it('the list line keeps the name literal in Slack: its * are not bold markup of ours, and nothing links or pings', async () => {
    const msg = renderMessage(await c.final(OWNER, 'list'));
    const line = mrkdwns(msg).find((t) => t.text.includes('evil.example'));
    expect(line?.text).toContain('❌ errored · *bold* &lt;!channel&gt; [x](https://evil.example) (Linear) · as Ada &lt;@U123&gt; &amp; co\nHubSpot said: &lt;https://evil.example|click&gt; to fix');
    expect(line?.verbatim).toBe(true);
    expect(msg.text).not.toContain('<!channel>');
    expect(msg.text).toContain('&lt;!channel&gt;');
  });

  it('the terminal shows the name, account and reason exactly as typed', async () => {
    const status = renderText(await c.final(OWNER, `status ${id}`));
    expect(status).toContain(`== ${NAME} ==`);
    expect(status).toContain(`Account: ${ACCOUNT}`);
    expect(status).toContain(`❌ errored — ${REASON}`);
    expect(renderText(await c.final(OWNER, 'list'))).toContain(`❌ errored · ${NAME} (Linear) · as ${ACCOUNT}\n${REASON}`);
    expect(status).not.toMatch(/[\uE000\uE001]/);
  });

  it('echoes a mistyped name literally: no mention or link in Slack, as typed in the terminal', async () => {
    const typed = '<@U123> [y](https://evil.example)';
    const r = await c.final(OWNER, `status "${typed}"`);
    expect(r.error).toEqual({ code: 'not_found' });
    expect(renderText(r)).toContain(`No connection '${typed}'.`);
    const msg = JSON.stringify(renderMessage(r));
    expect(msg).toContain("No connection '&lt;@U123&gt; [y](https://evil.example)'.");
    expect(msg).not.toContain('<@U123>');
    expect(msg).not.toMatch(/<https:\/\/evil\.example/);
  });

  it('keeps our own bold around a plain name: bold in Slack, no ** in the terminal', async () => {
    const { ws } = await defaultWorkspace(app);
    const em = app.pb.rt.em();
    const ok = em.create(Connection, {
      workspace: ws.id,
      providerSlug: 'linear',
      displayName: 'Ops <b>',
      authKind: 'api_key',
      credentials: app.pb.rt.vault.encrypt({ type: 'api_key', fields: { apiKey: 'lin_api_outside001' } }),
    });
    await em.flush();
    const r = await c.final(OWNER, `pause ${ok.id} moving **fast** <!here>`);
    expect(renderText(r)).toContain('paused Ops <b>. Reason: moving **fast** <!here>');
    const first = mrkdwns(renderMessage(r))[0]!;
    expect(first.text).toContain('paused *Ops &lt;b&gt;*. Reason: moving **fast** &lt;!here&gt;');
    expect(first.verbatim).toBe(true);
  });
});

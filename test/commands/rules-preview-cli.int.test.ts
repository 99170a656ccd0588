/**
 * `rules <connection> preview <rule>` through the terminal client: before a rule's first run,
 * `rules` offers Preview, and the preview says what the initial match links and creates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/sandbox/store.ts';
import { json, startTestApp, type TestApp } from '../helpers/app.ts';
import { npmChat as runChat } from '../helpers/npm-chat.ts';
import { sbx } from '../sandbox/support.ts';

let app: TestApp;
let ruleId: string;

// The preview reads the Sandbox from the client's own process: point it at this test's server.
const npmChat = (args: string[], input = '') => runChat(app.dbUrl, args, input, { SANDBOX_URL: `${app.url}/sandbox/api` });

beforeAll(async () => {
  app = await startTestApp({ workers: true, env: { SANDBOX_ENABLED: 'true' } });
  const { key } = await createAccount(app.pb.rt.db.pool, 'Preview Co');
  for (const name of ['Shared', 'Theirs']) expect((await sbx(app, key, '/tasks', { method: 'POST', json: { name } })).status).toBe(201);
  expect((await app.fetch('/api/v1/tasks', { method: 'POST', json: { title: 'Shared' } })).status).toBe(201);
  const conn = await app.fetch('/api/v1/connections', { method: 'POST', json: { provider: 'sandbox', credentials: { apiKey: key } } });
  expect(conn.status).toBe(201);
  const connectionId = (await json(conn)).connection.id;
  // Disabled: nothing runs before the preview.
  const created = await app.fetch(`/api/v1/connections/${connectionId}/rules`, { method: 'POST', json: { remoteObject: 'tasks', enabled: false } });
  expect(created.status).toBe(201);
  ruleId = (await json(created)).rule.id;
}, 60_000);
afterAll(async () => {
  await app?.close();
});

describe('npm run chat: rules preview', () => {
  it('rules sandbox offers Preview before the first run; preview 1 says what the first run links and creates', async () => {
    const listed = await npmChat(['rules', 'sandbox']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(`[Preview: npm run chat -- rules sandbox preview ${ruleId}]`);

    const out = await npmChat(['rules', 'sandbox', 'preview', '1']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('Preview of sync rule 1 (tasks ⇄ Patchbay Sandbox tasks)');
    expect(out.stdout).toContain('Will link 1, create 0 in Patchbay Sandbox, create 1 here.');
    expect(out.stdout).toContain('Existing records are matched by a stored source link, else exact title + due date.');
    expect(out.stdout).toContain(`[Resume: npm run chat -- rules sandbox resume ${ruleId}]`);
  });
});

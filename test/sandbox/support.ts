/** Shared by the Sandbox tests: an app with the Sandbox on, accounts made directly, and calls with a key. */
import { createAccount } from '../../src/sandbox/store.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';

export async function startSandboxApp(env: Record<string, string> = {}): Promise<TestApp> {
  return await startTestApp({ env: { SANDBOX_ENABLED: 'true', ...env } });
}

export async function newAccount(app: TestApp, name = 'Acme') {
  return await createAccount(app.pb.rt.db.pool, name);
}

/** A call to the Sandbox API with a key (no Patchbay token). */
export async function sbx(app: TestApp, key: string | null, path: string, init: RequestInit & { json?: unknown } = {}) {
  const { json: payload, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (key) headers.set('authorization', `Bearer ${key}`);
  if (payload !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(`${app.url}/sandbox/api${path}`, { ...rest, headers, body: payload !== undefined ? JSON.stringify(payload) : rest.body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as any) : undefined };
}

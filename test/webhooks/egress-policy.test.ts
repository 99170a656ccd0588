/** Which webhook targets the egress guard admits, by configuration (the alias WEBHOOKS_ALLOW_PRIVATE_TARGETS included). */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { checkEgressTarget, EgressRefusedError } from '../../src/net/egress.ts';
import { webhookEgressPolicy } from '../../src/webhooks/endpoints.ts';

const KEY = Buffer.alloc(32, 7).toString('base64');
const config = (env: Record<string, string>) => loadConfig({ ENCRYPTION_KEY: KEY, DATABASE_URL: 'postgres://x@127.0.0.1/x', ...env });
const check = (url: string, env: Record<string, string>) => checkEgressTarget(new URL(url), webhookEgressPolicy(config(env)));
const INTERNAL = ['http://127.0.0.1/hook', 'http://10.0.0.1/hook', 'http://[::1]/hook'];

describe('webhook egress policy', () => {
  it('refuses internal targets by default', async () => {
    for (const url of [...INTERNAL, 'http://169.254.169.254/latest/meta-data']) await expect(check(url, { NODE_ENV: 'development' })).rejects.toBeInstanceOf(EgressRefusedError);
  });

  it('admits them with WEBHOOKS_ALLOW_PRIVATE_TARGETS=true or EGRESS_ALLOW_PRIVATE=true, but never cloud metadata', async () => {
    for (const env of [{ WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' }, { EGRESS_ALLOW_PRIVATE: 'true' }] as Array<Record<string, string>>) {
      for (const url of INTERNAL) await expect(check(url, { NODE_ENV: 'development', ...env })).resolves.toBeTruthy();
      await expect(check('http://169.254.169.254/latest/meta-data', { NODE_ENV: 'development', ...env })).rejects.toBeInstanceOf(EgressRefusedError);
    }
  });

  it('requires https in production, and refuses the alias there', async () => {
    await expect(check('http://93.184.215.14/hook', { NODE_ENV: 'production', PUBLIC_URL: 'https://patchbay.acme.example' })).rejects.toBeInstanceOf(EgressRefusedError);
    await expect(check('https://93.184.215.14/hook', { NODE_ENV: 'production', PUBLIC_URL: 'https://patchbay.acme.example' })).resolves.toBeTruthy();
    expect(() => config({ NODE_ENV: 'production', PUBLIC_URL: 'https://patchbay.acme.example', WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' })).toThrow(/WEBHOOKS_ALLOW_PRIVATE_TARGETS/);
  });
});

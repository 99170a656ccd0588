import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubText } from '../../src/logger.ts';

describe('log redaction', () => {
  it('masks well-known token formats and secrets in free text', () => {
    const text = scrubText(
      'posting with xoxb-1234567890-abcdefghij and ghp_abcdefghijklmnop, key lin_api_abcdefghijkl, Bearer abc.def.ghi, ' +
        'https://x/cb?code=abc123&state=s, postgres://u:pw@host/db, token pb_abcdefghijklmnopqrstuv',
    );
    for (const secret of ['1234567890-abcdefghij', 'abcdefghijklmnop', 'abcdefghijkl', 'abc.def.ghi', 'code=abc123', ':pw@', 'abcdefghijklmnopqrstuv']) {
      expect(text).not.toContain(secret);
    }
  });

  it('masks Sandbox API keys and webhook secrets (base64url, so with - and _) wherever they appear', () => {
    const key = 'sbx_Zm9v-YmFy_YmF6LXF1eC1xdXV4LWNvcmdl';
    const secret = 'sbxwh_zJV3um2nbfcWCGbu_hyDr-q8O3EJuMoM';
    const text = scrubText(`Sandbox said: key ${key} is throttled; subscription signed with ${secret}.`);
    expect(text).not.toContain(key.slice(4));
    expect(text).not.toContain(secret.slice(6));
    expect(text).toContain('sbx_[REDACTED]');
    expect(text).toContain('sbxwh_[REDACTED]');
  });

  it('redacts secret keys wherever they sit in a logged object, and secrets in messages and errors', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
    const log = createLogger('info', sink);
    log.info({ headers: { authorization: 'Bearer s3cr3t-value' }, credentials: { apiKey: 'k' }, nested: { deep: { clientSecret: 'cs-value' } } }, 'token xoxb-99999999-zzzzzz used');
    log.error({ err: new Error('failed with access_token=topsecret123') }, 'boom');
    const out = lines.join('');
    for (const secret of ['s3cr3t-value', '"k"', 'cs-value', '99999999-zzzzzz', 'topsecret123']) expect(out).not.toContain(secret);
    expect(out).toContain('[REDACTED]');
  });
});

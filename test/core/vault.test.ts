import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { createVault } from '../../src/vault/vault.ts';

const k1 = randomBytes(32);
const k2 = randomBytes(32);

describe('credential vault', () => {
  it('round-trips JSON with AES-256-GCM and a key id, never containing the plaintext', () => {
    const v = createVault(k1);
    const ct = v.encrypt({ apiKey: 'secret-value-123' });
    expect(ct.startsWith(`v1.${v.currentKeyId}.`)).toBe(true);
    expect(ct).not.toContain('secret-value-123');
    expect(v.decrypt(ct)).toEqual({ apiKey: 'secret-value-123' });
    expect(v.encrypt({ a: 1 })).not.toBe(v.encrypt({ a: 1 })); // fresh IV each time
  });

  it('detects tampering', () => {
    const v = createVault(k1);
    const parts = v.encrypt({ a: 'b' }).split('.');
    const ct = Buffer.from(parts[4]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[4] = ct.toString('base64url');
    expect(() => v.decrypt(parts.join('.'))).toThrow(/integrity/);
  });

  it('decrypts with previous keys after rotation and says what needs re-encrypting', () => {
    const old = createVault(k1);
    const ct = old.encrypt({ token: 't' });
    const rotated = createVault(k2, [k1]);
    expect(rotated.decrypt(ct)).toEqual({ token: 't' });
    expect(rotated.needsRotation(ct)).toBe(true);
    expect(rotated.needsRotation(rotated.encrypt({}))).toBe(false);
    expect(() => createVault(k2).decrypt(ct)).toThrow(/neither ENCRYPTION_KEY nor in ENCRYPTION_KEYS_PREVIOUS/);
  });

  it('refuses to start in production without ENCRYPTION_KEY', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/ENCRYPTION_KEY: is required when NODE_ENV=production/);
    expect(loadConfig({ NODE_ENV: 'production', ENCRYPTION_KEY: k1.toString('base64') }).NODE_ENV).toBe('production');
  });
});

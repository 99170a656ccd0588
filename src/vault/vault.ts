/**
 * The credential vault: AES-256-GCM with a key id in every ciphertext, so keys can rotate.
 * Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). ENCRYPTION_KEY encrypts;
 * ENCRYPTION_KEYS_PREVIOUS still decrypt until `npm run vault:rotate` re-encrypts everything.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dataDir, type Config } from '../config/index.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export type Vault = {
  /** Id of the key new ciphertext is written with. */
  readonly currentKeyId: string;
  /** Ids of every key that decrypts (current first, then ENCRYPTION_KEYS_PREVIOUS). */
  readonly keyIds: readonly string[];
  encrypt(value: unknown): string;
  decrypt<T = unknown>(ciphertext: string): T;
  /** Whether this ciphertext was written with an older key. */
  needsRotation(ciphertext: string): boolean;
  /** HMAC-SHA256 of `data` under a key derived from the current key (signed OAuth state, link codes). */
  sign(data: string): string;
  /** Constant-time check of `sign(data)` under the current or a previous key. */
  verify(data: string, signature: string): boolean;
};

export const keyId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 12);

export function createVault(current: Buffer, previous: Buffer[] = []): Vault {
  if (current.length !== 32) throw new Error('vault key must be 32 bytes');
  const keys = new Map<string, Buffer>();
  for (const k of [current, ...previous]) keys.set(keyId(k), k);
  const currentKeyId = keyId(current);
  // A separate key for MACs, so signatures never reuse the encryption key directly.
  const macKey = (k: Buffer) => createHmac('sha256', k).update('patchbay-mac-v1').digest();
  const mac = (k: Buffer, data: string) => createHmac('sha256', macKey(k)).update(data).digest('base64url');
  return {
    sign: (data) => mac(current, data),
    verify(data, signature) {
      const given = Buffer.from(signature);
      for (const k of keys.values()) {
        const expected = Buffer.from(mac(k, data));
        if (expected.length === given.length && timingSafeEqual(expected, given)) return true;
      }
      return false;
    },
    currentKeyId,
    keyIds: [...keys.keys()],
    encrypt(value) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      const ct = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return ['v1', currentKeyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
    },
    decrypt<T>(ciphertext: string): T {
      const [version, id, iv, tag, ct] = ciphertext.split('.');
      if (version !== 'v1' || !id || !iv || !tag || ct === undefined) {
        throw new AppError('internal_error', 'Stored credentials are in an unknown format.');
      }
      const key = keys.get(id);
      if (!key) {
        throw new AppError(
          'internal_error',
          `Stored credentials were encrypted with key ${id}, which is neither ENCRYPTION_KEY nor in ENCRYPTION_KEYS_PREVIOUS.`,
        );
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        const pt = Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]);
        return JSON.parse(pt.toString('utf8')) as T;
      } catch {
        throw new AppError('internal_error', `Stored credentials failed their integrity check (key ${id}).`);
      }
    },
    needsRotation(ciphertext) {
      return ciphertext.split('.')[1] !== currentKeyId;
    },
  };
}

/**
 * The vault for this process. Without ENCRYPTION_KEY outside production, a key is generated
 * once into DATA_DIR/encryption.key (with a warning); production without a key never gets here
 * (the config refuses to load).
 */
export function loadVault(config: Config, logger: Logger): Vault {
  const previous = config.ENCRYPTION_KEYS_PREVIOUS.map((k) => Buffer.from(k, 'base64'));
  if (config.ENCRYPTION_KEY) return createVault(Buffer.from(config.ENCRYPTION_KEY, 'base64'), previous);
  if (config.NODE_ENV === 'production') {
    throw new AppError('internal_error', 'ENCRYPTION_KEY is required in production.');
  }
  const file = devKeyFile(config);
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    logger.warn(
      { file },
      `ENCRYPTION_KEY is unset: generated a development key in ${file}. Set ENCRYPTION_KEY in production; to set it on this data later, put this key in ENCRYPTION_KEYS_PREVIOUS and run \`npm run vault:rotate\`.`,
    );
  } else {
    // Said once at generation; repeating it as a warning on every start and CLI call is noise.
    logger.info({ file }, `ENCRYPTION_KEY is unset: using the development key in ${file}.`);
  }
  chmodSync(file, 0o600);
  return createVault(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'), previous);
}

/** Where the generated development key lives (used while ENCRYPTION_KEY is unset). */
export const devKeyFile = (config: Config) => path.join(dataDir(config), 'encryption.key');

/** Columns holding vault ciphertext; `vault:rotate` re-encrypts each. Later features add theirs. */
export const ENCRYPTED_COLUMNS: Array<{ table: string; column: string; key: string }> = [
  { table: 'connections', column: 'credentials', key: 'id' },
  { table: 'provider_apps', column: 'client_secret', key: 'id' },
  { table: 'oauth_states', column: 'code_verifier', key: 'id' },
  { table: 'chat_teams', column: 'secrets', key: 'id' },
  { table: 'webhook_endpoints', column: 'authorization_value', key: 'id' },
  { table: 'webhook_endpoints', column: 'secret', key: 'id' },
  { table: 'webhook_endpoints', column: 'previous_secret', key: 'id' },
  { table: 'provider_webhooks', column: 'secret', key: 'id' },
  { table: 'inbound_hooks', column: 'secret', key: 'id' },
];

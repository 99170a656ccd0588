import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { Connection } from '../../src/entities/connection.ts';
import { createLogger } from '../../src/logger.ts';
import { rotateAll } from '../../src/vault/rotate.ts';
import { createVault, loadVault } from '../../src/vault/vault.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

describe('vault key rotation', () => {
  it('re-encrypts every stored credential under the new key; the old key can then be dropped', async () => {
    const oldVault = app.pb.rt.vault;
    const em = app.pb.rt.em();
    const [ws] = await sql<{ id: string }>(app.dbUrl, `select id from workspaces where slug = 'default'`);
    for (const name of ['A', 'B']) {
      em.create(Connection, { workspace: ws!.id, providerSlug: 'linear', displayName: name, authKind: 'api_key', credentials: oldVault.encrypt({ type: 'api_key', fields: { apiKey: `lin_api_${name}` } }) });
    }
    await em.flush();
    const newKey = randomBytes(32);
    const rotated = createVault(newKey, [Buffer.from(app.config.ENCRYPTION_KEY!, 'base64')]);
    const counts = await rotateAll(app.pb.rt.db.pool, rotated);
    expect(counts['connections.credentials']).toBe(2);
    const rows = await sql<{ credentials: string }>(app.dbUrl, 'select credentials from connections order by display_name');
    const onlyNew = createVault(newKey);
    expect(rows.map((r) => onlyNew.decrypt<{ fields: { apiKey: string } }>(r.credentials).fields.apiKey)).toEqual(['lin_api_A', 'lin_api_B']);
    expect((await rotateAll(app.pb.rt.db.pool, rotated))['connections.credentials']).toBe(0);
  });

  it('generates a development key into DATA_DIR with a warning when ENCRYPTION_KEY is unset', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pb-vault-'));
    const lines: string[] = [];
    const logger = createLogger('warn', { write: (l: string) => void lines.push(l) } as never);
    const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir });
    const v1 = loadVault(config, logger);
    const file = path.join(dir, 'encryption.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(lines.join('')).toMatch(/generated a development key/);
    const v2 = loadVault(config, logger);
    expect(v2.decrypt(v1.encrypt({ x: 1 }))).toEqual({ x: 1 });
    expect(lines.join('')).not.toContain(readFileSync(file, 'utf8').trim());
  });
});

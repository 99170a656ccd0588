/**
 * The Teams app package: built from the template with an installation's app id and PUBLIC_URL,
 * zipped with manifest.json, color.png and outline.png at the root, and its manifest valid
 * against the schema of the version it declares. Once as a function, then as
 * `npm run teams:package` in a child process, as an operator runs it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTeamsPackage, DEFAULT_PACKAGE_PATH, writeTeamsPackage } from '../../bots/teams/package/package.ts';
import { TEMPLATE_DIR } from '../../bots/teams/package/write-template.ts';
import { manifestSchemaErrors, readPng, readZip } from './manifest-support.ts';
import { npmScript } from '../helpers/npm-chat.ts';

const APP_ID = '0b8f6c1e-2d3a-4e5f-9a8b-7c6d5e4f3a2b';
const PASSWORD = 'test-app-password-0123456789';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'patchbay-teams-package-'));

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function manifestOf(zip: Buffer): Record<string, unknown> & { id: string; bots: Array<{ botId: string }>; developer: Record<string, string>; validDomains: string[] } {
  const files = readZip(zip);
  return JSON.parse(files.find((f) => f.name === 'manifest.json')!.data.toString('utf8'));
}

describe('building the Teams app package', () => {
  it('zips the filled-in manifest and the two icons at the root', () => {
    const pkg = buildTeamsPackage({ appId: APP_ID, publicUrl: 'https://patchbay.acme.test' });
    const files = readZip(pkg.zip);
    expect(files.map((f) => f.name)).toEqual(['manifest.json', 'color.png', 'outline.png']);
    expect(files.every((f) => !f.name.includes('/'))).toBe(true);
    const manifest = manifestOf(pkg.zip);
    expect(manifest).toEqual(pkg.manifest);
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots[0]!.botId).toBe(APP_ID);
    expect(manifest.developer).toMatchObject({ websiteUrl: 'https://patchbay.acme.test', privacyUrl: 'https://patchbay.acme.test/privacy', termsOfUseUrl: 'https://patchbay.acme.test/terms' });
    expect(manifest.validDomains).toEqual(['patchbay.acme.test']);
    expect(manifestSchemaErrors(manifest)).toEqual([]);
    expect(files[1]!.data.equals(readFileSync(path.join(TEMPLATE_DIR, 'color.png')))).toBe(true);
    expect(files[2]!.data.equals(readFileSync(path.join(TEMPLATE_DIR, 'outline.png')))).toBe(true);
    expect(readPng(files[1]!.data)).toMatchObject({ width: 192, height: 192 });
    expect(readPng(files[2]!.data)).toMatchObject({ width: 32, height: 32 });
    // Reproducible: the same inputs give the same bytes.
    expect(buildTeamsPackage({ appId: APP_ID, publicUrl: 'https://patchbay.acme.test' }).zip.equals(pkg.zip)).toBe(true);
  });

  it('refuses what the schema would: a bad app id, a manifest whose id is no GUID', () => {
    expect(() => buildTeamsPackage({ appId: 'patchbay', publicUrl: 'https://patchbay.acme.test' })).toThrow(/must be a GUID/);
    const pkg = buildTeamsPackage({ appId: APP_ID, publicUrl: 'https://patchbay.acme.test' });
    expect(manifestSchemaErrors({ ...pkg.manifest, id: 'patchbay' })).not.toEqual([]);
  });

  it('writes to the given path, creating its folders', () => {
    const out = path.join(tmp, 'nested', 'app.zip');
    const written = writeTeamsPackage({ appId: APP_ID, publicUrl: 'https://patchbay.acme.test' }, out);
    expect(written.path).toBe(out);
    expect(readFileSync(out).equals(written.zip)).toBe(true);
    expect(DEFAULT_PACKAGE_PATH).toBe('dist/teams/patchbay-teams.zip');
  });

  const hasUnzip = spawnSync('unzip', ['-v'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!hasUnzip)('is a zip the system unzip reads without complaint', () => {
    const out = path.join(tmp, 'for-unzip.zip');
    writeTeamsPackage({ appId: APP_ID, publicUrl: 'https://patchbay.acme.test' }, out);
    const r = spawnSync('unzip', ['-t', out], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('No errors detected');
  });
});

describe('npm run teams:package', () => {
  function cli(env: Record<string, string>, args: string[] = []) {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEAMS_') && k !== 'PUBLIC_URL' && k !== 'NODE_ENV'));
    return npmScript('teams:package', args, { ...clean, ...env });
  }

  it('stops with a clear message without TEAMS_APP_ID and PUBLIC_URL, or with http outside development', async () => {
    const missing = await cli({ NODE_ENV: 'test' }, ['--out', path.join(tmp, 'never.zip')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('TEAMS_APP_ID: is required to package the Teams app');
    expect(missing.stderr).toContain('PUBLIC_URL: is required to package the Teams app');
    expect(missing.stderr).not.toContain('    at '); // no stack trace

    const http = await cli({ NODE_ENV: 'test', TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: PASSWORD, PUBLIC_URL: 'http://patchbay.acme.test' }, ['--out', path.join(tmp, 'never.zip')]);
    expect(http.code).not.toBe(0);
    expect(http.stderr).toContain('PUBLIC_URL: must be https for the Teams app package');
    expect(() => readFileSync(path.join(tmp, 'never.zip'))).toThrow();
  }, 60_000);

  it('writes a package whose manifest validates against its declared schema', async () => {
    const out = path.join(tmp, 'cli', 'patchbay-teams.zip');
    const r = await cli({ NODE_ENV: 'test', TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: PASSWORD, PUBLIC_URL: 'https://patchbay.acme.test/' }, ['--out', out, '--privacy-url', 'https://acme.test/privacy']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`(Teams app ${APP_ID}, version `);
    expect(r.stdout).toContain('docs/teams-package.md');
    const zip = readFileSync(out);
    expect(readZip(zip).map((f) => f.name)).toEqual(['manifest.json', 'color.png', 'outline.png']);
    const manifest = manifestOf(zip);
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.developer).toMatchObject({ websiteUrl: 'https://patchbay.acme.test', privacyUrl: 'https://acme.test/privacy', termsOfUseUrl: 'https://patchbay.acme.test/terms' });
    expect(manifestSchemaErrors(manifest)).toEqual([]);
  }, 60_000);

  it('accepts an http PUBLIC_URL in development, with a warning', async () => {
    const out = path.join(tmp, 'dev.zip');
    const r = await cli({ NODE_ENV: 'development', TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: PASSWORD, PUBLIC_URL: 'http://localhost:3000' }, ['--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Warning: PUBLIC_URL is http');
    expect(manifestOf(readFileSync(out)).validDomains).toEqual(['localhost']);
  }, 60_000);
});

/** The configuration module: one zod schema, one message listing every bad variable. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.ts';

const KEY = Buffer.alloc(32, 1).toString('base64');

function problemsOf(env: Record<string, string | undefined>): { message: string; problems: string[] } {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return { message: (err as ConfigError).message, problems: (err as ConfigError).problems };
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig', () => {
  it('starts on an empty environment with the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      PUBLIC_URL: 'http://localhost:3000',
      LOG_LEVEL: 'info',
      WORKER_CONCURRENCY: 10,
      WORKER_ENABLED: true,
      JOB_LEASE_MINUTES: 10,
      RETENTION_DAYS: 90,
      ENCRYPTION_KEYS_PREVIOUS: [],
    });
    expect(c.DATABASE_URL).toBeUndefined(); // embedded PostgreSQL
  });

  it('parses values from strings and trims a trailing slash off PUBLIC_URL', () => {
    const c = loadConfig({
      PORT: '8080',
      PUBLIC_URL: 'https://patchbay.example.com/',
      WORKER_ENABLED: 'false',
      WORKER_CONCURRENCY: '3',
      ENCRYPTION_KEY: KEY,
      ENCRYPTION_KEYS_PREVIOUS: `${Buffer.alloc(32, 2).toString('base64')}, ${Buffer.alloc(32, 3).toString('base64')}`,
      DATABASE_URL: 'postgresql://u:p@db:5432/patchbay',
      PROVIDER_GITHUB_CLIENT_ID: 'abc',
    });
    expect(c.PORT).toBe(8080);
    expect(c.PUBLIC_URL).toBe('https://patchbay.example.com');
    expect(c.WORKER_ENABLED).toBe(false);
    expect(c.WORKER_CONCURRENCY).toBe(3);
    expect(c.ENCRYPTION_KEYS_PREVIOUS).toHaveLength(2);
    // Namespaced variables a schema cannot list stay reachable through `raw`.
    expect(c.raw.PROVIDER_GITHUB_CLIENT_ID).toBe('abc');
  });

  it('treats empty values as unset (a blank line in .env is not an error)', () => {
    const c = loadConfig({ DATABASE_URL: '', ENCRYPTION_KEY: '', PUBLIC_URL: '' });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.ENCRYPTION_KEY).toBeUndefined();
    expect(c.PUBLIC_URL).toBe('http://localhost:3000');
  });

  it('lists every bad variable by name and why, in one message', () => {
    const { message, problems } = problemsOf({
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      ENCRYPTION_KEY: 'short',
      WORKER_CONCURRENCY: '0',
      WORKER_ENABLED: 'maybe',
      PUBLIC_URL: 'not a url',
      RETENTION_DAYS: '1.5',
    });
    const named = problems.map((p) => p.split(':')[0]);
    expect(named.sort()).toEqual(['ENCRYPTION_KEY', 'LOG_LEVEL', 'PORT', 'PUBLIC_URL', 'RETENTION_DAYS', 'WORKER_CONCURRENCY', 'WORKER_ENABLED']);
    expect(message).toMatch(/^Invalid configuration:/);
    expect(message).toContain('PORT: must be a whole number (got "abc")');
    expect(message).toContain('WORKER_CONCURRENCY: must be at least 1');
    expect(message).toMatch(/LOG_LEVEL: .*"info"/); // says what is allowed
    expect(message).toContain('openssl rand -base64 32'); // says how to make a key
    expect(message).toContain('.env.example');
  });

  it('never echoes a secret back in the message', () => {
    const secretUrl = 'mysql://admin:hunter2-secret@db.internal/patchbay';
    const { message } = problemsOf({ ENCRYPTION_KEY: 'my-secret-key-value', DATABASE_URL: secretUrl, ENCRYPTION_KEYS_PREVIOUS: 'old-secret' });
    expect(message).toContain('ENCRYPTION_KEY:');
    expect(message).toContain('DATABASE_URL:');
    expect(message).toContain('ENCRYPTION_KEYS_PREVIOUS');
    expect(message).not.toContain('my-secret-key-value');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('old-secret');
  });

  it('refuses production without ENCRYPTION_KEY, and accepts it with one', () => {
    const { problems } = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toEqual([expect.stringMatching(/^ENCRYPTION_KEY: is required when NODE_ENV=production/)]);
    expect(loadConfig({ NODE_ENV: 'production', ENCRYPTION_KEY: KEY }).NODE_ENV).toBe('production');
  });

  it('EGRESS_ALLOW_PRIVATE: hosts and CIDRs anywhere, true only outside production, malformed entries named', () => {
    expect(loadConfig({}).EGRESS_ALLOW_PRIVATE).toEqual({ all: false, hosts: [], cidrs: [] });
    expect(loadConfig({ EGRESS_ALLOW_PRIVATE: 'true' }).EGRESS_ALLOW_PRIVATE.all).toBe(true);
    const prod = loadConfig({ NODE_ENV: 'production', ENCRYPTION_KEY: KEY, EGRESS_ALLOW_PRIVATE: 'gitlab.corp,10.0.0.0/8' });
    expect(prod.EGRESS_ALLOW_PRIVATE).toMatchObject({ all: false, hosts: ['gitlab.corp'], cidrs: [{ address: '10.0.0.0', prefix: 8, family: 4 }] });
    expect(problemsOf({ NODE_ENV: 'production', ENCRYPTION_KEY: KEY, EGRESS_ALLOW_PRIVATE: 'true' }).problems).toEqual([
      expect.stringMatching(/^EGRESS_ALLOW_PRIVATE: true admits every internal host/),
    ]);
    expect(problemsOf({ EGRESS_ALLOW_PRIVATE: '10.0.0.0/40' }).problems).toEqual([expect.stringMatching(/^EGRESS_ALLOW_PRIVATE: '10.0.0.0\/40' has an invalid prefix/)]);
  });

  it('reports the missing production key together with the other problems, not one round at a time', () => {
    const { problems } = problemsOf({ NODE_ENV: 'production', PORT: 'abc' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['ENCRYPTION_KEY', 'PORT']);
  });

  it('refuses a PUBLIC_URL that is not http(s), since OAuth redirects and webhook URLs are built from it', () => {
    expect(problemsOf({ PUBLIC_URL: 'ftp://files.example.com' }).problems).toEqual([expect.stringMatching(/^PUBLIC_URL: /)]);
    expect(loadConfig({ PUBLIC_URL: 'http://10.0.0.5:3000' }).PUBLIC_URL).toBe('http://10.0.0.5:3000');
  });
});

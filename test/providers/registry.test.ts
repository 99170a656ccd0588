import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractGeneratedSection, renderGeneratedSection } from '../../src/providers/docs.ts';
import { docPath, pendingDocChanges } from '../../src/providers/write-docs.ts';
import { AppError } from '../../src/errors.ts';
import { getProvider, levenshtein, listProviders, providerCatalog, providerDefinitions, suggestSlugs } from '../../src/providers/registry.ts';
import {
  oauthAppFromEnv,
  providerEnvPrefix,
  providerEnvVariables,
  requireOAuthApp,
  resolveProviderUrls,
} from '../../src/providers/_shared/urls.ts';
import { providerDefinitionSchema } from '../../src/providers/types.ts';
import { caught } from './helpers.ts';

describe('registry', () => {
  it('every definition parses with providerDefinitionSchema and slugs are unique', () => {
    const slugs = new Set<string>();
    for (const d of providerDefinitions) {
      expect(() => providerDefinitionSchema.parse(d), d.slug).not.toThrow();
      expect(slugs.has(d.slug)).toBe(false);
      slugs.add(d.slug);
    }
    expect(listProviders().map((p) => p.definition)).toEqual([...providerDefinitions]);
  });

  it('registers every folder under src/providers/, each with a doc page, and nothing else', () => {
    const root = new URL('../../src/providers/', import.meta.url);
    const folders = readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('_'))
      .map((e) => e.name)
      .sort();
    expect(folders.length).toBeGreaterThanOrEqual(8);
    expect(listProviders().map((p) => p.definition.slug).sort()).toEqual(folders);
    for (const slug of folders) expect(existsSync(docPath(slug)), `docs/providers/${slug}.md`).toBe(true);
  });

  it('each folder has the simple shape: index.ts builds it from definition + connector, with no self-reference', () => {
    for (const p of listProviders()) {
      const slug = p.definition.slug;
      const index = readFileSync(new URL(`../../src/providers/${slug}/index.ts`, import.meta.url), 'utf8');
      expect(index, slug).toMatch(/defineProvider\(definition, connector(, \[\w+(, \w+)*\](, \{ webhooks \})?)?\)/);
      expect(index, slug).not.toMatch(/=>/);
    }
  });

  it('declared capabilities have their code', () => {
    for (const p of listProviders()) {
      const d = p.definition;
      // A revoke URL means a revoke call exists.
      if (d.auth.oauth2?.revokeUrl) expect(p.connector.revoke, `${d.slug}: revokeUrl without connector.revoke`).toBeTypeOf('function');
      // No revoke call: the catalog and the disconnect message must say so.
      if (!p.connector.revoke) expect(d.revokeNote, `${d.slug}: no revoke and no revokeNote`).toBeTruthy();
      // Credentials whose revoke does nothing (Linear API keys) also need the note.
      if (p.connector.canRevoke) expect(d.revokeNote, `${d.slug}: canRevoke without revokeNote`).toBeTruthy();
      expect(p.connector.test, d.slug).toBeTypeOf('function');
      // Least privilege: default scopes are identity/offline only, never object scopes.
      const objectScopes = new Set(d.objects.flatMap((o) => o.scopes));
      for (const s of d.auth.oauth2?.defaultScopes ?? []) expect(objectScopes.has(s), `${d.slug}: default scope ${s} is an object scope`).toBe(false);
      // Credential patterns compile.
      for (const f of d.auth.credentials?.fields ?? []) if (f.pattern) expect(() => new RegExp(f.pattern!)).not.toThrow();
    }
  });

  it('every provider has a doc page whose generated part is up to date', () => {
    for (const p of listProviders()) {
      const file = docPath(p.definition.slug);
      expect(existsSync(file), `docs/providers/${p.definition.slug}.md is missing; run: npm run docs:providers`).toBe(true);
      const page = readFileSync(file, 'utf8');
      expect(
        extractGeneratedSection(page),
        `docs/providers/${p.definition.slug}.md is stale; run: npm run docs:providers`,
      ).toBe(renderGeneratedSection(p));
      expect(page, `docs/providers/${p.definition.slug}.md still has TODOs`).not.toContain('TODO');
      if (p.definition.auth.oauth2) expect(page).toContain('{PUBLIC_URL}/oauth/callback');
    }
    expect([...pendingDocChanges().keys()]).toEqual([]);
  });

  it('getProvider returns a provider and suggests close slugs for unknown ones', async () => {
    const typo = (await caught(async () => getProvider('hubspt'))) as AppError;
    expect(typo.message).toBe("Unknown provider 'hubspt'. Did you mean hubspot?");
    expect(typo.details).toEqual({ suggestions: ['hubspot'] });
    expect(getProvider('linear').definition.displayName).toBe('Linear');
    const err = (await caught(async () => getProvider('lnear'))) as AppError;
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('not_found');
    expect(err.message).toBe("Unknown provider 'lnear'. Did you mean linear?");
    expect(err.details).toEqual({ suggestions: ['linear'] });
    const far = (await caught(async () => getProvider('zzzzzzzzzz'))) as AppError;
    expect(far.details).toEqual({ suggestions: [] });
    expect(far.message).toMatch(/Known providers: /);
  });

  it('levenshtein and suggestions', () => {
    expect(levenshtein('hubspt', 'hubspot')).toBe(1);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(suggestSlugs('hubspt', ['hubspot', 'github', 'asana'])).toEqual(['hubspot']);
    expect(suggestSlugs('google', ['google-calendar', 'github'])).toEqual(['google-calendar']);
  });
});

describe('urls and OAuth apps from the environment', () => {
  const p = getProvider('linear');

  it('derives the env prefix from the slug', () => {
    expect(providerEnvPrefix('google-calendar')).toBe('PROVIDER_GOOGLE_CALENDAR');
    expect(providerEnvVariables(p)).toEqual([
      'PROVIDER_LINEAR_CLIENT_ID',
      'PROVIDER_LINEAR_CLIENT_SECRET',
      'PROVIDER_LINEAR_BASE_URL',
      'PROVIDER_LINEAR_AUTHORIZE_URL',
      'PROVIDER_LINEAR_TOKEN_URL',
      'PROVIDER_LINEAR_REVOKE_URL',
    ]);
  });

  it('applies env overrides, then per-connection overrides', () => {
    expect(resolveProviderUrls(p, { raw: {} })).toEqual({
      apiBaseUrl: 'https://api.linear.app',
      authorizeUrl: 'https://linear.app/oauth/authorize',
      tokenUrl: 'https://api.linear.app/oauth/token',
      revokeUrl: 'https://api.linear.app/oauth/revoke',
    });
    const env = {
      PROVIDER_LINEAR_BASE_URL: 'http://127.0.0.1:9999/',
      PROVIDER_LINEAR_AUTHORIZE_URL: 'http://127.0.0.1:9999/authorize',
      PROVIDER_LINEAR_TOKEN_URL: 'http://127.0.0.1:9999/token',
      PROVIDER_LINEAR_REVOKE_URL: '',
    };
    expect(resolveProviderUrls(p, { raw: env }, { tokenUrl: 'https://self.example/token' })).toEqual({
      apiBaseUrl: 'http://127.0.0.1:9999',
      authorizeUrl: 'http://127.0.0.1:9999/authorize',
      tokenUrl: 'https://self.example/token',
      revokeUrl: 'https://api.linear.app/oauth/revoke',
      userChosen: ['tokenUrl'],
    });
  });

  it('refuses a malformed override, naming the variable', async () => {
    const err = (await caught(async () => resolveProviderUrls(p, { raw: { PROVIDER_LINEAR_BASE_URL: 'ftp://x' } }))) as AppError;
    expect(err.code).toBe('provider_not_configured');
    expect(err.message).toContain('PROVIDER_LINEAR_BASE_URL');
  });

  it('reads the OAuth app, and names exactly the two variables when it is missing', async () => {
    expect(oauthAppFromEnv(p, { raw: { PROVIDER_LINEAR_CLIENT_ID: 'id' } })).toBeNull();
    const env = { raw: { PROVIDER_LINEAR_CLIENT_ID: 'id', PROVIDER_LINEAR_CLIENT_SECRET: 'secret' } };
    expect(oauthAppFromEnv(p, env)).toEqual({ clientId: 'id', clientSecret: 'secret' });
    expect(requireOAuthApp(p, env, { clientId: 'ws', clientSecret: 'wss' })).toEqual({ clientId: 'ws', clientSecret: 'wss' });
    const err = (await caught(async () => requireOAuthApp(p, { raw: {} }))) as AppError;
    expect(err.code).toBe('provider_not_configured');
    expect(err.message).toContain('set PROVIDER_LINEAR_CLIENT_ID and PROVIDER_LINEAR_CLIENT_SECRET');
    expect(err.details).toEqual({ provider: 'linear', variables: ['PROVIDER_LINEAR_CLIENT_ID', 'PROVIDER_LINEAR_CLIENT_SECRET'] });
  });
});

describe('catalog', () => {
  it('lists auth modes, configuration, objects and scopes without secrets', () => {
    const env = { raw: { PROVIDER_HUBSPOT_CLIENT_ID: 'id', PROVIDER_HUBSPOT_CLIENT_SECRET: 'do-not-leak' } };
    const catalog = providerCatalog(env);
    expect(JSON.stringify(catalog)).not.toContain('do-not-leak');
    const bySlug = Object.fromEntries(catalog.map((c) => [c.slug, c]));
    expect(bySlug.hubspot).toMatchObject({ authModes: ['oauth2'], configured: true, oauthConfigured: true, category: 'crm', revokes: true });
    expect(bySlug.hubspot!.scopes).toEqual(['oauth', 'crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.lists.read', 'crm.lists.write', 'crm.objects.deals.read', 'crm.objects.deals.write']);
    expect(bySlug.github).toMatchObject({ configured: false, oauthConfigured: false });
    expect(bySlug.linear).toMatchObject({ authModes: ['oauth2', 'api_key'], configured: true, oauthConfigured: false });
    expect(bySlug.twilio).toMatchObject({ authModes: ['basic'], configured: true, oauthConfigured: null, revokes: false });
    expect(bySlug.twilio!.revokeNote).toMatch(/rotate/);
  });
});

/**
 * The generated part of each provider's doc page (`docs/providers/<slug>.md`): everything that
 * comes from the definition — auth mode, URLs, redirect URL, scopes, objects, rate-limit signals,
 * revoke behaviour, webhooks (from the provider's `webhooks.ts`) and environment variables. It sits
 * between the markers below; the rest of the page is written by hand. `npm run docs:providers`
 * rewrites it, and a test fails when a committed page is stale.
 */
import { OAUTH_CALLBACK_PATH } from './_shared/oauth.ts';
import { providerEnvVar, URL_ENV_SUFFIXES } from './_shared/urls.ts';
import type { Provider } from './types.ts';

export const GENERATED_START = '<!-- generated:start -->';
export const GENERATED_END = '<!-- generated:end -->';

const WEBHOOK_SECRET_SOURCES = {
  registration: 'the secret of the webhook Patchbay registered',
  admin: 'the secret an Admin stored on the connection',
  app: "the OAuth app's client secret",
  credential: "a field of the connection's credentials",
} as const;

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function authModes(provider: Provider): string[] {
  const a = provider.definition.auth;
  const modes: string[] = [];
  if (a.oauth2) modes.push(a.oauth2.pkce ? 'OAuth 2.0 (authorization code + PKCE)' : 'OAuth 2.0 (authorization code)');
  if (a.credentials) modes.push(a.credentials.kind === 'basic' ? 'HTTP Basic credentials' : 'API key');
  if (a.inbound) modes.push('Inbound: the service calls Patchbay with a Patchbay API token');
  return modes;
}

function envTable(provider: Provider): string[] {
  const slug = provider.definition.slug;
  const oauth = provider.definition.auth.oauth2;
  const rows: Array<[string, string]> = [];
  if (oauth) {
    rows.push([providerEnvVar(slug, 'CLIENT_ID'), 'OAuth app client id (the instance-wide app; a workspace can configure its own).']);
    rows.push([providerEnvVar(slug, 'CLIENT_SECRET'), 'OAuth app client secret.']);
  }
  if (provider.definition.auth.inbound) return ['None: Patchbay never calls this service\'s API (deliveries go to the hook URLs it subscribes).'];
  const setting = provider.definition.apiBaseUrlSetting;
  const apiDefault = setting ? `${code(setting)}, whose default is ${code(provider.definition.apiBaseUrl)} with this process's port` : code(provider.definition.apiBaseUrl);
  rows.push([providerEnvVar(slug, URL_ENV_SUFFIXES.apiBaseUrl), `Overrides the API base URL (default ${apiDefault}).`]);
  if (oauth) {
    rows.push([providerEnvVar(slug, URL_ENV_SUFFIXES.authorizeUrl), `Overrides the authorize URL (default ${code(oauth.authorizeUrl)}).`]);
    rows.push([providerEnvVar(slug, URL_ENV_SUFFIXES.tokenUrl), `Overrides the token URL (default ${code(oauth.tokenUrl)}).`]);
    if (oauth.revokeUrl) rows.push([providerEnvVar(slug, URL_ENV_SUFFIXES.revokeUrl), `Overrides the revoke URL (default ${code(oauth.revokeUrl)}).`]);
  }
  return ['| Variable | Purpose |', '| --- | --- |', ...rows.map(([v, p]) => `| ${code(v)} | ${cell(p)} |`)];
}

/** The generated section, markers included. Deterministic: same definition, same text. */
export function renderGeneratedSection(provider: Provider): string {
  const d = provider.definition;
  const out: string[] = [GENERATED_START];
  out.push(`<!-- Generated from src/providers/${d.slug}/definition.ts by \`npm run docs:providers\`. Do not edit between these markers. -->`);
  out.push('');
  out.push('## At a glance', '');
  out.push('| | |', '| --- | --- |');
  out.push(`| Slug | ${code(d.slug)} |`);
  out.push(`| Category | ${d.category.replace(/_/g, ' ')} |`);
  out.push(`| Auth | ${authModes(provider).join('; ')} |`);
  if (d.auth.inbound) out.push(`| API base URL | none: Patchbay never calls ${d.displayName}'s API; it POSTs deliveries to the hook URLs ${d.displayName} subscribes |`);
  else out.push(`| API base URL | ${d.apiBaseUrlSetting ? `${code(d.apiBaseUrlSetting)} (default ${code(d.apiBaseUrl)} with this process's port)` : code(d.apiBaseUrl)} |`);
  out.push(`| Provider documentation | ${d.docsUrl} |`);
  out.push('');

  const o = d.auth.oauth2;
  if (o) {
    out.push('## OAuth 2.0', '');
    out.push(`- Redirect URL to register at ${d.displayName}: ${code(`{PUBLIC_URL}${OAUTH_CALLBACK_PATH}`)} (for example ${code(`https://patchbay.example.com${OAUTH_CALLBACK_PATH}`)}).`);
    out.push(`- Authorize URL: ${code(o.authorizeUrl)}`);
    out.push(`- Token URL: ${code(o.tokenUrl)}`);
    out.push(`- Revoke URL: ${o.revokeUrl ? code(o.revokeUrl) : 'none'}`);
    out.push(`- PKCE (S256): ${o.pkce ? 'yes' : 'no'}`);
    out.push(`- Client authentication at the token endpoint: ${o.clientAuth === 'basic' ? 'HTTP Basic header' : 'client_id and client_secret in the form body'}`);
    out.push(`- Scope separator: ${o.scopeSeparator === ' ' ? 'space' : 'comma'}`);
    out.push(
      `- Refresh tokens: ${o.refresh === 'none' ? 'none (access tokens do not expire)' : o.refresh === 'rotating' ? 'rotating (each refresh returns a new refresh token)' : 'static (the refresh token stays the same)'}`,
    );
    const params = Object.entries(o.authorizeParams);
    out.push(`- Extra authorize parameters: ${params.length ? params.map(([k, v]) => code(`${k}=${v}`)).join(', ') : 'none'}`);
    out.push(`- Scopes always requested: ${o.defaultScopes.length ? o.defaultScopes.map(code).join(', ') : 'none'}`);
    out.push('');
  }

  const c = d.auth.credentials;
  if (c) {
    out.push(c.kind === 'basic' ? '## Credentials (HTTP Basic)' : '## Credentials (API key)', '');
    out.push(cell(c.instructions), '');
    out.push('| Field | Label | Secret | Format |', '| --- | --- | --- | --- |');
    for (const f of c.fields) {
      out.push(`| ${code(f.name)} | ${cell(f.label)} | ${f.secret ? 'yes (encrypted, never shown again)' : 'no'} | ${f.pattern ? cell(code(f.pattern)) : 'any'} |`);
    }
    out.push('');
  }

  const inbound = d.auth.inbound;
  if (inbound) {
    out.push('## Inbound (the service calls Patchbay)', '');
    out.push(cell(inbound.instructions), '');
    out.push(`- Patchbay stores no credentials for ${d.displayName}; ${d.displayName} holds a Patchbay API token (an Admin's or Owner's, to subscribe).`);
    out.push(`- Connecting records a connection (auth kind ${code('inbound')}) whose test reports the active subscriptions.`);
    out.push('');
  }

  out.push('## Objects and scopes', '');
  if (d.objects.length) {
    out.push('| Object | Direction | Syncs with | Scopes requested for it |', '| --- | --- | --- | --- |');
    for (const ob of d.objects) {
      const dir = ob.direction === 'both' ? 'two-way' : ob.direction === 'in' ? `from ${d.displayName}` : `to ${d.displayName}`;
      const adapter = provider.adapters.find((a) => a.remoteObject === ob.name);
      const syncs = adapter ? `Patchbay ${adapter.localObject.replace('_', ' ')}` : 'not synced yet';
      out.push(`| ${ob.name} | ${dir} | ${syncs} | ${ob.scopes.length ? ob.scopes.map(code).join(', ') : '(none beyond the credentials)'} |`);
    }
  } else {
    out.push('No objects yet.');
  }
  out.push('');

  if (!d.auth.inbound) rateLimits(out, provider);
  else out.push('## Rate limits', '', `Not applicable: Patchbay makes no API calls to ${d.displayName}. Deliveries to its hook URLs follow the outbound webhook retry rules.`, '');

  out.push('## Disconnect', '');
  if (d.auth.inbound) out.push(`Patchbay holds no ${d.displayName} credentials: disconnecting ends the connection record only.`);
  else if (provider.connector.revoke) out.push(`Disconnecting revokes the grant at ${d.displayName}, then deletes the credentials from Patchbay.`);
  else out.push(`${d.displayName} has no revoke call: disconnecting deletes the credentials from Patchbay.`);
  if (d.revokeNote) out.push('', `> ${cell(d.revokeNote)}`);
  out.push('');

  const wh = provider.webhooks;
  if (wh) {
    out.push('## Webhooks', '');
    const app = wh.scheme.routing === 'app';
    const url = `{PUBLIC_URL}/webhooks/${d.slug}${app ? '' : wh.register ? '/<connection id>/<registration id>' : '/<connection id>'}`;
    out.push(`- Inbound URL: ${code(url)}${app ? ' (one for every account; events are routed by account)' : wh.register ? ' (Patchbay gives it to the provider when it registers)' : ''}`);
    out.push(`- Verified with: ${WEBHOOK_SECRET_SOURCES[wh.scheme.secretSource]}`);
    out.push(`- Registration: ${wh.register ? `Patchbay registers it when a realtime rule needs it${wh.renewBeforeSeconds ? ', renews it before it expires' : ''} and removes it on disconnect` : 'none (configured once at the provider, below)'}`);
    out.push('', cell(wh.setup), '');
  }

  out.push('## Environment variables', '');
  out.push(...envTable(provider));
  out.push('', GENERATED_END);
  return out.join('\n');
}

function rateLimits(out: string[], provider: Provider): void {
  const d = provider.definition;
  out.push('## Rate limits', '');
  out.push('- HTTP 429 is always treated as a rate limit.');
  for (const s of d.rateLimit.signals) {
    const parts = [`HTTP ${s.status}`];
    if (s.header) parts.push(`header ${code(`${s.header.name}: ${s.header.equals}`)}`);
    if (s.bodyIncludes) parts.push(`body containing ${code(s.bodyIncludes)}`);
    const span = (sec: number) => (sec % 3600 === 0 ? `${sec / 3600} h` : `${sec} s`);
    out.push(`- Also: ${parts.join(' with ')}.${s.pause ? ` Without ${code('Retry-After')} it pauses the connection ${span(s.pause.seconds)}, doubled each time it recurs within a pause's length, up to ${span(s.pause.maxSeconds)}.` : ''}`);
  }
  const reset = d.rateLimit.resetHeader;
  out.push(
    `- Wait taken from ${code('Retry-After')}${reset ? `, else ${code(reset.name)} (${reset.format.replace(/_/g, ' ')})` : ''}, else 60 s; the connection is paused until then.`,
  );
  out.push('');
}

/** The generated section currently in a page, markers included, or null when the markers are missing. */
export function extractGeneratedSection(page: string): string | null {
  const start = page.indexOf(GENERATED_START);
  const end = page.indexOf(GENERATED_END);
  if (start < 0 || end < start) return null;
  return page.slice(start, end + GENERATED_END.length);
}

/** The page with its generated section replaced (or appended after the title when it has none). */
export function updateDocPage(page: string, provider: Provider): string {
  const section = renderGeneratedSection(provider);
  const current = extractGeneratedSection(page);
  if (current !== null) return page.replace(current, () => section);
  const lines = page.split('\n');
  const titleAt = lines.findIndex((l) => l.startsWith('# '));
  lines.splice(titleAt + 1, 0, '', section);
  return lines.join('\n');
}

/** A new page: title, the generated section, and headings for the hand-written parts. */
export function newDocPage(provider: Provider): string {
  const d = provider.definition;
  return [
    `# ${d.displayName}`,
    '',
    renderGeneratedSection(provider),
    '',
    `## Setting up ${d.displayName}`,
    '',
    'TODO: how an operator creates the OAuth app or key, and where the credentials are.',
    '',
    '## Why these scopes',
    '',
    'TODO',
    '',
    '## Known limits',
    '',
    'TODO',
    '',
  ].join('\n');
}

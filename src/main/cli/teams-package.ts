/**
 * `npm run teams:package [-- --out <file.zip>] [--privacy-url <url>] [--terms-url <url>]`
 * Builds the Microsoft Teams app package (dist/teams/patchbay-teams.zip by default): the template
 * in manifest/teams/ with TEAMS_APP_ID as app and bot id, developer pages and the valid domain
 * from PUBLIC_URL, and the two icons. Upload it as docs/teams-package.md describes.
 * PUBLIC_URL must be https (Teams refuses other developer URLs); http passes with a warning
 * only when NODE_ENV=development, for a package that is never uploaded to a tenant.
 */
import path from 'node:path';
import { DEFAULT_PACKAGE_PATH, writeTeamsPackage } from '../../../bots/teams/package/package.ts';
import { ConfigError, loadConfig, readEnvironment } from '../../config/index.ts';
import { parseFlags, runCli } from './run-cli.ts';

await runCli(async () => {
  const { flags } = parseFlags(process.argv.slice(2));
  const config = loadConfig(readEnvironment());
  const problems: string[] = [];
  if (!config.TEAMS_APP_ID) problems.push('TEAMS_APP_ID: is required to package the Teams app (Azure portal → your Azure Bot → Configuration → Microsoft App ID)');
  if (!config.raw.PUBLIC_URL) problems.push('PUBLIC_URL: is required to package the Teams app: the https address Patchbay is reached at (its developer pages and valid domain)');
  const urls: Array<[string, string | undefined]> = [
    ['PUBLIC_URL', config.raw.PUBLIC_URL ? config.PUBLIC_URL : undefined],
    ['--privacy-url', flags['privacy-url']],
    ['--terms-url', flags['terms-url']],
  ];
  const development = config.NODE_ENV === 'development';
  for (const [name, url] of urls) {
    if (url === undefined) continue;
    if (url === 'true' || !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) problems.push(`${name}: must be an absolute https URL (got "${url}")`);
    else if (new URL(url).protocol === 'http:') {
      if (development) process.stderr.write(`Warning: ${name} is http (${url}); Teams refuses http developer URLs on upload, so this package is for local trials only.\n`);
      else problems.push(`${name}: must be https for the Teams app package (got "${url}"); http is accepted only with NODE_ENV=development`);
    }
  }
  if (flags.out === 'true') problems.push('--out: needs a file path, e.g. --out dist/teams/patchbay-teams.zip');
  if (problems.length) throw new ConfigError(problems);

  const written = writeTeamsPackage(
    {
      appId: config.TEAMS_APP_ID!,
      publicUrl: config.PUBLIC_URL,
      ...(flags['privacy-url'] ? { privacyUrl: flags['privacy-url'] } : {}),
      ...(flags['terms-url'] ? { termsOfUseUrl: flags['terms-url'] } : {}),
    },
    flags.out ?? DEFAULT_PACKAGE_PATH,
  );
  const shown = path.relative(process.cwd(), written.path) || written.path;
  process.stdout.write(
    [
      `Wrote ${shown} (Teams app ${written.manifest.id}, version ${written.manifest.version}, manifest v${String(written.manifest.manifestVersion)}):`,
      ...written.entries.map((e) => `  ${e.name} (${e.data.length} bytes)`),
      'Upload it in Teams admin center (Teams apps → Manage apps → Upload new app), the Developer Portal (Apps → Import app),',
      'or Teams itself (Apps → Manage your apps → Upload an app); see docs/teams-package.md.',
    ].join('\n') + '\n',
  );
});

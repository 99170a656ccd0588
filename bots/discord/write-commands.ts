/**
 * Writes manifest/discord-commands.json, the `/integrations` definitions Discord receives
 * (bots/discord/commands.ts), for review in diffs. Run: `npm run discord:commands`
 * With `--check`, writes nothing and exits 1 when the file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { discordCommandDefinitions } from './commands.ts';

export const MANIFEST_PATH = fileURLToPath(new URL('../../manifest/discord-commands.json', import.meta.url));

/** The manifest's text: pretty JSON with a trailing newline. */
export function manifestText(): string {
  return `${JSON.stringify(discordCommandDefinitions(), null, 2)}\n`;
}

function main(argv: string[]): number {
  const next = manifestText();
  let current: string | null = null;
  try {
    current = readFileSync(MANIFEST_PATH, 'utf8');
  } catch {
    current = null;
  }
  if (argv.includes('--check')) {
    if (current !== next) console.error('manifest/discord-commands.json is stale; run: npm run discord:commands');
    return current === next ? 0 : 1;
  }
  if (current === next) {
    console.log('manifest/discord-commands.json is up to date');
    return 0;
  }
  writeFileSync(MANIFEST_PATH, next);
  console.log('wrote manifest/discord-commands.json');
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));

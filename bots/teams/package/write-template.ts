/**
 * Writes manifest/teams/: manifest.json (the template: `teamsManifest()` with placeholder id and
 * host), color.png and outline.png (bots/teams/package/icons.ts). Run: `npm run teams:manifest`
 * after changing the chat commands, the menus or Patchbay's version.
 * With `--check`, writes nothing and exits 1 when a file is stale.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { colorIconPng, outlineIconPng } from './icons.ts';
import { COLOR_ICON_FILE, manifestText, OUTLINE_ICON_FILE } from './manifest.ts';

export const TEMPLATE_DIR = fileURLToPath(new URL('../../../manifest/teams/', import.meta.url));
export const MANIFEST_FILE = 'manifest.json';

/** Every file of the template directory with the bytes it should have. */
export function templateFiles(): Array<{ name: string; data: Buffer }> {
  return [
    { name: MANIFEST_FILE, data: Buffer.from(manifestText(), 'utf8') },
    { name: COLOR_ICON_FILE, data: colorIconPng() },
    { name: OUTLINE_ICON_FILE, data: outlineIconPng() },
  ];
}

function readOrNull(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch {
    return null;
  }
}

function main(argv: string[]): number {
  const stale = templateFiles().filter(({ name, data }) => !readOrNull(path.join(TEMPLATE_DIR, name))?.equals(data));
  if (argv.includes('--check')) {
    for (const { name } of stale) console.error(`manifest/teams/${name} is stale; run: npm run teams:manifest`);
    return stale.length ? 1 : 0;
  }
  if (!stale.length) {
    console.log('manifest/teams/ is up to date');
    return 0;
  }
  mkdirSync(TEMPLATE_DIR, { recursive: true });
  for (const { name, data } of stale) {
    writeFileSync(path.join(TEMPLATE_DIR, name), data);
    console.log(`wrote manifest/teams/${name}`);
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));

/**
 * The Teams app package: the checked-in template (manifest/teams/) with one installation's app
 * id and URLs, zipped with its two icons at the root — what Teams admin center, the Developer
 * Portal and "Upload a custom app" take. `npm run teams:package` (src/main/cli/teams-package.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { COLOR_ICON_FILE, fillManifest, manifestText, OUTLINE_ICON_FILE, type ManifestValues, type TeamsManifest } from './manifest.ts';
import { MANIFEST_FILE, TEMPLATE_DIR } from './write-template.ts';
import { writeZip, type ZipEntry } from './zip.ts';

export const DEFAULT_PACKAGE_PATH = 'dist/teams/patchbay-teams.zip';

export type TeamsPackage = { manifest: TeamsManifest; entries: ZipEntry[]; zip: Buffer };

/** The package's files and zip, from the template in `templateDir` (default manifest/teams/). */
export function buildTeamsPackage(values: ManifestValues, templateDir = TEMPLATE_DIR): TeamsPackage {
  const template = JSON.parse(readFileSync(path.join(templateDir, MANIFEST_FILE), 'utf8')) as TeamsManifest;
  const manifest = fillManifest(template, values);
  const entries: ZipEntry[] = [
    { name: MANIFEST_FILE, data: Buffer.from(manifestText(manifest), 'utf8') },
    { name: COLOR_ICON_FILE, data: readFileSync(path.join(templateDir, COLOR_ICON_FILE)) },
    { name: OUTLINE_ICON_FILE, data: readFileSync(path.join(templateDir, OUTLINE_ICON_FILE)) },
  ];
  return { manifest, entries, zip: writeZip(entries) };
}

/** Builds the package and writes it to `out` (folders created); returns it with the absolute path. */
export function writeTeamsPackage(values: ManifestValues, out = DEFAULT_PACKAGE_PATH, templateDir = TEMPLATE_DIR): TeamsPackage & { path: string } {
  const pkg = buildTeamsPackage(values, templateDir);
  const file = path.resolve(out);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, pkg.zip);
  return { ...pkg, path: file };
}

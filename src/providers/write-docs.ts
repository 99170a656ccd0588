/**
 * Rewrites the generated part of every provider page under docs/providers/ (creating missing pages
 * with headings for the hand-written parts). Run: `npm run docs:providers`
 * With `--check`, changes nothing and exits 1 when a page is missing or stale.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { newDocPage, updateDocPage } from './docs.ts';
import { listProviders } from './registry.ts';

export const DOCS_DIR = fileURLToPath(new URL('../../docs/providers/', import.meta.url));

export function docPath(slug: string): string {
  return `${DOCS_DIR}${slug}.md`;
}

/** The pages that would change: slug → new text. */
export function pendingDocChanges(): Map<string, string> {
  const changes = new Map<string, string>();
  for (const p of listProviders()) {
    const file = docPath(p.definition.slug);
    const current = existsSync(file) ? readFileSync(file, 'utf8') : null;
    const next = current === null ? newDocPage(p) : updateDocPage(current, p);
    if (next !== current) changes.set(p.definition.slug, next);
  }
  return changes;
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const changes = pendingDocChanges();
  if (check) {
    for (const slug of changes.keys()) console.error(`docs/providers/${slug}.md is stale; run: npm run docs:providers`);
    return changes.size ? 1 : 0;
  }
  mkdirSync(DOCS_DIR, { recursive: true });
  for (const [slug, text] of changes) {
    writeFileSync(docPath(slug), text);
    console.log(`wrote docs/providers/${slug}.md`);
  }
  if (!changes.size) console.log('provider docs are up to date');
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));

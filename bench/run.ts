/**
 * `npm run bench -- <name>`: runs bench/<name>.ts (each prints its figures beside a baseline
 * measured in the same run). With no name, lists the benchmarks.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3))
  .sort();
const name = process.argv[2];
if (!name || !names.includes(name)) {
  console.error(`${name ? `No benchmark '${name}'. ` : ''}Usage: npm run bench -- <name>\nBenchmarks: ${names.join(', ') || '(none)'}`);
  process.exit(name ? 1 : 0);
}
process.argv.splice(2, 1);
process.env.BENCH_NAME = name; // a benchmark that another one also runs (inbound) starts only when named
await import(pathToFileURL(path.join(dir, `${name}.ts`)).href);

/**
 * `npm run sandbox -- <command>`: the Sandbox (src/sandbox/) from the terminal, on the database the
 * server uses. Keys are printed once, on stdout alone; everything else a person reads goes to stderr.
 * Edits made here send the account's webhooks from this process (awaited before it exits).
 */
import { AppError } from '../../errors.ts';
import type { Runtime } from '../../runtime.ts';
import { objectSpec, type ObjectSpec } from '../../sandbox/objects.ts';
import { seedSandbox } from '../../sandbox/seed.ts';
import { accountForKey, createAccount, deleteRecord, findAccount, newestAccount, SandboxError, throttleAccount, updateRecord, type Account } from '../../sandbox/store.ts';
import { deliverChanges } from '../../sandbox/webhooks.ts';
import { runCli } from './run-cli.ts';
import { withDatabase } from './with-database.ts';

const USAGE = `Usage: npm run sandbox -- <command>
  key [name]                                    create a sandbox account and print its API key (once)
  seed <n> [--contacts] [--account <id>|--key <sbx_…>]   add n sample tasks (or contacts)
  list tasks|contacts [--limit n] [--account …]  the most recently changed records
  edit task|contact <id> field=value …          change fields (tags=a,b; field= clears it)
  edit task|contact <id> --delete               delete (a tombstone the feed reports)
  throttle <seconds> [--account …]              answer 429 with Retry-After for that long (0 lifts it)`;

const COMMANDS = ['key', 'seed', 'list', 'edit', 'throttle'];
const BOOLEAN = new Set(['contacts', 'delete']);
const VALUED = new Set(['account', 'key', 'limit']);

function usage(problem: string): AppError {
  return new AppError('validation_failed', `${problem}\n${USAGE}`);
}

export function parseArgs(argv: string[]): { flags: Record<string, string | true>; args: string[] } {
  const flags: Record<string, string | true> = {};
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      args.push(a);
      continue;
    }
    const name = a.slice(2);
    if (BOOLEAN.has(name)) flags[name] = true;
    else if (VALUED.has(name)) {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw usage(`--${name} needs a value.`);
      flags[name] = v;
    } else throw usage(`Unknown option ${a}.`);
  }
  return { flags, args };
}

function wholeNumber(value: string | undefined, what: string, max: number): number {
  const n = Number(value?.replace(/[_,]/g, ''));
  if (!value || !Number.isInteger(n) || n < 0 || n > max) throw usage(`${what} must be a whole number from 0 to ${max.toLocaleString('en')} (got ${value ?? 'nothing'}).`);
  return n;
}

function specFor(word: string | undefined): ObjectSpec {
  const spec = objectSpec(word === 'task' ? 'tasks' : word === 'contact' ? 'contacts' : (word ?? ''));
  if (!spec) throw usage(`Say task or contact (got ${word ?? 'nothing'}).`);
  return spec;
}

async function chooseAccount(rt: Runtime, flags: Record<string, string | true>): Promise<Account> {
  const db = rt.db.pool;
  if (typeof flags.key === 'string') {
    const a = await accountForKey(db, flags.key);
    if (!a) throw new AppError('not_found', 'No sandbox account has that key.');
    return a;
  }
  if (typeof flags.account === 'string') {
    const a = await findAccount(db, flags.account);
    if (!a) throw new AppError('not_found', `No sandbox account '${flags.account}'.`);
    return a;
  }
  const { account, count } = await newestAccount(db);
  if (!account) throw new AppError('not_found', 'There is no sandbox account yet: create one with `npm run sandbox -- key`.');
  if (count > 1) process.stderr.write(`Using the newest account ${account.id} (${account.name}); pass --account <id> to choose another.\n`);
  return account;
}

/** `field=value` pairs as a PATCH body: `tags=a,b` is a list, `field=` clears the field. */
export function parseAssignments(spec: ObjectSpec, pairs: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq < 1) throw usage(`Expected field=value, got '${p}'.`);
    const field = p.slice(0, eq);
    const raw = p.slice(eq + 1);
    if (!spec.columns.includes(field)) throw usage(`A ${spec.singular} has no field '${field}' (fields: ${spec.columns.join(', ')}).`);
    out[field] = field === 'tags' ? raw.split(',').map((t) => t.trim()).filter(Boolean) : raw === '' ? null : raw;
  }
  const parsed = spec.patch.safeParse(out);
  if (!parsed.success) throw new AppError('validation_failed', parsed.error.issues.map((i) => `${i.path.join('.') || spec.singular}: ${i.message}`).join('\n'));
  return parsed.data;
}

function progress(kind: string): (done: number, total: number) => void {
  const tty = Boolean(process.stderr.isTTY);
  let lastTenth = -1;
  return (done, total) => {
    const pct = Math.floor((done / total) * 100);
    const counts = `${done.toLocaleString('en')}/${total.toLocaleString('en')} ${kind}`;
    if (tty) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${counts}${done === total ? '\n' : ''}`);
    } else if (Math.floor(pct / 10) !== lastTenth || done === total) {
      lastTenth = Math.floor(pct / 10);
      process.stderr.write(`seeded ${counts}\n`);
    }
  };
}

async function main(rt: Runtime, command: string | undefined, args: string[], flags: Record<string, string | true>): Promise<void> {
  const db = rt.db.pool;
  switch (command) {
    case 'key': {
      const name = args.join(' ').trim() || 'Sandbox';
      const { account, key } = await createAccount(db, name);
      process.stderr.write(
        [
          `Created sandbox account ${account.id} (${account.name}). Its API key, shown once:`,
          '',
          'Connect it to Patchbay with `npm run chat -- connect sandbox`, or with an API token in $TOKEN (`npm run token -- --member owner@localhost --name cli` mints one):',
          `  curl -X POST -H "Authorization: Bearer $TOKEN" -H "content-type: application/json" \\`,
          `    -d '{"provider":"sandbox","credentials":{"apiKey":"<the key>"}}' ${rt.config.PUBLIC_URL}/api/v1/connections`,
          'Add sample data: npm run sandbox -- seed 1000',
          '',
        ].join('\n'),
      );
      process.stdout.write(`${key}\n`);
      return;
    }
    case 'seed': {
      const n = wholeNumber(args[0], 'The number of records', 1_000_000);
      const account = await chooseAccount(rt, flags);
      const kind = flags.contacts ? 'contacts' : 'tasks';
      const started = Date.now();
      await seedSandbox(db, { accountId: account.id, count: n, kind, onProgress: progress(kind) });
      process.stderr.write(`Added ${n.toLocaleString('en')} ${kind} to ${account.id} in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
      return;
    }
    case 'list': {
      const spec = specFor(args[0]);
      const account = await chooseAccount(rt, flags);
      const limit = flags.limit === undefined ? 20 : wholeNumber(String(flags.limit), '--limit', 500);
      const label = spec.name === 'tasks' ? `status as info, name` : `email as info, concat_ws(' ', first_name, last_name) as name`;
      const { rows } = await db.query<{ id: string; info: string | null; name: string; updated_at: Date }>(
        `select id, ${label}, updated_at from sandbox.${spec.name} where account_id = $1 and deleted_at is null order by updated_at desc, id desc limit $2`,
        [account.id, limit],
      );
      for (const r of rows) process.stdout.write(`${r.id}  ${r.updated_at.toISOString()}  ${(r.info ?? '').padEnd(11)}  ${r.name}\n`);
      if (!rows.length) process.stderr.write(`No ${spec.name} yet: add some with \`npm run sandbox -- seed 100${spec.name === 'contacts' ? ' --contacts' : ''}\`.\n`);
      return;
    }
    case 'edit': {
      const spec = specFor(args[0]);
      const id = args[1];
      if (!id) throw usage(`Which ${spec.singular}? Give its id (see \`npm run sandbox -- list ${spec.name}\`).`);
      const account = await chooseAccount(rt, flags);
      const missing = (err: unknown) => {
        if (!(err instanceof SandboxError) || err.status !== 404) return err;
        return new AppError(
          'not_found',
          `No ${spec.singular} '${id}' in sandbox account ${account.id} (${account.name}). \`npm run sandbox -- list ${spec.name}\` shows its ids; for another account, add --account <id> or --key <sbx_…>.`,
        );
      };
      const deliver = (type: string, at: string) =>
        deliverChanges({ db, config: rt.config, logger: rt.logger }, account.id, [{ type: `${spec.singular}.${type}`, id, account_id: account.id, occurred_at: at }]);
      if (flags.delete) {
        if (args.length > 2) throw usage('--delete takes no field=value pairs.');
        const { changed } = await deleteRecord(db, spec, account.id, id).catch((e: unknown) => Promise.reject(missing(e)));
        process.stderr.write(changed ? `Deleted ${spec.singular} ${id}.\n` : `${spec.singular} ${id} was already deleted.\n`);
        if (changed) await deliver('deleted', new Date().toISOString());
        return;
      }
      if (args.length < 3) throw usage('Give at least one field=value to change, or --delete.');
      const { record, changed } = await updateRecord(db, spec, account.id, id, parseAssignments(spec, args.slice(2))).catch((e: unknown) => Promise.reject(missing(e)));
      process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
      process.stderr.write(changed ? `Updated ${spec.singular} ${id}.\n` : `Nothing changed: ${spec.singular} ${id} already had those values.\n`);
      if (changed) await deliver('updated', String(record.updated_at));
      return;
    }
    case 'throttle': {
      const seconds = wholeNumber(args[0], 'The seconds', 86_400);
      const account = await chooseAccount(rt, flags);
      const until = await throttleAccount(db, account.id, seconds);
      process.stderr.write(until ? `Account ${account.id} answers 429 until ${until.toISOString()} (Retry-After counts down from ${seconds}).\n` : `Account ${account.id} is no longer throttled.\n`);
      return;
    }
    default:
      throw usage(command ? `Unknown command '${command}'.` : 'No command given.');
  }
}

await runCli(async () => {
  const [command, ...rest] = process.argv.slice(2);
  const { flags, args } = parseArgs(rest);
  if (command === 'help' || command === '--help') {
    process.stderr.write(`${USAGE}\n`);
    return;
  }
  if (!COMMANDS.includes(command ?? '')) throw usage(command ? `Unknown command '${command}'.` : 'No command given.');
  try {
    await withDatabase(async (_em, rt) => await main(rt, command, args, flags));
  } catch (err) {
    if (err instanceof SandboxError) throw new AppError(err.status === 404 ? 'not_found' : 'validation_failed', err.message);
    throw err;
  }
});

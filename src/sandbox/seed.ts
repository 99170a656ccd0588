/**
 * Sample data, set-based: each batch is one INSERT … SELECT over generate_series, with names,
 * companies and tags picked in SQL from small lists, so 100,000 records take seconds. Exported for
 * `bench/sync` as well as `npm run sandbox -- seed`.
 */
import type { ObjectKind } from './objects.ts';
import type { Db } from './store.ts';

export const SEED_BATCH = 5_000;

const FIRST = ['Ada', 'Grace', 'Alan', 'Katherine', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Frances', 'Tim', 'Radia', 'Edsger', 'Hedy', 'Donald', 'Sophie'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson', 'Allen', 'Berners-Lee', 'Perlman', 'Dijkstra', 'Lamarr', 'Knuth', 'Wilson'];
const COMPANIES = ['Acme Corp', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark Industries', 'Wayne Enterprises', 'Soylent', 'Tyrell', 'Cyberdyne'];
const TITLES = ['CTO', 'Engineer', 'Product Manager', 'Designer', 'Account Executive', 'Head of Support', 'Data Scientist', 'Founder'];
const VERBS = ['Draft', 'Review', 'Ship', 'Fix', 'Plan', 'Write', 'Test', 'Refactor', 'Call', 'Prepare'];
const THINGS = ['onboarding email', 'Q3 roadmap', 'billing page', 'login bug', 'release notes', 'customer interview', 'API docs', 'pricing table', 'sync job', 'dashboard'];
const DURATIONS = ['', '', '', ' [30m]', ' [1h]', ' [1h30m]', ' [75m]', ' [2h]'];
const TAGS = ['urgent', 'backend', 'frontend', 'design', 'sales', 'docs', 'bug', 'feature'];

// $1 account, $2 rows, then the word lists; pick(list, salt) is a deterministic-looking random choice.
const pick = (n: number) => `$${n}::text[])[1 + floor(random() * cardinality($${n}::text[]))::int]`;

const TASK_SQL = `insert into sandbox.tasks (account_id, id, name, notes, status, due_on, assignee_email, tags, created_at, updated_at)
  select $1, 'tsk_' || substr(md5(random()::text || clock_timestamp()::text || g::text), 1, 20),
         (${pick(3)} || ' ' || (${pick(4)} || (${pick(5)},
         '<p>' || (${pick(4)} || ' for the <b>' || (${pick(8)} || '</b> team.</p>',
         (array['todo', 'todo', 'in_progress', 'done'])[1 + floor(random() * 4)::int],
         case when random() < 0.6 then current_date + (floor(random() * 60)::int - 10) end,
         case when random() < 0.7 then lower((${pick(6)}) || '@example.com' end,
         to_jsonb(array_remove(array[(${pick(7)}, case when random() < 0.4 then (${pick(7)} end], null)),
         now() - random() * interval '90 days', date_trunc('milliseconds', clock_timestamp())
    from generate_series(1, $2) g`;

const CONTACT_SQL = `insert into sandbox.contacts (account_id, id, first_name, last_name, email, phone_number, company, job_title, created_at, updated_at)
  select $1, id, f, l, lower(f || '.' || replace(l, '-', '') || '.' || substr(id, 5, 6)) || '@example.com',
         '+1 555 ' || lpad(floor(random() * 10000000)::int::text, 7, '0'), c, t,
         now() - random() * interval '365 days', date_trunc('milliseconds', clock_timestamp())
    from (select 'con_' || substr(md5(random()::text || clock_timestamp()::text || g::text), 1, 20) as id,
                 (${pick(3)} as f, (${pick(4)} as l, (${pick(5)} as c, (${pick(6)} as t
            from generate_series(1, $2) g) s`;

export type SeedOptions = {
  accountId: string;
  count: number;
  kind: ObjectKind;
  /** Called after each committed batch with the total inserted so far. */
  onProgress?: (done: number, total: number) => void;
  batchSize?: number;
};

/** Inserts `count` records in batches (each its own statement); returns how many were inserted. */
export async function seedSandbox(db: Db, opts: SeedOptions): Promise<number> {
  const batch = opts.batchSize ?? SEED_BATCH;
  const sqlText = opts.kind === 'tasks' ? TASK_SQL : CONTACT_SQL;
  const lists = opts.kind === 'tasks' ? [VERBS, THINGS, DURATIONS, FIRST, TAGS, COMPANIES] : [FIRST, LAST, COMPANIES, TITLES];
  let done = 0;
  while (done < opts.count) {
    const n = Math.min(batch, opts.count - done);
    await db.query(sqlText, [opts.accountId, n, ...lists]);
    done += n;
    opts.onProgress?.(done, opts.count);
  }
  return done;
}

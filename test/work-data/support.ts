/** Shared by the work-data tests: a second workspace, and the events and rows as Postgres has them. */
import { createWorkspace } from '../../src/workspaces/workspaces.ts';
import type { TestApp } from '../helpers/app.ts';
import { sql } from '../helpers/sql.ts';

export type EventRow = { type: string; via: string; actor_member_id: string | null; snapshot: any; data: any; txid: string };

export const eventsOf = (app: TestApp, entityId: string) =>
  sql<EventRow>(app.dbUrl, 'select type, via, actor_member_id, snapshot, data, txid::text from domain_events where entity_id = $1 order by id', [entityId]);

/**
 * The transaction that last wrote a row (its xmin) and whether each given event was recorded in
 * it: `txid_current()` is epoch-qualified, xmin is its low 32 bits.
 */
export async function sameTransaction(app: TestApp, table: string, id: string, txid: string): Promise<boolean> {
  const [row] = await sql<{ same: boolean }>(app.dbUrl, `select xmin::text::bigint = ($2::bigint % 4294967296) as same from ${table} where id = $1`, [id, txid]);
  return row?.same ?? false;
}

/** Another workspace with its own Owner token, to show rows never cross workspaces. */
export async function otherWorkspace(app: TestApp, slug: string) {
  const created = await createWorkspace(app.pb.rt.em(), { name: slug, slug, ownerName: 'Grace', ownerEmail: `grace@${slug}.example` });
  return { workspaceId: created.workspace.id, token: created.token };
}

import { Migration } from '@mikro-orm/migrations';

/**
 * Only the lifecycle writer (src/connections/lifecycle.ts) may set a connection's status: it
 * marks its transaction with `patchbay.lifecycle_writer`, and this trigger refuses a status
 * written by anything else (a new row may only start `connected`) — which would skip the connection log, the event and the audit entry.
 */
export class Migration20261129182000_lifecycle_writer extends Migration {

  override name = 'Migration20261129182000_lifecycle_writer';

  override up(): void | Promise<void> {
    this.addSql(`create or replace function patchbay_connection_status_guard() returns trigger language plpgsql as $$
begin
  -- A new row starts connected; any other status, and every change, is the writer's.
  if (case when tg_op = 'INSERT' then new.status <> 'connected' else new.status is distinct from old.status end)
     and coalesce(current_setting('patchbay.lifecycle_writer', true), '') <> 'on' then
    raise exception 'connections.status may only be changed by the lifecycle writer (src/connections/lifecycle.ts)'
      using errcode = 'P0001', hint = 'Go through transition() so the log line, event and audit entry are written.';
  end if;
  return new;
end $$;`);
    this.addSql(`create trigger connections_status_guard before insert or update of status on connections for each row execute function patchbay_connection_status_guard();`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists connections_status_guard on connections;`);
    this.addSql(`drop function if exists patchbay_connection_status_guard();`);
  }

}

-- Up Migration
-- The time the case workflow stamps and compares against. Normally now(); a transaction that sets
-- zhihui.clock (set_config(..., true): that transaction only) runs at that time instead. The demo
-- history (server/seed/history.ts) runs the real case services and clocks this way, 90 days back,
-- so its cases carry the same events and stamps as live ones, written by the same code.
CREATE FUNCTION app_now() RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(nullif(current_setting('zhihui.clock', true), '')::timestamptz, now())
$$;
ALTER TABLE incidents ALTER COLUMN reported_at SET DEFAULT app_now(), ALTER COLUMN updated_at SET DEFAULT app_now();
ALTER TABLE dispatches ALTER COLUMN dispatched_at SET DEFAULT app_now();
ALTER TABLE incident_events ALTER COLUMN occurred_at SET DEFAULT app_now();
ALTER TABLE step_requests ALTER COLUMN taken_at SET DEFAULT app_now();

-- Down Migration
ALTER TABLE step_requests ALTER COLUMN taken_at SET DEFAULT now();
ALTER TABLE incident_events ALTER COLUMN occurred_at SET DEFAULT now();
ALTER TABLE dispatches ALTER COLUMN dispatched_at SET DEFAULT now();
ALTER TABLE incidents ALTER COLUMN reported_at SET DEFAULT now(), ALTER COLUMN updated_at SET DEFAULT now();
DROP FUNCTION app_now();

-- Up Migration
-- 执法全过程记录 grows for years and is never pruned (it is the legal record), so it is split by month
-- of occurred_at: each month's indexes stay the size of a month, a query for the last 30 days touches
-- two partitions however many years lie behind them, and an old year can be detached and archived.
-- `seq` keeps ordering the feed; it comes from a sequence (identity columns on a partitioned table
-- need PostgreSQL 17) and is unique because only that sequence hands it out. Months are created
-- ahead by the partition sweep (addEventLogMonths in server/events/repository.ts); anything outside them lands in the
-- default partition, so an append never fails for want of a month.
ALTER TABLE incident_events RENAME TO incident_events_unpartitioned;
ALTER TABLE incident_events_unpartitioned RENAME CONSTRAINT incident_events_pkey TO incident_events_unpartitioned_pkey;
DROP TRIGGER incident_events_notify ON incident_events_unpartitioned;

CREATE SEQUENCE incident_event_seq AS bigint;
CREATE TABLE incident_events (
  seq             bigint NOT NULL DEFAULT nextval('incident_event_seq'),
  incident_id     bigint REFERENCES incidents (id),
  type            text NOT NULL CHECK (type ~ '^[a-z][a-z_.]{1,63}$'),
  actor_user_id   integer REFERENCES users (id),
  payload         jsonb NOT NULL DEFAULT '{}',
  occurred_at     timestamptz NOT NULL DEFAULT app_now(),
  position        geometry(Point, 4326) CHECK (position IS NULL OR ST_IsValid(position)),
  district_adcode char(6) REFERENCES districts (adcode),
  officer_ids     integer[] NOT NULL DEFAULT '{}',
  building_id     integer REFERENCES illegal_buildings (id),
  PRIMARY KEY (seq, occurred_at)
) PARTITION BY RANGE (occurred_at);
ALTER SEQUENCE incident_event_seq OWNED BY incident_events.seq;
CREATE TABLE incident_events_default PARTITION OF incident_events DEFAULT;

-- The months the existing log covers, and the next three.
DO $$
DECLARE m date;
BEGIN
  FOR m IN
    SELECT generate_series(
      date_trunc('month', least(coalesce((SELECT min(occurred_at) FROM incident_events_unpartitioned), now()), now()) AT TIME ZONE 'UTC')::date,
      date_trunc('month', (now() AT TIME ZONE 'UTC') + interval '3 months')::date,
      interval '1 month')::date
  LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF incident_events FOR VALUES FROM (%L) TO (%L)',
                   'incident_events_' || to_char(m, 'YYYYMM'), m::timestamp AT TIME ZONE 'UTC', (m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
  END LOOP;
END $$;

INSERT INTO incident_events (seq, incident_id, type, actor_user_id, payload, occurred_at, position, district_adcode, officer_ids, building_id)
  SELECT seq, incident_id, type, actor_user_id, payload, occurred_at, position, district_adcode, officer_ids, building_id FROM incident_events_unpartitioned;
SELECT setval('incident_event_seq', coalesce((SELECT max(seq) FROM incident_events), 0) + 1, false);
DROP TABLE incident_events_unpartitioned;

CREATE INDEX incident_events_seq_idx ON incident_events (seq);
CREATE INDEX incident_events_incident_idx ON incident_events (incident_id, seq);
CREATE INDEX incident_events_position_gix ON incident_events USING gist (position);
CREATE INDEX incident_events_district_idx ON incident_events (district_adcode, seq);
CREATE INDEX incident_events_officers_gin ON incident_events USING gin (officer_ids);
CREATE INDEX incident_events_type_time_idx ON incident_events (type, occurred_at);
CREATE INDEX incident_events_steps_idx ON incident_events (incident_id, type, occurred_at)
  WHERE type IN ('incident.arrived', 'incident.handled', 'incident.reworked');
CREATE INDEX incident_events_building_idx ON incident_events (building_id, seq) WHERE building_id IS NOT NULL;

CREATE TRIGGER incident_events_no_update BEFORE UPDATE OR DELETE ON incident_events
  FOR EACH ROW EXECUTE FUNCTION incident_events_append_only();
CREATE TRIGGER incident_events_no_truncate BEFORE TRUNCATE ON incident_events
  FOR EACH STATEMENT EXECUTE FUNCTION incident_events_append_only();
CREATE TRIGGER incident_events_notify AFTER INSERT ON incident_events
  FOR EACH STATEMENT EXECUTE FUNCTION zhihui_events_notify();

-- Creates the month partitions from `first` through `last` that are missing; a month whose rows
-- already sit in the default partition is left there (attaching it would have to move them).
CREATE FUNCTION incident_events_add_months(first date, last date) RETURNS int LANGUAGE plpgsql AS $$
DECLARE m date; made int := 0; name text;
BEGIN
  FOR m IN SELECT generate_series(date_trunc('month', first)::date, date_trunc('month', last)::date, interval '1 month')::date LOOP
    name := 'incident_events_' || to_char(m, 'YYYYMM');
    CONTINUE WHEN to_regclass(name) IS NOT NULL;
    CONTINUE WHEN EXISTS (SELECT 1 FROM incident_events_default
                          WHERE occurred_at >= m::timestamp AT TIME ZONE 'UTC' AND occurred_at < (m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
    EXECUTE format('CREATE TABLE %I PARTITION OF incident_events FOR VALUES FROM (%L) TO (%L)',
                   name, m::timestamp AT TIME ZONE 'UTC', (m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
    made := made + 1;
  END LOOP;
  RETURN made;
END $$;

-- Down Migration
DROP FUNCTION incident_events_add_months(date, date);
ALTER TABLE incident_events RENAME TO incident_events_partitioned;
ALTER TABLE incident_events_partitioned RENAME CONSTRAINT incident_events_pkey TO incident_events_partitioned_pkey;
CREATE TABLE incident_events (
  seq           bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  incident_id   bigint REFERENCES incidents (id),
  type          text NOT NULL CHECK (type ~ '^[a-z][a-z_.]{1,63}$'),
  actor_user_id integer REFERENCES users (id),
  payload       jsonb NOT NULL DEFAULT '{}',
  occurred_at   timestamptz NOT NULL DEFAULT app_now(),
  position      geometry(Point, 4326) CHECK (position IS NULL OR ST_IsValid(position)),
  district_adcode char(6) REFERENCES districts (adcode),
  officer_ids   integer[] NOT NULL DEFAULT '{}',
  building_id   integer REFERENCES illegal_buildings (id)
);
INSERT INTO incident_events SELECT seq, incident_id, type, actor_user_id, payload, occurred_at, position, district_adcode, officer_ids, building_id FROM incident_events_partitioned;
SELECT setval(pg_get_serial_sequence('incident_events', 'seq'), coalesce((SELECT max(seq) FROM incident_events), 0) + 1, false);
DROP TABLE incident_events_partitioned;
CREATE INDEX incident_events_incident_idx ON incident_events (incident_id, seq);
CREATE INDEX incident_events_position_gix ON incident_events USING gist (position);
CREATE INDEX incident_events_district_idx ON incident_events (district_adcode, seq);
CREATE INDEX incident_events_officers_gin ON incident_events USING gin (officer_ids);
CREATE INDEX incident_events_type_time_idx ON incident_events (type, occurred_at);
CREATE INDEX incident_events_steps_idx ON incident_events (incident_id, type, occurred_at)
  WHERE type IN ('incident.arrived', 'incident.handled', 'incident.reworked');
CREATE INDEX incident_events_building_idx ON incident_events (building_id, seq) WHERE building_id IS NOT NULL;
CREATE TRIGGER incident_events_no_update BEFORE UPDATE OR DELETE ON incident_events
  FOR EACH ROW EXECUTE FUNCTION incident_events_append_only();
CREATE TRIGGER incident_events_no_truncate BEFORE TRUNCATE ON incident_events
  FOR EACH STATEMENT EXECUTE FUNCTION incident_events_append_only();
CREATE TRIGGER incident_events_notify AFTER INSERT ON incident_events
  FOR EACH STATEMENT EXECUTE FUNCTION zhihui_events_notify();

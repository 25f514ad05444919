-- Up Migration
-- 考核指标 without reading years of the event log: each case's step times kept in one narrow row as
-- they are written (same transaction, by triggers, whoever writes: the services, the demo history,
-- an import, a test), and per-day sums of what every case contributes, kept by a rollup job
-- (server/indicators/rollup.ts). shared/indicators/definitions.ts says what each figure means;
-- server/indicators/contribution.ts turns a fact row into its counts, once for all three uses.
CREATE TABLE case_facts (
  incident_id       bigint PRIMARY KEY REFERENCES incidents (id),
  district_adcode   char(6),
  category_id       integer,
  source            text,
  reported_at       timestamptz,
  registered_at     timestamptz,
  deadline          timestamptz,
  dispatched_at     timestamptz,
  -- the squad (中队) of the officer of the case's first dispatch record, when it was written, and its time
  squad_id          integer,
  first_dispatch_at timestamptz,
  arrived_at        timestamptz, -- first arrival
  handled_at        timestamptz, -- first handling report
  reworked_at       timestamptz, -- first rework
  closed_at         timestamptz,
  voided_at         timestamptz,
  -- the last step time: a period measured as of an earlier moment must look at this case again
  changed_at        timestamptz GENERATED ALWAYS AS (greatest(dispatched_at, first_dispatch_at, arrived_at, handled_at, reworked_at, closed_at, voided_at)) STORED
);
CREATE INDEX case_facts_registered_idx ON case_facts (registered_at);
CREATE INDEX case_facts_reported_idx ON case_facts (reported_at);
CREATE INDEX case_facts_closed_idx ON case_facts (closed_at);
CREATE INDEX case_facts_close_due_idx ON case_facts ((least(deadline, closed_at)));
CREATE INDEX case_facts_handle_due_idx ON case_facts ((least(deadline, handled_at)));
-- Cases open across a moment (registered before it, a step at or after it): what a period measured
-- as of that moment must recompute; a handful for any moment, however long the history.
CREATE INDEX case_facts_open_span_gix ON case_facts USING gist (tstzrange(registered_at, greatest(registered_at, changed_at), '[]'))
  WHERE registered_at IS NOT NULL;

-- Days (Asia/Shanghai) whose sums are stale: appended by every change, never updated in place, so
-- concurrent writers never wait on each other; the rollup job deletes what it has summed.
CREATE TABLE indicator_dirty_days (day date NOT NULL);
CREATE INDEX indicator_dirty_days_idx ON indicator_dirty_days (day);

-- What the cases contributed on each day, per district and squad (0 = none): the counts of
-- COUNT_KEYS and the minutes behind the three averages. Exact for every day not in indicator_dirty_days.
CREATE TABLE indicator_daily (
  day                  date NOT NULL,
  district_adcode      char(6),
  squad_key            integer NOT NULL,
  registered           bigint NOT NULL,
  registered_closed    bigint NOT NULL,
  due_to_close         bigint NOT NULL,
  closed_on_time       bigint NOT NULL,
  reworked             bigint NOT NULL,
  due_to_handle        bigint NOT NULL,
  handled              bigint NOT NULL,
  handled_on_time      bigint NOT NULL,
  overdue_open         bigint NOT NULL,
  due_to_dispatch      bigint NOT NULL,
  dispatched           bigint NOT NULL,
  dispatched_on_time   bigint NOT NULL,
  dispatched_reworked  bigint NOT NULL,
  arrived              bigint NOT NULL,
  registered_handled   bigint NOT NULL,
  dispatch_seconds     numeric NOT NULL,
  arrive_seconds       numeric NOT NULL,
  handle_seconds       numeric NOT NULL
);
CREATE INDEX indicator_daily_day_idx ON indicator_daily (day, district_adcode);

-- Cases reported and closed on each day, per district and category (the trend and the categories
-- of the leader view: a few hundred rows a day however many cases), kept by the same job from the
-- same marks.
CREATE TABLE case_daily (
  day             date NOT NULL,
  district_adcode char(6),
  category_id     integer,
  reported        bigint NOT NULL,
  closed          bigint NOT NULL
);
CREATE INDEX case_daily_day_idx ON case_daily (day, district_adcode);

CREATE FUNCTION case_facts_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO indicator_dirty_days (day)
    SELECT DISTINCT (t AT TIME ZONE 'Asia/Shanghai')::date FROM (
      SELECT x.t FROM new_rows f CROSS JOIN LATERAL (VALUES (f.registered_at), (least(f.deadline, f.closed_at)), (least(f.deadline, f.handled_at)), (f.reported_at), (f.closed_at)) x(t)
      UNION ALL
      SELECT x.t FROM old_rows f CROSS JOIN LATERAL (VALUES (f.registered_at), (least(f.deadline, f.closed_at)), (least(f.deadline, f.handled_at)), (f.reported_at), (f.closed_at)) x(t)
    ) y WHERE t IS NOT NULL;
  ELSE
    INSERT INTO indicator_dirty_days (day)
    SELECT DISTINCT (t AT TIME ZONE 'Asia/Shanghai')::date FROM (
      SELECT x.t FROM new_rows f CROSS JOIN LATERAL (VALUES (f.registered_at), (least(f.deadline, f.closed_at)), (least(f.deadline, f.handled_at)), (f.reported_at), (f.closed_at)) x(t)
    ) y WHERE t IS NOT NULL;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER case_facts_dirty_ins AFTER INSERT ON case_facts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION case_facts_dirty();
CREATE TRIGGER case_facts_dirty_upd AFTER UPDATE ON case_facts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION case_facts_dirty();

-- The case row's own times (statement-level, so a bulk import pays once per statement).
CREATE FUNCTION case_facts_from_incidents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO case_facts AS f (incident_id, district_adcode, category_id, source, reported_at, registered_at, deadline, dispatched_at, closed_at, voided_at)
  SELECT n.id, n.district_adcode, n.category_id, n.source, n.reported_at, n.registered_at, n.deadline, n.dispatched_at, n.closed_at, n.voided_at FROM new_rows n
  ON CONFLICT (incident_id) DO UPDATE
    SET district_adcode = excluded.district_adcode, category_id = excluded.category_id, source = excluded.source, reported_at = excluded.reported_at,
        registered_at = excluded.registered_at, deadline = excluded.deadline,
        dispatched_at = excluded.dispatched_at, closed_at = excluded.closed_at, voided_at = excluded.voided_at
    WHERE (f.district_adcode, f.category_id, f.source, f.reported_at, f.registered_at, f.deadline, f.dispatched_at, f.closed_at, f.voided_at)
          IS DISTINCT FROM (excluded.district_adcode, excluded.category_id, excluded.source, excluded.reported_at, excluded.registered_at, excluded.deadline,
                            excluded.dispatched_at, excluded.closed_at, excluded.voided_at);
  RETURN NULL;
END $$;
CREATE TRIGGER incidents_facts_ins AFTER INSERT ON incidents REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION case_facts_from_incidents();
CREATE TRIGGER incidents_facts_upd AFTER UPDATE ON incidents REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION case_facts_from_incidents();

-- The first arrival, handling report and rework, from the log (the case row keeps only the last).
CREATE FUNCTION case_facts_from_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE case_facts f SET
    arrived_at  = CASE WHEN NEW.type = 'incident.arrived'  THEN least(f.arrived_at, NEW.occurred_at)  ELSE f.arrived_at END,
    handled_at  = CASE WHEN NEW.type = 'incident.handled'  THEN least(f.handled_at, NEW.occurred_at)  ELSE f.handled_at END,
    reworked_at = CASE WHEN NEW.type = 'incident.reworked' THEN least(f.reworked_at, NEW.occurred_at) ELSE f.reworked_at END
  WHERE f.incident_id = NEW.incident_id
    AND CASE NEW.type WHEN 'incident.arrived' THEN f.arrived_at WHEN 'incident.handled' THEN f.handled_at ELSE f.reworked_at END
        IS DISTINCT FROM least(CASE NEW.type WHEN 'incident.arrived' THEN f.arrived_at WHEN 'incident.handled' THEN f.handled_at ELSE f.reworked_at END, NEW.occurred_at);
  RETURN NULL;
END $$;
CREATE TRIGGER incident_events_facts AFTER INSERT ON incident_events FOR EACH ROW
  WHEN (NEW.incident_id IS NOT NULL AND NEW.type IN ('incident.arrived', 'incident.handled', 'incident.reworked'))
  EXECUTE FUNCTION case_facts_from_events();

-- The first dispatch record names the squad responsible (首问负责制).
CREATE FUNCTION case_facts_from_dispatches() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE case_facts f SET squad_id = (SELECT o.squad_id FROM officers o WHERE o.id = NEW.officer_id), first_dispatch_at = NEW.dispatched_at
  WHERE f.incident_id = NEW.incident_id AND f.first_dispatch_at IS NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER dispatches_facts AFTER INSERT ON dispatches FOR EACH ROW EXECUTE FUNCTION case_facts_from_dispatches();

-- The cases already written.
INSERT INTO case_facts (incident_id, district_adcode, category_id, source, reported_at, registered_at, deadline, dispatched_at, closed_at, voided_at,
                        squad_id, first_dispatch_at, arrived_at, handled_at, reworked_at)
SELECT i.id, i.district_adcode, i.category_id, i.source, i.reported_at, i.registered_at, i.deadline, i.dispatched_at, i.closed_at, i.voided_at, fd.squad_id, fd.dispatched_at,
       ev.arrived, ev.handled, ev.reworked
FROM incidents i
LEFT JOIN LATERAL (SELECT o.squad_id, d.dispatched_at FROM dispatches d LEFT JOIN officers o ON o.id = d.officer_id
                   WHERE d.incident_id = i.id ORDER BY d.id LIMIT 1) fd ON true
LEFT JOIN LATERAL (SELECT min(e.occurred_at) FILTER (WHERE e.type = 'incident.arrived') AS arrived,
                          min(e.occurred_at) FILTER (WHERE e.type = 'incident.handled') AS handled,
                          min(e.occurred_at) FILTER (WHERE e.type = 'incident.reworked') AS reworked
                   FROM incident_events e WHERE e.incident_id = i.id AND e.type IN ('incident.arrived', 'incident.handled', 'incident.reworked')) ev ON true;

-- Down Migration
DROP TRIGGER dispatches_facts ON dispatches;
DROP FUNCTION case_facts_from_dispatches();
DROP TRIGGER incident_events_facts ON incident_events;
DROP FUNCTION case_facts_from_events();
DROP TRIGGER incidents_facts_upd ON incidents;
DROP TRIGGER incidents_facts_ins ON incidents;
DROP FUNCTION case_facts_from_incidents();
DROP TABLE case_daily;
DROP TABLE indicator_daily;
DROP TABLE indicator_dirty_days;
DROP TABLE case_facts;
DROP FUNCTION case_facts_dirty();

-- Up Migration
-- Every server instance publishes live events by reading the log in seq order (server/events/bus.ts).
-- A statement-level trigger wakes them when events commit, whoever wrote them (another instance,
-- a script, the user CLI): NOTIFY is delivered at commit, never for a rolled-back append.
CREATE FUNCTION zhihui_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('zhihui_events', '');
  RETURN NULL;
END $$;
CREATE TRIGGER incident_events_notify AFTER INSERT ON incident_events
  FOR EACH STATEMENT EXECUTE FUNCTION zhihui_events_notify();

-- Down Migration
DROP TRIGGER incident_events_notify ON incident_events;
DROP FUNCTION zhihui_events_notify();

-- Up Migration
-- 考核指标 (GET /api/indicators): the cases that can count in a period are found by when they were
-- registered, fell due, closed or were handled (server/indicators/repository.ts), each through an index.
CREATE INDEX incidents_registered_at_idx ON incidents (registered_at) WHERE registered_at IS NOT NULL;
CREATE INDEX incidents_deadline_idx ON incidents (deadline) WHERE deadline IS NOT NULL;
CREATE INDEX incidents_closed_at_idx ON incidents (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX incident_events_type_time_idx ON incident_events (type, occurred_at);
-- The first arrival, the first handling report and any rework of each case, read index-only.
CREATE INDEX incident_events_steps_idx ON incident_events (incident_id, type, occurred_at)
  WHERE type IN ('incident.arrived', 'incident.handled', 'incident.reworked');

-- Down Migration
DROP INDEX incident_events_steps_idx;
DROP INDEX incident_events_type_time_idx;
DROP INDEX incidents_closed_at_idx;
DROP INDEX incidents_deadline_idx;
DROP INDEX incidents_registered_at_idx;

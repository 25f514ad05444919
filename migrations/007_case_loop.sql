-- Up Migration
-- The live case loop: secrets for tokens, case bookkeeping, event audiences, AVL history, evidence.

-- Shared by every server instance, so a token signed by one is accepted by all, across restarts.
CREATE TABLE app_secrets (
  name       text PRIMARY KEY,
  value      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE SEQUENCE incident_code_seq;

ALTER TABLE incidents
  ADD COLUMN overdue_at       timestamptz,
  ADD COLUMN escalated_at     timestamptz,
  ADD COLUMN extended_count   integer NOT NULL DEFAULT 0 CHECK (extended_count >= 0),
  ADD COLUMN rework_count     integer NOT NULL DEFAULT 0 CHECK (rework_count >= 0),
  ADD COLUMN outcome          text CHECK (outcome IN ('service', 'management', 'enforcement')),
  ADD COLUMN feedback_notes   text CHECK (length(feedback_notes) <= 2000),
  ADD COLUMN state_reason     text CHECK (length(state_reason) <= 500),
  ADD COLUMN catalog_version  text REFERENCES category_catalogs (version),
  ADD CONSTRAINT incidents_handled_has_outcome CHECK (state NOT IN ('handled', 'closed') OR outcome IS NOT NULL);
CREATE INDEX incidents_deadline_open_idx ON incidents (deadline) WHERE state NOT IN ('closed', 'voided', 'suspended') AND overdue_at IS NULL;
CREATE INDEX incidents_dup_idx ON incidents (category_id, reported_at) WHERE state <> 'voided';

ALTER TABLE dispatches
  ADD COLUMN reason text CHECK (length(reason) <= 500);
CREATE INDEX dispatches_pending_idx ON dispatches (dispatched_at) WHERE state = 'pending';

-- Who an event concerns, so the feed and the sockets can scope it without reading the payload.
ALTER TABLE incident_events
  ADD COLUMN district_adcode char(6) REFERENCES districts (adcode),
  ADD COLUMN officer_ids     integer[] NOT NULL DEFAULT '{}';
CREATE INDEX incident_events_district_idx ON incident_events (district_adcode, seq);
CREATE INDEX incident_events_officers_gin ON incident_events USING gin (officer_ids);

-- AVL history; officers.position holds the last one.
CREATE TABLE officer_positions (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  officer_id  integer NOT NULL REFERENCES officers (id),
  position    geometry(Point, 4326) NOT NULL CHECK (ST_IsValid(position)),
  accuracy_m  real CHECK (accuracy_m >= 0),
  recorded_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX officer_positions_officer_time_idx ON officer_positions (officer_id, recorded_at);
CREATE INDEX officer_positions_position_gix ON officer_positions USING gist (position);

-- Photos are stored content-addressed on disk (DATA_DIR/evidence); this is their record.
CREATE TABLE evidence (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id),
  sha256      char(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  mime        text NOT NULL CHECK (mime IN ('image/jpeg', 'image/png', 'image/webp')),
  bytes       integer NOT NULL CHECK (bytes > 0),
  uploaded_by integer NOT NULL REFERENCES users (id),
  uploaded_at timestamptz NOT NULL DEFAULT now(),
  position    geometry(Point, 4326) CHECK (position IS NULL OR ST_IsValid(position)),
  UNIQUE (incident_id, sha256)
);
CREATE INDEX evidence_incident_idx ON evidence (incident_id);
CREATE INDEX evidence_position_gix ON evidence USING gist (position);

-- socket.io's Postgres adapter carries live events between server instances through this table.
CREATE TABLE socket_io_attachments (
  id         bigserial UNIQUE,
  created_at timestamptz DEFAULT now(),
  payload    bytea
);

-- Down Migration
DROP TABLE socket_io_attachments;
DROP TABLE evidence;
DROP TABLE officer_positions;
DROP INDEX incident_events_officers_gin;
DROP INDEX incident_events_district_idx;
ALTER TABLE incident_events DROP COLUMN officer_ids, DROP COLUMN district_adcode;
DROP INDEX dispatches_pending_idx;
ALTER TABLE dispatches DROP COLUMN reason;
DROP INDEX incidents_dup_idx;
DROP INDEX incidents_deadline_open_idx;
ALTER TABLE incidents DROP CONSTRAINT incidents_handled_has_outcome,
  DROP COLUMN catalog_version, DROP COLUMN state_reason, DROP COLUMN feedback_notes, DROP COLUMN outcome,
  DROP COLUMN rework_count, DROP COLUMN extended_count, DROP COLUMN escalated_at, DROP COLUMN overdue_at;
DROP SEQUENCE incident_code_seq;
DROP TABLE app_secrets;

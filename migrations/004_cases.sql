-- Up Migration
-- The case category catalogue is versioned data: local variants differ and national series renumber.
CREATE TABLE category_catalogs (
  version        text PRIMARY KEY CHECK (version ~ '^[A-Za-z0-9._-]{1,32}$'),
  name           text NOT NULL,
  effective_from date NOT NULL,
  is_current     boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX category_catalogs_one_current ON category_catalogs (is_current) WHERE is_current;

CREATE TABLE categories (
  id                   integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  catalog_version      text NOT NULL REFERENCES category_catalogs (version),
  major_code           char(2) NOT NULL CHECK (major_code ~ '^[0-9]{2}$'),
  minor_code           char(4) NOT NULL CHECK (minor_code ~ '^[0-9]{4}$'),
  major_name_zh        text NOT NULL,
  major_name_en        text NOT NULL,
  name_zh              text NOT NULL,
  name_en              text NOT NULL,
  time_limit           numeric(8, 2) NOT NULL CHECK (time_limit > 0),
  -- 紧急工作时 | 工作时 | 工作日 | 自然日
  time_type            text NOT NULL CHECK (time_type IN ('emergency_hours', 'working_hours', 'working_days', 'natural_days')),
  involves_enforcement boolean NOT NULL DEFAULT false,
  base_priority        integer NOT NULL DEFAULT 0 CHECK (base_priority BETWEEN 0 AND 100),
  CHECK (left(minor_code, 2) = major_code),
  UNIQUE (catalog_version, minor_code)
);

CREATE TABLE incidents (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code             text NOT NULL UNIQUE,
  category_id      integer NOT NULL REFERENCES categories (id),
  source           text NOT NULL CHECK (source IN ('supervisor', 'public', 'video', 'department', 'media', 'inspection', 'patrol', 'dispatcher')),
  source_ref       text,
  description      text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
  position         geometry(Point, 4326) NOT NULL CHECK (ST_IsValid(position)),
  address          text,
  grid_cell_id     integer REFERENCES grid_cells (id),
  district_adcode  char(6) REFERENCES districts (adcode),
  street_code      char(9) REFERENCES streets (code),
  key_area_ids     integer[] NOT NULL DEFAULT '{}',
  priority         integer NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 100),
  state            text NOT NULL DEFAULT 'reported'
                   CHECK (state IN ('reported', 'registered', 'voided', 'dispatched', 'accepted', 'on_scene', 'handled', 'closed', 'suspended')),
  deadline         timestamptz,
  reporter_name    text,
  reporter_contact text,
  reported_by      integer REFERENCES users (id),
  idempotency_key  text UNIQUE,
  reported_at      timestamptz NOT NULL DEFAULT now(),
  registered_at    timestamptz,
  voided_at        timestamptz,
  dispatched_at    timestamptz,
  accepted_at      timestamptz,
  on_scene_at      timestamptz,
  handled_at       timestamptz,
  closed_at        timestamptz,
  suspended_at     timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incidents_position_gix ON incidents USING gist (position);
CREATE INDEX incidents_open_idx ON incidents (district_adcode, state) WHERE state NOT IN ('closed', 'voided');
CREATE INDEX incidents_category_time_idx ON incidents (category_id, reported_at);

CREATE TABLE dispatches (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id   bigint NOT NULL REFERENCES incidents (id),
  officer_id    integer NOT NULL REFERENCES officers (id),
  dispatched_by integer REFERENCES users (id),
  state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'done', 'declined', 'timed_out', 'cancelled')),
  dispatched_at timestamptz NOT NULL DEFAULT now(),
  accepted_at   timestamptz,
  finished_at   timestamptz
);
-- An officer holds at most one live dispatch: the database itself refuses a double booking.
CREATE UNIQUE INDEX dispatches_one_live_per_officer ON dispatches (officer_id) WHERE state IN ('pending', 'accepted');
CREATE INDEX dispatches_incident_idx ON dispatches (incident_id);

-- 执法全过程记录: append-only; `seq` orders the live feed and the replay after a reconnect.
CREATE TABLE incident_events (
  seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id   bigint REFERENCES incidents (id),
  type          text NOT NULL CHECK (type ~ '^[a-z][a-z_.]{1,63}$'),
  actor_user_id integer REFERENCES users (id),
  payload       jsonb NOT NULL DEFAULT '{}',
  occurred_at   timestamptz NOT NULL DEFAULT now(),
  position      geometry(Point, 4326) CHECK (position IS NULL OR ST_IsValid(position))
);
CREATE INDEX incident_events_incident_idx ON incident_events (incident_id, seq);
CREATE INDEX incident_events_position_gix ON incident_events USING gist (position);

CREATE FUNCTION incident_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'incident_events is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER incident_events_no_update BEFORE UPDATE OR DELETE ON incident_events
  FOR EACH ROW EXECUTE FUNCTION incident_events_append_only();
CREATE TRIGGER incident_events_no_truncate BEFORE TRUNCATE ON incident_events
  FOR EACH STATEMENT EXECUTE FUNCTION incident_events_append_only();

-- Down Migration
DROP TABLE incident_events;
DROP FUNCTION incident_events_append_only();
DROP TABLE dispatches;
DROP TABLE incidents;
DROP TABLE categories;
DROP TABLE category_catalogs;

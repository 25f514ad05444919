-- Up Migration
-- A city brings its own geography (issue 13): uploads are staged, checked and previewed, then committed
-- as a version. A grid cell version is in force over [valid_from, valid_to): instants, not dates, so a
-- second import on the same day is a new version and a case keeps the cell version it was located in.
ALTER TABLE grid_cells
  ALTER COLUMN valid_from DROP DEFAULT,
  ALTER COLUMN valid_from TYPE timestamptz USING (valid_from::timestamp AT TIME ZONE 'Asia/Shanghai'),
  ALTER COLUMN valid_from SET DEFAULT now(),
  ALTER COLUMN valid_to TYPE timestamptz USING (valid_to::timestamp AT TIME ZONE 'Asia/Shanghai');
CREATE INDEX grid_cells_validity_idx ON grid_cells (code, valid_from, valid_to);

-- One committed import: which layer, from what, by whom, and what it changed.
CREATE TABLE gis_versions (
  id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  layer        text NOT NULL CHECK (layer IN ('districts', 'grid_cells', 'key_areas', 'illegal_buildings')),
  import_id    integer NOT NULL,
  committed_by integer REFERENCES users (id),
  committed_at timestamptz NOT NULL DEFAULT now(),
  source       text NOT NULL,
  -- added / changed / removed / unchanged / skipped, by kind
  counts       jsonb NOT NULL
);
CREATE INDEX gis_versions_layer_idx ON gis_versions (layer, committed_at DESC);

ALTER TABLE grid_cells
  ADD COLUMN version_id integer REFERENCES gis_versions (id),
  -- the source row's attributes as mapped (street and community names, the bureau's own fields), for export
  ADD COLUMN attrs jsonb NOT NULL DEFAULT '{}';

-- An upload being checked. The row stays as the import's record after commit or discard.
CREATE TABLE gis_imports (
  id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  layer         text NOT NULL CHECK (layer IN ('districts', 'grid_cells', 'key_areas', 'illegal_buildings')),
  state         text NOT NULL CHECK (state IN ('previewed', 'committed', 'discarded')),
  filename      text NOT NULL,
  format        text NOT NULL CHECK (format IN ('shapefile', 'geojson', 'csv', 'xlsx')),
  -- how the file was read: CRS, encoding and where each came from, the field mapping, the options
  reading       jsonb NOT NULL,
  counts        jsonb NOT NULL DEFAULT '{}',
  created_by    integer REFERENCES users (id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  ended_at      timestamptz,
  version_id    integer REFERENCES gis_versions (id),
  CHECK ((state = 'committed') = (version_id IS NOT NULL))
);
ALTER TABLE gis_versions ADD FOREIGN KEY (import_id) REFERENCES gis_imports (id);

-- Staged rows: UNLOGGED (a crash loses only uploads nobody committed), dropped with their import.
CREATE UNLOGGED TABLE gis_import_features (
  import_id   integer NOT NULL REFERENCES gis_imports (id) ON DELETE CASCADE,
  n           integer NOT NULL,
  code        text,
  name        text,
  attrs       jsonb NOT NULL DEFAULT '{}',
  -- as read and reprojected (may be invalid); `geom` is what would be stored (valid MultiPolygon/Point)
  raw_geom    geometry(Geometry, 4326),
  geom        geometry(Geometry, 4326),
  -- what a commit does with the row: add, change, keep (unchanged) or skip (has an error)
  action      text CHECK (action IN ('add', 'change', 'keep', 'skip')),
  PRIMARY KEY (import_id, n)
);
CREATE INDEX gis_import_features_geom_gix ON gis_import_features USING gist (geom);
CREATE INDEX gis_import_features_code_idx ON gis_import_features (import_id, code);

CREATE UNLOGGED TABLE gis_import_problems (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  import_id  integer NOT NULL REFERENCES gis_imports (id) ON DELETE CASCADE,
  -- the row (null for a layer-wide problem such as a gap), and the other row of a pair (an overlap)
  n          integer,
  other_n    integer,
  code       text,
  kind       text NOT NULL,
  severity   text NOT NULL CHECK (severity IN ('error', 'warning')),
  message    text NOT NULL,
  geom       geometry(Geometry, 4326)
);
CREATE INDEX gis_import_problems_import_idx ON gis_import_problems (import_id, n);

-- The field mapping an administrator confirmed, remembered per layer and set of source fields.
CREATE TABLE gis_field_maps (
  layer      text NOT NULL,
  fields_key text NOT NULL,
  mapping    jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (layer, fields_key)
);

-- Who changed what in the city's set-up, before → after: append-only, as the case record is.
CREATE TABLE admin_audit (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  actor_user_id integer REFERENCES users (id),
  action        text NOT NULL CHECK (action ~ '^[a-z][a-z_.]{1,63}$'),
  target        text NOT NULL,
  before        jsonb,
  after         jsonb
);
CREATE INDEX admin_audit_at_idx ON admin_audit (at DESC);
CREATE FUNCTION admin_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'admin_audit is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER admin_audit_no_update BEFORE UPDATE OR DELETE ON admin_audit
  FOR EACH ROW EXECUTE FUNCTION admin_audit_append_only();
CREATE TRIGGER admin_audit_no_truncate BEFORE TRUNCATE ON admin_audit
  FOR EACH STATEMENT EXECUTE FUNCTION admin_audit_append_only();

-- Down Migration
DROP TABLE admin_audit;
DROP FUNCTION admin_audit_append_only();
DROP TABLE gis_field_maps;
DROP TABLE gis_import_problems;
DROP TABLE gis_import_features;
ALTER TABLE grid_cells DROP COLUMN attrs, DROP COLUMN version_id;
ALTER TABLE gis_versions DROP CONSTRAINT gis_versions_import_id_fkey;
DROP TABLE gis_imports;
DROP TABLE gis_versions;
DROP INDEX grid_cells_validity_idx;
ALTER TABLE grid_cells
  ALTER COLUMN valid_to TYPE date USING ((valid_to AT TIME ZONE 'Asia/Shanghai')::date),
  ALTER COLUMN valid_from DROP DEFAULT,
  ALTER COLUMN valid_from TYPE date USING ((valid_from AT TIME ZONE 'Asia/Shanghai')::date),
  ALTER COLUMN valid_from SET DEFAULT current_date;

-- Up Migration
-- Administrative hierarchy and the unit grid (万米单元网格). Everything is WGS84 (EPSG:4326);
-- areas are computed on the spheroid (geography) so they are true square metres.

CREATE TABLE districts (
  adcode      char(6) PRIMARY KEY CHECK (adcode ~ '^[0-9]{6}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
  name_en     text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 64),
  boundary    geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(boundary) AND NOT ST_IsEmpty(boundary)),
  source      text NOT NULL
);
CREATE INDEX districts_boundary_gix ON districts USING gist (boundary);

-- 街道: code = 6-digit district adcode + 3 digits.
CREATE TABLE streets (
  code            char(9) PRIMARY KEY CHECK (code ~ '^[0-9]{9}$'),
  district_adcode char(6) NOT NULL REFERENCES districts (adcode),
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
  boundary        geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(boundary) AND NOT ST_IsEmpty(boundary)),
  CHECK (left(code, 6) = district_adcode)
);
CREATE INDEX streets_boundary_gix ON streets USING gist (boundary);
CREATE INDEX streets_district_idx ON streets (district_adcode);

-- 社区: code = street code + 3 digits.
CREATE TABLE communities (
  code        char(12) PRIMARY KEY CHECK (code ~ '^[0-9]{12}$'),
  street_code char(9) NOT NULL REFERENCES streets (code),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
  boundary    geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(boundary) AND NOT ST_IsEmpty(boundary)),
  CHECK (left(code, 9) = street_code)
);
CREATE INDEX communities_boundary_gix ON communities USING gist (boundary);
CREATE INDEX communities_street_idx ON communities (street_code);

-- 执法中队: the squad responsible (属地) for a set of grid cells.
CREATE TABLE squads (
  id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name            text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
  district_adcode char(6) NOT NULL REFERENCES districts (adcode),
  base            geometry(Point, 4326) NOT NULL CHECK (ST_IsValid(base)),
  phone           text
);
CREATE INDEX squads_base_gix ON squads USING gist (base);
CREATE INDEX squads_district_idx ON squads (district_adcode);

-- 单元网格: 15-digit code = 12-digit community code + 3-digit sequence (DB11 rule).
-- A code may be re-drawn over time, so a cell version is (code, valid_from).
CREATE TABLE grid_cells (
  id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code            char(15) NOT NULL CHECK (code ~ '^[0-9]{15}$' AND right(code, 3) <> '000'),
  community_code  char(12) NOT NULL REFERENCES communities (code),
  district_adcode char(6) NOT NULL REFERENCES districts (adcode),
  geom            geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
  area_m2         double precision NOT NULL CHECK (area_m2 > 0),
  squad_id        integer REFERENCES squads (id),
  valid_from      date NOT NULL DEFAULT current_date,
  valid_to        date,
  CHECK (left(code, 12) = community_code),
  CHECK (left(code, 6) = district_adcode),
  CHECK (valid_to IS NULL OR valid_to > valid_from),
  UNIQUE (code, valid_from)
);
CREATE INDEX grid_cells_geom_gix ON grid_cells USING gist (geom);
CREATE UNIQUE INDEX grid_cells_current_code_uq ON grid_cells (code) WHERE valid_to IS NULL;
CREATE INDEX grid_cells_district_idx ON grid_cells (district_adcode);
CREATE INDEX grid_cells_squad_idx ON grid_cells (squad_id);

-- 重点地区. Every city-level area is also district-level, so `level` is the highest level it is listed at.
CREATE TABLE key_areas (
  id                 integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
  name_en            text,
  level              text NOT NULL CHECK (level IN ('city', 'district')),
  kind               text NOT NULL CHECK (kind IN ('commercial', 'scenic', 'transport', 'market', 'nightlife', 'civic', 'major_event')),
  geom               geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
  listed_on          date NOT NULL,
  delisted_on        date,
  priority_boost     integer NOT NULL DEFAULT 0 CHECK (priority_boost BETWEEN 0 AND 100),
  -- 常量: complaints per month the area is measured against (target: 15% below).
  complaint_baseline numeric(10, 2) NOT NULL DEFAULT 0 CHECK (complaint_baseline >= 0),
  CHECK (delisted_on IS NULL OR delisted_on >= listed_on),
  UNIQUE (name, listed_on)
);
CREATE INDEX key_areas_geom_gix ON key_areas USING gist (geom);

-- 违法建设.
CREATE TABLE illegal_buildings (
  id                 integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code               text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9-]{4,32}$'),
  geom               geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
  area_m2            double precision NOT NULL CHECK (area_m2 > 0),
  floors             smallint NOT NULL CHECK (floors BETWEEN 1 AND 100),
  kind               text NOT NULL CHECK (kind IN ('stock', 'new')),
  stage              text NOT NULL CHECK (stage IN ('discovered', 'filed', 'ordered', 'demolished', 'closed')),
  party              text,
  demolished_area_m2 double precision NOT NULL DEFAULT 0 CHECK (demolished_area_m2 >= 0),
  district_adcode    char(6) NOT NULL REFERENCES districts (adcode),
  discovered_on      date NOT NULL,
  filed_on           date,
  rectify_by         date,
  demolished_on      date,
  closed_on          date,
  CHECK (demolished_area_m2 <= area_m2 * floors),
  CHECK (stage NOT IN ('demolished', 'closed') OR demolished_on IS NOT NULL OR demolished_area_m2 = 0),
  CHECK (filed_on IS NULL OR filed_on >= discovered_on),
  CHECK (demolished_on IS NULL OR demolished_on >= discovered_on),
  CHECK (closed_on IS NULL OR closed_on >= discovered_on)
);
CREATE INDEX illegal_buildings_geom_gix ON illegal_buildings USING gist (geom);
CREATE INDEX illegal_buildings_district_idx ON illegal_buildings (district_adcode);

-- Down Migration
DROP TABLE illegal_buildings;
DROP TABLE key_areas;
DROP TABLE grid_cells;
DROP TABLE squads;
DROP TABLE communities;
DROP TABLE streets;
DROP TABLE districts;

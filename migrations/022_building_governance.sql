-- Up Migration
-- 违法建设治理: the illegal-building register becomes a workflow (shared/buildings/stage-machine.ts)
-- joined to cases, patrolled on a cycle and measured against yearly targets.

-- 'verified' (核查) and 'rectified' (整改) join the stages; a building a case found (or a GIS import)
-- is placed like a case: grid cell, street, key areas, so a leader can sum by street and squad.
ALTER TABLE illegal_buildings DROP CONSTRAINT illegal_buildings_stage_check;
ALTER TABLE illegal_buildings
  ADD CONSTRAINT illegal_buildings_stage_check CHECK (stage IN ('discovered', 'verified', 'filed', 'ordered', 'demolished', 'rectified', 'closed')),
  ADD COLUMN declared_area_m2     double precision CHECK (declared_area_m2 > 0),
  ADD COLUMN use                  text CHECK (length(use) <= 64),
  ADD COLUMN grid_cell_id         integer REFERENCES grid_cells (id),
  ADD COLUMN street_code          char(9) REFERENCES streets (code),
  ADD COLUMN key_area_ids         integer[] NOT NULL DEFAULT '{}',
  ADD COLUMN verified_on          date,
  ADD COLUMN ordered_on           date,
  ADD COLUMN rectified_on         date,
  -- When the building entered its stage and when the next step is due (working days, as data).
  ADD COLUMN stage_at             timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN stage_due            timestamptz,
  ADD COLUMN escalated_at         timestamptz,
  ADD COLUMN last_inspected_on    date,
  ADD COLUMN origin_incident_id   bigint REFERENCES incidents (id),
  ADD COLUMN notes                text CHECK (length(notes) <= 2000),
  ADD COLUMN updated_at           timestamptz NOT NULL DEFAULT now();
CREATE INDEX illegal_buildings_stage_idx ON illegal_buildings (district_adcode, stage);
CREATE INDEX illegal_buildings_stage_due_idx ON illegal_buildings (stage_due) WHERE stage <> 'closed' AND stage_due IS NOT NULL;
CREATE INDEX illegal_buildings_new_idx ON illegal_buildings (discovered_on) INCLUDE (district_adcode, street_code) WHERE kind = 'new';

-- Categories whose cases concern a building (私搭乱建 and any a bureau marks so).
ALTER TABLE categories ADD COLUMN construction boolean NOT NULL DEFAULT false;
UPDATE categories SET construction = true WHERE minor_code = '0101';

-- A case about a building, and the field step it carries for the building (核查, 拆除, 巡查).
ALTER TABLE incidents
  ADD COLUMN building_id   integer REFERENCES illegal_buildings (id),
  ADD COLUMN building_task text CHECK (building_task IN ('verify', 'demolish', 'inspect', 'report')),
  ADD CONSTRAINT incidents_building_task_has_building CHECK (building_task IS NULL OR building_id IS NOT NULL);
CREATE INDEX incidents_building_idx ON incidents (building_id) WHERE building_id IS NOT NULL;

-- A building's steps go in the same append-only log as a case's (incident_id NULL, building_id set),
-- so the live feed, replay and audit need nothing new.
ALTER TABLE incident_events ADD COLUMN building_id integer REFERENCES illegal_buildings (id);
CREATE INDEX incident_events_building_idx ON incident_events (building_id, seq) WHERE building_id IS NOT NULL;

-- Photos and documents of a building's stage, beside a case's.
ALTER TABLE evidence
  ALTER COLUMN incident_id DROP NOT NULL,
  ADD COLUMN building_id integer REFERENCES illegal_buildings (id),
  ADD COLUMN stage text,
  ADD CONSTRAINT evidence_has_owner CHECK (incident_id IS NOT NULL OR building_id IS NOT NULL);
CREATE UNIQUE INDEX evidence_building_sha_idx ON evidence (building_id, sha256) WHERE incident_id IS NULL;
CREATE INDEX evidence_building_idx ON evidence (building_id) WHERE building_id IS NOT NULL;

-- Each demolition, partial ones too: the fact the yearly progress is summed from (m² by month,
-- street, squad). Placed when written so a later grid edit does not move last year's figures.
CREATE TABLE building_demolitions (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  building_id     integer NOT NULL REFERENCES illegal_buildings (id),
  demolished_on   date NOT NULL,
  area_m2         double precision NOT NULL CHECK (area_m2 > 0),
  kind            text NOT NULL CHECK (kind IN ('stock', 'new')),
  -- true for the building's first demolition: the one that counts it as demolished.
  first           boolean NOT NULL,
  district_adcode char(6) NOT NULL REFERENCES districts (adcode),
  street_code     char(9) REFERENCES streets (code),
  squad_id        integer REFERENCES squads (id),
  event_seq       bigint,
  recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX building_demolitions_day_idx ON building_demolitions (demolished_on) INCLUDE (district_adcode, street_code, squad_id, kind, area_m2, first);
CREATE INDEX building_demolitions_building_idx ON building_demolitions (building_id);

-- 巡查: stock buildings are inspected on a cycle (shared/buildings/inspection-cycle.ts); a due
-- inspection is a task for the squad of the building's cell.
CREATE TABLE building_inspections (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  building_id  integer NOT NULL REFERENCES illegal_buildings (id),
  squad_id     integer REFERENCES squads (id),
  due_on       date NOT NULL,
  state        text NOT NULL DEFAULT 'due' CHECK (state IN ('due', 'done', 'cancelled')),
  result       text CHECK (result IN ('unchanged', 'extended', 'demolished')),
  note         text CHECK (length(note) <= 2000),
  officer_id   integer REFERENCES officers (id),
  inspected_by integer REFERENCES users (id),
  inspected_at timestamptz,
  position     geometry(Point, 4326) CHECK (position IS NULL OR ST_IsValid(position)),
  evidence_ids bigint[] NOT NULL DEFAULT '{}',
  -- the case an extension (加建) opened
  incident_id  bigint REFERENCES incidents (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK ((state = 'done') = (result IS NOT NULL AND inspected_at IS NOT NULL))
);
CREATE UNIQUE INDEX building_inspections_one_due ON building_inspections (building_id) WHERE state = 'due';
CREATE INDEX building_inspections_squad_idx ON building_inspections (squad_id, due_on) WHERE state = 'due';
CREATE INDEX building_inspections_position_gix ON building_inspections USING gist (position);

-- 控违目标: per district and year, stock to demolish (m² and count) and new construction allowed
-- (0: 零增长 / "zero tolerance").
CREATE TABLE building_targets (
  district_adcode      char(6) NOT NULL REFERENCES districts (adcode),
  year                 smallint NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  stock_demolish_m2    double precision NOT NULL DEFAULT 0 CHECK (stock_demolish_m2 >= 0),
  stock_demolish_count integer NOT NULL DEFAULT 0 CHECK (stock_demolish_count >= 0),
  new_max              integer NOT NULL DEFAULT 0 CHECK (new_max >= 0),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (district_adcode, year)
);

-- Down Migration
DROP TABLE building_targets;
DROP TABLE building_inspections;
DROP TABLE building_demolitions;
DROP INDEX evidence_building_idx;
DROP INDEX evidence_building_sha_idx;
ALTER TABLE evidence DROP CONSTRAINT evidence_has_owner, DROP COLUMN stage, DROP COLUMN building_id;
DELETE FROM evidence WHERE incident_id IS NULL;
ALTER TABLE evidence ALTER COLUMN incident_id SET NOT NULL;
ALTER TABLE incident_events DROP COLUMN building_id;
ALTER TABLE incidents DROP CONSTRAINT incidents_building_task_has_building, DROP COLUMN building_task, DROP COLUMN building_id;
ALTER TABLE categories DROP COLUMN construction;
ALTER TABLE illegal_buildings
  DROP COLUMN updated_at, DROP COLUMN notes, DROP COLUMN origin_incident_id, DROP COLUMN last_inspected_on, DROP COLUMN escalated_at,
  DROP COLUMN stage_due, DROP COLUMN stage_at, DROP COLUMN rectified_on, DROP COLUMN ordered_on, DROP COLUMN verified_on,
  DROP COLUMN key_area_ids, DROP COLUMN street_code, DROP COLUMN grid_cell_id, DROP COLUMN use, DROP COLUMN declared_area_m2;
UPDATE illegal_buildings SET stage = 'discovered' WHERE stage = 'verified';
UPDATE illegal_buildings SET stage = 'ordered' WHERE stage = 'rectified';
ALTER TABLE illegal_buildings DROP CONSTRAINT illegal_buildings_stage_check,
  ADD CONSTRAINT illegal_buildings_stage_check CHECK (stage IN ('discovered', 'filed', 'ordered', 'demolished', 'closed'));

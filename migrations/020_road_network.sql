-- Up Migration
-- The road network for travel times (drive-time ETA of the recommendation): junctions (road_nodes)
-- and directed road edges between them in pgRouting's layout (id, source, target, cost,
-- reverse_cost; -1 = that direction is closed, i.e. a one-way). Costs are seconds by car at the speed
-- of the road's class (shared/dispatch/travel-speeds.ts); walking and patrol-bike costs come from
-- length_m at query time. Loaded by server/dispatch/road-network.ts (the demo seed, `npm run roads`).
--
-- pgRouting is optional: where the server has it (Debian postgresql-15-pgrouting) the recommendation
-- routes on this network; where it does not (the embedded database, a plain PostGIS) the tables are
-- still here and the ETA is a straight-line estimate. Creating it needs a superuser (it is not a
-- trusted extension), so a role without that right gets a notice, not a failed migration.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pgrouting') THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS pgrouting;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'pgrouting is available but this role may not create it: ETAs stay straight-line estimates until an administrator runs CREATE EXTENSION pgrouting';
    END;
  END IF;
END
$$;

CREATE TABLE road_nodes (
  id bigint PRIMARY KEY,
  geom geometry(Point, 4326) NOT NULL,
  -- in the largest strongly connected part of the driving graph: a point is snapped only to these,
  -- so a route never starts at a dead end the data's clipped edge left behind
  routable boolean NOT NULL DEFAULT true
);
CREATE INDEX road_nodes_geom_idx ON road_nodes USING gist (geom);
CREATE INDEX road_nodes_routable_geom_idx ON road_nodes USING gist (geom) WHERE routable;

CREATE TABLE road_edges (
  id bigint PRIMARY KEY,
  source bigint NOT NULL REFERENCES road_nodes (id),
  target bigint NOT NULL REFERENCES road_nodes (id),
  -- seconds by car source → target, and target → source (-1: one-way, closed against the way)
  cost double precision NOT NULL CHECK (cost > 0),
  reverse_cost double precision NOT NULL CHECK (reverse_cost > 0 OR reverse_cost = -1),
  length_m double precision NOT NULL CHECK (length_m > 0),
  oneway boolean NOT NULL,
  highway text NOT NULL CHECK (length(highway) <= 64),
  name text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
  lanes smallint,
  -- the segment(s) of the source data (e.g. the OSM/SUMO edge id and its reverse twin)
  source_ids text[] NOT NULL DEFAULT '{}',
  geom geometry(LineString, 4326) NOT NULL,
  CHECK (oneway = (reverse_cost = -1))
);
CREATE INDEX road_edges_geom_idx ON road_edges USING gist (geom);
CREATE INDEX road_edges_source_idx ON road_edges (source);
CREATE INDEX road_edges_target_idx ON road_edges (target);

-- Down Migration
DROP TABLE IF EXISTS road_edges;
DROP TABLE IF EXISTS road_nodes;
DROP EXTENSION IF EXISTS pgrouting;

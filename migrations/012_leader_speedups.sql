-- Up Migration
-- What district leaders watch, faster over a year of cases (bench/leader.ts).

-- The heatmap writes each cell's point on surface as GeoJSON: written once per cell version, not per request.
ALTER TABLE grid_cells ADD COLUMN label_point_json text GENERATED ALWAYS AS (ST_AsGeoJSON(ST_PointOnSurface(geom), 6)) STORED;

-- Closed per day in a district (stats/trend): index-only, like reported per day (011's incidents_reported_leader_idx).
CREATE INDEX incidents_closed_at_leader_idx ON incidents (closed_at) INCLUDE (district_adcode) WHERE closed_at IS NOT NULL;

-- Down Migration
DROP INDEX incidents_closed_at_leader_idx;
ALTER TABLE grid_cells DROP COLUMN label_point_json;

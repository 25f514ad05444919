-- Up Migration
-- What district leaders watch (heatmap, key-area board, trend): aggregates over up to a year of cases.

-- The heatmap draws each grid cell as a point on its surface; computed once per cell version.
ALTER TABLE grid_cells ADD COLUMN label_point geometry(Point, 4326) GENERATED ALWAYS AS (ST_PointOnSurface(geom)) STORED;
CREATE INDEX grid_cells_label_point_gix ON grid_cells USING gist (label_point);

-- Cases reported in a period, with what the heatmap groups and filters by (index-only scans).
CREATE INDEX incidents_reported_leader_idx ON incidents (reported_at) INCLUDE (grid_cell_id, district_adcode, category_id, source);
-- Public complaints in key areas, the board's numerator.
CREATE INDEX incidents_key_area_complaints_idx ON incidents (reported_at) INCLUDE (key_area_ids) WHERE source = 'public' AND key_area_ids <> '{}';
-- Overdue at the end of each day (closed per day uses 010's incidents_closed_at_idx).
CREATE INDEX incidents_overdue_at_idx ON incidents (overdue_at) INCLUDE (district_adcode, closed_at, voided_at) WHERE overdue_at IS NOT NULL;

-- Down Migration
DROP INDEX incidents_overdue_at_idx;
DROP INDEX incidents_key_area_complaints_idx;
DROP INDEX incidents_reported_leader_idx;
DROP INDEX grid_cells_label_point_gix;
ALTER TABLE grid_cells DROP COLUMN label_point;

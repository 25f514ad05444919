-- Up Migration
-- 合并: a duplicate report is voided into the case it repeats; the case it went into is kept on it.
ALTER TABLE incidents
  ADD COLUMN merged_into bigint REFERENCES incidents (id),
  ADD CONSTRAINT incidents_merged_is_voided CHECK (merged_into IS NULL OR (state = 'voided' AND merged_into <> id));
CREATE INDEX incidents_merged_into_idx ON incidents (merged_into) WHERE merged_into IS NOT NULL;

-- Down Migration
DROP INDEX incidents_merged_into_idx;
ALTER TABLE incidents DROP CONSTRAINT incidents_merged_is_voided, DROP COLUMN merged_into;

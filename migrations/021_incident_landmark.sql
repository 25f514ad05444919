-- Up Migration
-- The nearest named intersection or road when the case came in ({kind, name, meters, bearing}:
-- shared/geocode/contract.ts Landmark), kept as it was said then: a renamed road or a later import
-- must not change what the caller, the dispatcher and the officer read on the record. NULL when the
-- point was beyond every named road the gazetteer knew.
ALTER TABLE incidents ADD COLUMN landmark jsonb;

-- Down Migration
ALTER TABLE incidents DROP COLUMN landmark;

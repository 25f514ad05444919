-- Up Migration
-- Which seed steps have run, so a restart never seeds twice.
CREATE TABLE seed_runs (
  name      text PRIMARY KEY,
  seeded_at timestamptz NOT NULL DEFAULT now(),
  summary   jsonb NOT NULL DEFAULT '{}'
);

-- Down Migration
DROP TABLE seed_runs;

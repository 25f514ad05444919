-- Up Migration
-- Intake with an Idempotency-Key keeps a fingerprint of the request (sha256 of its canonical JSON),
-- so the same key with another report is refused instead of answering the first case. Cases
-- reported before this migration have none: a resend of their key is still answered as a replay.
ALTER TABLE incidents
  ADD COLUMN idempotency_fingerprint char(64) CHECK (idempotency_fingerprint ~ '^[0-9a-f]{64}$'),
  ADD CONSTRAINT incidents_fingerprint_has_key CHECK (idempotency_fingerprint IS NULL OR idempotency_key IS NOT NULL);

-- Who may see a case (server/incidents/repository.ts caseVisibleSql): an officer's cases are found
-- from their dispatches and their own reports, for the case list and the event feed alike.
CREATE INDEX dispatches_officer_idx ON dispatches (officer_id, incident_id);
CREATE INDEX incidents_reported_by_idx ON incidents (reported_by) WHERE reported_by IS NOT NULL;

-- Down Migration
DROP INDEX incidents_reported_by_idx;
DROP INDEX dispatches_officer_idx;
ALTER TABLE incidents DROP CONSTRAINT incidents_fingerprint_has_key, DROP COLUMN idempotency_fingerprint;

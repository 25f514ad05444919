-- Up Migration
-- Steps sent with an Idempotency-Key (the officer's phone resends what it queued while offline):
-- the key is kept with the step, in the step's transaction, so a resend is answered without a
-- second step. Keys are per user.
CREATE TABLE step_requests (
  user_id      integer NOT NULL REFERENCES users (id),
  key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 128),
  incident_id  bigint NOT NULL REFERENCES incidents (id),
  action       text NOT NULL,
  taken_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);

-- Down Migration
DROP TABLE step_requests;

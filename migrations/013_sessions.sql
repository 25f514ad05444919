-- Up Migration
-- A token names its session; the session, not the token, decides whether a request is let in. Disabling a
-- user, changing their role, district or officer, resetting a password and logging out end sessions at once.
CREATE TABLE user_sessions (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  revoked_why  text,
  user_agent   text,
  address      text,
  CHECK (expires_at > created_at)
);
CREATE INDEX user_sessions_live_idx ON user_sessions (user_id) WHERE revoked_at IS NULL;

-- Failed logins per login name as typed (whether or not such a user exists, so the answer never tells).
CREATE TABLE login_failures (
  login        text PRIMARY KEY,
  failures     integer NOT NULL CHECK (failures > 0),
  last_at      timestamptz NOT NULL,
  locked_until timestamptz
);

ALTER TABLE users ADD COLUMN password_changed_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE users ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- Down Migration
ALTER TABLE users DROP COLUMN updated_at;
ALTER TABLE users DROP COLUMN password_changed_at;
DROP TABLE login_failures;
DROP TABLE user_sessions;

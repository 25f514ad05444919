-- Up Migration
-- 执法队员 and 协管员. Auxiliaries may assist but never carry out enforcement (2021 national notice),
-- so only certified officers carry an enforcement certificate (执法证).
CREATE TABLE officers (
  id                  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 32),
  squad_id            integer NOT NULL REFERENCES squads (id),
  kind                text NOT NULL CHECK (kind IN ('officer', 'auxiliary')),
  certificate_no      text UNIQUE,
  certificate_expires date,
  duty_status         text NOT NULL DEFAULT 'off_duty' CHECK (duty_status IN ('off_duty', 'available', 'busy')),
  position            geometry(Point, 4326) CHECK (position IS NULL OR ST_IsValid(position)),
  position_at         timestamptz,
  equipment           text[] NOT NULL DEFAULT '{}',
  phone               text,
  CHECK ((kind = 'officer') = (certificate_no IS NOT NULL)),
  CHECK ((certificate_no IS NULL) = (certificate_expires IS NULL)),
  CHECK ((position IS NULL) = (position_at IS NULL))
);
CREATE INDEX officers_position_gix ON officers USING gist (position);
CREATE INDEX officers_squad_idx ON officers (squad_id);

CREATE TABLE users (
  id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  login           text NOT NULL UNIQUE CHECK (login ~ '^[a-z0-9_.-]{3,32}$'),
  password_hash   text NOT NULL CHECK (password_hash LIKE '$argon2%'),
  display_name    text NOT NULL,
  role            text NOT NULL CHECK (role IN ('admin', 'dispatcher', 'supervisor', 'leader', 'officer')),
  -- NULL scope = the whole city.
  district_adcode char(6) REFERENCES districts (adcode),
  officer_id      integer UNIQUE REFERENCES officers (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  disabled_at     timestamptz,
  CHECK ((role = 'officer') = (officer_id IS NOT NULL))
);

-- Down Migration
DROP TABLE users;
DROP TABLE officers;

-- Up Migration
-- PostGIS must be creatable by the migrating role (superuser, or pre-created by an admin).
CREATE EXTENSION IF NOT EXISTS postgis;

-- Down Migration
DROP EXTENSION IF EXISTS postgis;

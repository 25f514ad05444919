-- Up Migration
-- GeoJSON Feature text without a json round trip: casting ST_AsGeoJSON to json re-parses every
-- coordinate, which dominated large map layers (10× the bare query for a city-wide grid).
CREATE FUNCTION geojson_feature(id bigint, geom geometry, properties json) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT '{"type":"Feature","id":' || id || ',"geometry":' || ST_AsGeoJSON(geom, 6) || ',"properties":' || properties::text || '}'
$$;

-- Down Migration
DROP FUNCTION geojson_feature(bigint, geometry, json);

-- Up Migration
-- 地名地址库 (gazetteer, issue 15): what a dispatcher can type to put a case on the map — roads,
-- intersections, address points, named places, key areas, grid codes, communities, streets and
-- districts — and what reverse geocoding names a point by. Rebuilt from the geography tables by
-- server/geocode/repository.ts (the demo seed, and every GIS import as it commits); roads and
-- intersections come from a street network (the demo's OSM patch, or a city's own).
--
-- The text index, measured: pg_trgm depends on the database's LC_CTYPE. On PostgreSQL 15 with
-- LC_CTYPE C.UTF-8 (our cluster) and on the embedded PGlite (PostgreSQL 18, LC_CTYPE C.UTF-8, pg_trgm
-- loaded by hand; server/db/embedded.ts does not load it) show_trgm('人民南路四段') gives 7
-- trigrams and similarity('人民南路四段', '人民南路四断') = 0.56; in a PostgreSQL 15 database created with
-- LC_CTYPE C it gives {} and similarity 0: CJK letters are not word characters there, so a trigram
-- index finds nothing. It also cannot serve a two-character query (玉林, 红星) — most Chinese words —
-- nor LIKE '%xy%', and the embedded database would need the extension loaded at start. So: our own
-- normalized text (gazetteer_norm: translate() tables only, locale-free, the same as
-- shared/geocode/normalize.ts) and its distinct character bigrams as text[] under a plain GIN index
-- (array_ops, no extension): `grams @> query_bigrams` finds every name containing the query, and the
-- leave-one-character-out subsets of the query find one wrong, missing or extra character.
-- Measured on 155,000 entries (bench/geocode-search.ts: the demo city + 100,000 synthetic), p95 of
-- the substring step for a 3-character partial name: PostgreSQL 15 bigram GIN 9 ms, no index 108 ms,
-- pg_trgm GIN 3 ms — but 108 ms for a 2-character one; embedded bigram GIN 8 ms, no index 66 ms. The
-- whole search (every query form): p95 11 ms on PostgreSQL 15, 19 ms embedded.

CREATE FUNCTION gazetteer_norm(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT translate(t,
    '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚABCDEFGHIJKLMNOPQRSTUVWXYZ'
      || ' ' || chr(9) || chr(10) || chr(13) || chr(12288) || chr(160)
      || '!"#$%&''()*+,-./:;<=>?@[\]^_`{|}~、，。·・（）《》〈〉“”‘’：；！？【】—～…－／＼＆＋＃',
    '0123456789abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz')
$$;

-- the distinct 2-character grams of a normalized text (the text itself when it is one character)
CREATE FUNCTION gazetteer_grams(norm text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT CASE WHEN char_length(norm) = 1 THEN ARRAY[norm]
    ELSE coalesce((SELECT array_agg(DISTINCT substr(norm, i, 2)) FROM generate_series(1, char_length(norm) - 1) AS i), '{}') END
$$;

CREATE TABLE gazetteer (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- shared/geocode/contract.ts PLACE_KINDS
  kind            text COLLATE "C" NOT NULL CHECK (kind IN ('intersection', 'road', 'address', 'place', 'key_area', 'grid', 'community', 'street', 'district')),
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- where it is, to tell two of one name apart: 区 · 街道
  context         text CHECK (length(context) <= 200),
  -- a grid code is its own search form (15 ASCII digits, checked in grid_cells): 54,000 translate()s saved
  norm            text GENERATED ALWAYS AS (CASE WHEN kind = 'grid' THEN name ELSE gazetteer_norm(name) END) STORED,
  -- none for grid codes: digits are searched by prefix (below), and 54,000 codes' bigrams in the GIN
  -- index would make rebuilding them (every grid import) several times slower
  grams           text[] GENERATED ALWAYS AS (CASE WHEN kind <> 'grid' THEN gazetteer_grams(gazetteer_norm(name)) END) STORED,
  -- the line of a road, the polygon of an area (null for points)
  geom            geometry(Geometry, 4326) CHECK (geom IS NULL OR NOT ST_IsEmpty(geom)),
  -- where a case found by this entry is put: the intersection, the middle of a road, a point inside an area
  point           geometry(Point, 4326) NOT NULL,
  -- what made it: 'osm-demo', 'districts', 'streets', 'communities', 'grid_cells', 'key_areas', an import …
  -- byte order (COLLATE "C") for the key columns: a rebuild inserts 54,000 keys, and a locale's
  -- strcoll() made their unique index the slowest part of it
  source          text COLLATE "C" NOT NULL CHECK (length(source) BETWEEN 1 AND 64),
  source_id       text COLLATE "C" NOT NULL CHECK (length(source_id) BETWEEN 1 AND 200),
  district_adcode char(6),
  UNIQUE (source, kind, source_id)
);
-- fastupdate off: a rebuild inserts tens of thousands of rows at once, and a pending list (flushed only
-- by vacuum, which the embedded database never runs) would be read row by row by every search
CREATE INDEX gazetteer_grams_gin ON gazetteer USING gin (grams) WITH (fastupdate = off) WHERE grams IS NOT NULL;
-- grid codes by prefix (digits: the bigrams of 5101… are in every code)
CREATE INDEX gazetteer_norm_prefix_idx ON gazetteer (norm text_pattern_ops);
CREATE INDEX gazetteer_point_gix ON gazetteer USING gist (point);
-- reverse geocoding: nearest intersection, nearest road (partial, so the 54,000 grid points are not walked)
CREATE INDEX gazetteer_intersection_gix ON gazetteer USING gist (point) WHERE kind = 'intersection';
CREATE INDEX gazetteer_road_gix ON gazetteer USING gist (geom) WHERE kind = 'road';

-- Down Migration
DROP TABLE gazetteer;
DROP FUNCTION gazetteer_grams(text);
DROP FUNCTION gazetteer_norm(text);

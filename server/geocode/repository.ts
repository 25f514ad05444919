import type { PlaceKind } from '#shared/geocode/contract.ts';
import type { Queryable } from '../db/transaction.ts';

/** The geography tables a gazetteer entry can be rebuilt from (each its own `source`). */
export const AREA_SOURCES = ['districts', 'streets', 'communities', 'grid_cells', 'key_areas'] as const;
export type AreaSource = (typeof AREA_SOURCES)[number];

/** What the demo street network is stored as. */
export const OSM_DEMO_SOURCE = 'osm-demo';

const AREA_INSERTS: Record<AreaSource, string> = {
  districts: `
    INSERT INTO gazetteer (kind, name, context, geom, point, source, source_id, district_adcode)
    SELECT 'district', d.name, NULL, d.boundary, ST_PointOnSurface(d.boundary), 'districts', d.adcode, d.adcode FROM districts d`,
  streets: `
    INSERT INTO gazetteer (kind, name, context, geom, point, source, source_id, district_adcode)
    SELECT 'street', s.name, d.name, s.boundary, ST_PointOnSurface(s.boundary), 'streets', s.code, s.district_adcode
    FROM streets s JOIN districts d ON d.adcode = s.district_adcode`,
  communities: `
    INSERT INTO gazetteer (kind, name, context, geom, point, source, source_id, district_adcode)
    SELECT 'community', c.name, concat_ws(' · ', d.name, s.name), c.boundary, ST_PointOnSurface(c.boundary), 'communities', c.code, s.district_adcode
    FROM communities c JOIN streets s ON s.code = c.street_code JOIN districts d ON d.adcode = s.district_adcode`,
  // the cell's polygon stays in grid_cells: the gazetteer needs its point (54,000 polygons twice would be waste)
  grid_cells: `
    INSERT INTO gazetteer (kind, name, context, geom, point, source, source_id, district_adcode)
    SELECT 'grid', g.code, concat_ws(' · ', d.name, s.name, c.name), NULL, ST_PointOnSurface(g.geom), 'grid_cells', g.code, g.district_adcode
    FROM grid_cells g
    LEFT JOIN communities c ON c.code = g.community_code
    LEFT JOIN streets s ON s.code = left(g.code, 9)
    LEFT JOIN districts d ON d.adcode = g.district_adcode
    WHERE g.valid_to IS NULL`,
  // listed today (Beijing); an area delisted later is still found until then
  key_areas: `
    INSERT INTO gazetteer (kind, name, context, geom, point, source, source_id, district_adcode)
    SELECT 'key_area', k.name, NULL, k.geom, ST_PointOnSurface(k.geom), 'key_areas', k.id::text, NULL
    FROM key_areas k
    WHERE k.listed_on <= (app_now() AT TIME ZONE 'Asia/Shanghai')::date
      AND (k.delisted_on IS NULL OR k.delisted_on > (app_now() AT TIME ZONE 'Asia/Shanghai')::date)`,
};

/** District and 区 · 街道 of the entries of a source that have none, from where their point lies. */
async function fillContext(db: Queryable, source: string): Promise<void> {
  await db.query(
    `UPDATE gazetteer z SET (district_adcode, context) = (
       SELECT d.adcode, concat_ws(' · ', d.name, (SELECT s.name FROM streets s WHERE ST_Covers(s.boundary, z.point) ORDER BY s.code LIMIT 1))
       FROM districts d WHERE ST_Covers(d.boundary, z.point) ORDER BY d.adcode LIMIT 1)
     WHERE z.source = $1 AND z.context IS NULL`,
    [source],
  );
}

/**
 * (Re)builds the gazetteer's entries for districts, streets, communities, current grid cells and
 * listed key areas from their tables, in the caller's transaction. The demo seed calls it for all of
 * them; a GIS import for the layer it committed.
 */
export async function rebuildAreaEntries(db: Queryable, sources: readonly AreaSource[] = AREA_SOURCES): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const source of sources) {
    await db.query(`DELETE FROM gazetteer WHERE source = $1`, [source]);
    const res = await db.query(AREA_INSERTS[source]);
    if (source === 'key_areas') await fillContext(db, source);
    counts[source] = res.rowCount ?? 0;
  }
  return counts;
}

export interface NetworkRoad {
  id: string;
  name: string;
  coordinates: [number, number][];
}
export interface NetworkIntersection {
  id: string;
  name: string;
  coordinates: [number, number];
}

/**
 * Replaces a street network's roads and intersections: one road entry per name (its segments merged,
 * the point the line's nearest to its centroid, i.e. its middle) and one per named intersection.
 */
export async function replaceNetworkEntries(
  db: Queryable,
  source: string,
  roads: NetworkRoad[],
  intersections: NetworkIntersection[],
): Promise<{ roads: number; intersections: number }> {
  await db.query(`DELETE FROM gazetteer WHERE source = $1 AND kind IN ('road', 'intersection')`, [source]);
  const r = await db.query(
    `WITH seg AS (
       SELECT s->>'name' AS name, ST_SetSRID(ST_MakeLine(ARRAY(
                SELECT ST_MakePoint((c->>0)::float8, (c->>1)::float8) FROM jsonb_array_elements(s->'coordinates') WITH ORDINALITY AS x(c, n) ORDER BY n)), 4326) AS g
       FROM jsonb_array_elements($2::jsonb) AS s
     ),
     road AS (SELECT name, ST_LineMerge(ST_Union(g)) AS geom FROM seg GROUP BY name)
     INSERT INTO gazetteer (kind, name, geom, point, source, source_id)
     SELECT 'road', name, geom, ST_ClosestPoint(geom, ST_Centroid(geom)), $1, name FROM road`,
    [source, JSON.stringify(roads.filter((x) => x.name).map((x) => ({ name: x.name, coordinates: x.coordinates })))],
  );
  const i = await db.query(
    `INSERT INTO gazetteer (kind, name, point, source, source_id)
     SELECT 'intersection', s->>'name', ST_SetSRID(ST_MakePoint((s->'coordinates'->>0)::float8, (s->'coordinates'->>1)::float8), 4326), $1, s->>'id'
     FROM jsonb_array_elements($2::jsonb) AS s`,
    [source, JSON.stringify(intersections.filter((x) => x.name))],
  );
  await fillContext(db, source);
  return { roads: r.rowCount ?? 0, intersections: i.rowCount ?? 0 };
}

/** One gazetteer row as the search ranks it. */
export interface Candidate {
  kind: PlaceKind;
  name: string;
  context: string | null;
  norm: string;
  lon: number;
  lat: number;
}

const COLUMNS = `kind, name, context, norm, ST_X(point) AS lon, ST_Y(point) AS lat`;
const near = (lon: string, lat: string) => `point <-> ST_SetSRID(ST_MakePoint(${lon}::float8, ${lat}::float8), 4326)`;

export interface Origin {
  lon: number | null;
  lat: number | null;
}

/** Names containing `norm` (all its bigrams, then the text itself): exact, then prefix, then shortest, then nearest. */
export async function containing(db: Queryable, norm: string, grams: string[], o: Origin, limit: number): Promise<Candidate[]> {
  const res = await db.query<Candidate>(
    `SELECT ${COLUMNS} FROM gazetteer
     WHERE grams @> $1::text[] AND strpos(norm, $2) > 0
     ORDER BY norm = $2 DESC, starts_with(norm, $2) DESC, char_length(norm), ${near('$3', '$4')} NULLS LAST, id
     LIMIT $5`,
    [grams, norm, o.lon, o.lat, limit],
  );
  return res.rows;
}

/**
 * Names holding, for every group, at least one of its gram sets (a group is a word: its bigrams, and
 * the sets that survive one wrong, missing or extra character), shortest first, then nearest.
 */
export async function holdingAll(db: Queryable, groups: string[][][], o: Origin, limit: number, kind: PlaceKind | null = null): Promise<Candidate[]> {
  const sets: string[][] = [];
  const and = groups
    .filter((g) => g.length)
    .map((g) => `(${g.map((set) => `grams @> $${sets.push(set) + 4}::text[]`).join(' OR ')})`)
    .join(' AND ');
  if (!and) return [];
  const res = await db.query<Candidate>(
    `SELECT ${COLUMNS} FROM gazetteer
     WHERE ${and} AND ($4::text IS NULL OR kind = $4)
     ORDER BY char_length(norm), ${near('$1', '$2')} NULLS LAST, id
     LIMIT $3`,
    [o.lon, o.lat, limit, kind, ...sets],
  );
  return res.rows;
}

/** Grid cells whose code begins with `digits`, in code order. */
export async function gridByPrefix(db: Queryable, digits: string, limit: number): Promise<Candidate[]> {
  const res = await db.query<Candidate>(`SELECT ${COLUMNS} FROM gazetteer WHERE kind = 'grid' AND norm LIKE $1 || '%' ORDER BY norm LIMIT $2`, [
    digits.replace(/\D/g, ''),
    limit,
  ]);
  return res.rows;
}

export interface NearestFeature {
  name: string;
  meters: number;
  bearing: number | null;
}

/** The nearest named intersection to a point, geodesic metres and the bearing from it to the point. */
export async function nearestIntersection(db: Queryable, lon: number, lat: number): Promise<NearestFeature | null> {
  const res = await db.query<NearestFeature>(
    `WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326) AS g)
     SELECT z.name, ST_Distance(z.point::geography, p.g::geography) AS meters, degrees(ST_Azimuth(z.point::geography, p.g::geography)) AS bearing
     FROM gazetteer z, p WHERE z.kind = 'intersection' ORDER BY z.point <-> p.g LIMIT 1`,
    [lon, lat],
  );
  return res.rows[0] ?? null;
}

/**
 * The nearest named road within `maxMeters` (geodesic), with the bearing from its nearest point to the
 * point. The five nearest by the planar index are measured on the spheroid.
 */
export async function nearestRoad(db: Queryable, lon: number, lat: number, maxMeters: number): Promise<NearestFeature | null> {
  const res = await db.query<NearestFeature>(
    `WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326) AS g),
     near AS (SELECT z.name, z.geom FROM gazetteer z, p WHERE z.kind = 'road' ORDER BY z.geom <-> p.g LIMIT 5),
     measured AS (
       SELECT near.name, ST_ClosestPoint(near.geom, p.g) AS at, ST_Distance(near.geom::geography, p.g::geography) AS meters FROM near, p
     )
     SELECT m.name, m.meters, degrees(ST_Azimuth(m.at::geography, p.g::geography)) AS bearing
     FROM measured m, p WHERE m.meters <= $3 ORDER BY m.meters, m.name LIMIT 1`,
    [lon, lat, maxMeters],
  );
  return res.rows[0] ?? null;
}

// Places for illegal-building tests: free ground (no building near, outside key areas), a spot in a
// key area, and a square footprint there.
import type pg from 'pg';

/** A point of a district's grid with no building within 200 m and outside key areas (the n-th such). */
export async function freeSpot(db: { pool: pg.Pool }, district: string, n: number): Promise<[number, number]> {
  const res = await db.pool.query<{ lon: number; lat: number }>(
    `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(g.geom) AS p, g.id FROM grid_cells g WHERE g.district_adcode = $1 AND g.valid_to IS NULL) x
     WHERE NOT EXISTS (SELECT 1 FROM illegal_buildings b WHERE ST_DWithin(b.geom::geography, x.p::geography, 200))
       AND NOT EXISTS (SELECT 1 FROM key_areas k WHERE ST_Covers(k.geom, x.p))
     ORDER BY x.id OFFSET $2 LIMIT 1`,
    [district, n],
  );
  return [res.rows[0]!.lon, res.rows[0]!.lat];
}

/** A point inside a key area listed today, with no building within 100 m. */
export async function keyAreaSpot(db: { pool: pg.Pool }): Promise<[number, number]> {
  const res = await db.pool.query<{ lon: number; lat: number }>(
    `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM key_areas k, generate_series(1, 19) i, generate_series(1, 19) j,
       LATERAL (SELECT ST_SetSRID(ST_MakePoint(ST_XMin(k.geom) + (ST_XMax(k.geom) - ST_XMin(k.geom)) * i / 20.0,
                                               ST_YMin(k.geom) + (ST_YMax(k.geom) - ST_YMin(k.geom)) * j / 20.0), 4326) AS p) q
     WHERE k.delisted_on IS NULL AND k.listed_on <= current_date AND ST_Covers(k.geom, q.p)
       AND EXISTS (SELECT 1 FROM districts d WHERE d.adcode = '510104' AND ST_Covers(d.boundary, q.p))
       AND NOT EXISTS (SELECT 1 FROM illegal_buildings b WHERE ST_DWithin(b.geom::geography, q.p::geography, 100))
     ORDER BY k.id, i, j LIMIT 1`,
  );
  return [res.rows[0]!.lon, res.rows[0]!.lat];
}

export function square(p: [number, number], side: number) {
  const dLon = side / (111_320 * Math.cos((p[1] * Math.PI) / 180));
  const dLat = side / 110_574;
  const [x, y] = p;
  return {
    type: 'Polygon' as const,
    coordinates: [
      [
        [x, y],
        [x + dLon, y],
        [x + dLon, y + dLat],
        [x, y + dLat],
        [x, y],
      ],
    ],
  };
}

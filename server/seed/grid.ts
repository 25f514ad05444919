import type pg from 'pg';

/**
 * Street (街道) and community (社区) boundaries are not published as open data, so the demo city
 * draws its own: k-means centres of random points inside each parent, their Voronoi cells clipped to
 * the parent. Sizes follow central Chengdu (streets ≈ 5 km², communities ≈ 0.6 km²). Names say "演示"
 * so nobody mistakes them for the real ones.
 */
async function subdivide(client: pg.PoolClient, opts: { parentSql: string; target: string; areaPerChild: number; seed: number }): Promise<void> {
  await client.query(`
    CREATE TEMP TABLE ${opts.target} ON COMMIT DROP AS
    WITH parent AS (${opts.parentSql}),
    sized AS (
      SELECT parent_code, geom, greatest(1, round(ST_Area(geom::geography) / ${opts.areaPerChild}))::int AS n FROM parent
    ),
    pts AS (
      SELECT parent_code, n, (ST_Dump(ST_GeneratePoints(geom, n * 30, ${opts.seed}))).geom AS p FROM sized
    ),
    clustered AS (
      SELECT parent_code, p, ST_ClusterKMeans(p, n) OVER (PARTITION BY parent_code) AS k FROM pts
    ),
    centres AS (
      SELECT parent_code, ST_Centroid(ST_Collect(p)) AS c FROM clustered GROUP BY parent_code, k
    ),
    cells AS (
      SELECT c.parent_code, (ST_Dump(ST_VoronoiPolygons(ST_Collect(c.c), 0, ST_Expand(ST_Envelope(s.geom), 0.01)))).geom AS cell
      FROM centres c JOIN sized s USING (parent_code) GROUP BY c.parent_code, s.geom
    ),
    single AS (
      -- A parent with one child has no Voronoi diagram: the child is the parent.
      SELECT parent_code, geom AS piece FROM sized WHERE n = 1
      UNION ALL
      SELECT c.parent_code, ST_CollectionExtract(ST_Intersection(c.cell, s.geom), 3)
      FROM cells c JOIN sized s USING (parent_code) WHERE s.n > 1
    )
    SELECT parent_code, ST_Multi(piece) AS geom,
           row_number() OVER (PARTITION BY parent_code ORDER BY ST_Y(ST_PointOnSurface(piece)) DESC, ST_X(ST_PointOnSurface(piece))) AS seq
    FROM single WHERE NOT ST_IsEmpty(piece) AND ST_Area(piece::geography) > 1000`);
}

export async function insertStreetsAndCommunities(client: pg.PoolClient): Promise<{ streets: number; communities: number }> {
  await subdivide(client, {
    parentSql: `SELECT adcode::text AS parent_code, boundary AS geom FROM districts`,
    target: 'seed_streets',
    areaPerChild: 5e6,
    seed: 510100,
  });
  const streets = await client.query(`
    INSERT INTO streets (code, district_adcode, name, boundary)
    SELECT s.parent_code || lpad(s.seq::text, 3, '0'), s.parent_code, replace(d.name, '区', '') || '演示街道' || lpad(s.seq::text, 2, '0'), s.geom
    FROM seed_streets s JOIN districts d ON d.adcode = s.parent_code`);

  await subdivide(client, {
    parentSql: `SELECT code::text AS parent_code, boundary AS geom FROM streets`,
    target: 'seed_communities',
    areaPerChild: 6e5,
    seed: 510101,
  });
  const communities = await client.query(`
    INSERT INTO communities (code, street_code, name, boundary)
    SELECT c.parent_code || lpad(c.seq::text, 3, '0'), c.parent_code, s.name || '·社区' || lpad(c.seq::text, 2, '0'), c.geom
    FROM seed_communities c JOIN streets s ON s.code = c.parent_code`);
  return { streets: streets.rowCount ?? 0, communities: communities.rowCount ?? 0 };
}

/** Cell size: 100 m × 100 m at Chengdu's latitude (30.66°N), expressed in degrees. */
const CELL_DX = 100 / (111_320 * Math.cos((30.66 * Math.PI) / 180));
const CELL_DY = 100 / 110_860;
/** Pieces smaller than this after clipping are merged into their longest-bordering neighbour. */
const SLIVER_M2 = 2_000;

/**
 * 万米单元网格: one lattice over the whole city (so cells line up across boundaries), each lattice
 * square clipped to the community it falls in, slivers folded into a neighbour, then numbered within
 * the community west→east, north→south.
 */
export async function insertGridCells(client: pg.PoolClient, validFrom: string): Promise<number> {
  await client.query(
    `
    CREATE TEMP TABLE seed_cells ON COMMIT DROP AS
    WITH origin AS (SELECT ST_XMin(e) AS x0, ST_YMin(e) AS y0 FROM (SELECT ST_Extent(boundary)::geometry AS e FROM districts) x),
    spans AS (
      SELECT c.code, c.boundary,
             floor((ST_XMin(c.boundary) - o.x0) / $1)::int AS i0, floor((ST_XMax(c.boundary) - o.x0) / $1)::int AS i1,
             floor((ST_YMin(c.boundary) - o.y0) / $2)::int AS j0, floor((ST_YMax(c.boundary) - o.y0) / $2)::int AS j1,
             o.x0, o.y0
      FROM communities c CROSS JOIN origin o
    ),
    lattice AS (
      SELECT s.code, s.boundary, i, j,
             ST_MakeEnvelope(s.x0 + i * $1, s.y0 + j * $2, s.x0 + (i + 1) * $1, s.y0 + (j + 1) * $2, 4326) AS env
      FROM spans s, generate_series(s.i0, s.i1) AS i, generate_series(s.j0, s.j1) AS j
    ),
    clipped AS (
      SELECT code, i, j,
             CASE WHEN ST_CoveredBy(env, boundary) THEN env
                  ELSE ST_CollectionExtract(ST_Intersection(env, boundary), 3) END AS geom
      FROM lattice WHERE ST_Intersects(env, boundary)
    )
    SELECT row_number() OVER () AS id, code, i, j, ST_Multi(geom) AS geom, ST_Area(geom::geography) AS area
    FROM clipped WHERE NOT ST_IsEmpty(geom)`,
    [CELL_DX, CELL_DY],
  );
  await client.query(`CREATE INDEX ON seed_cells USING gist (geom)`);
  await client.query(`ANALYZE seed_cells`);

  // Fold each sliver into the larger piece of its community with which it shares the longest border.
  await client.query(
    `
    CREATE TEMP TABLE seed_merge ON COMMIT DROP AS
    SELECT s.id AS small_id, t.id AS target_id
    FROM seed_cells s
    CROSS JOIN LATERAL (
      SELECT b.id FROM seed_cells b
      WHERE b.code = s.code AND b.id <> s.id AND b.area >= $1 AND ST_Intersects(b.geom, s.geom)
      ORDER BY ST_Length(ST_CollectionExtract(ST_Intersection(b.geom, s.geom), 2)) DESC, b.id
      LIMIT 1
    ) t
    WHERE s.area < $1`,
    [SLIVER_M2],
  );
  await client.query(`
    UPDATE seed_cells c SET geom = ST_Multi(ST_CollectionExtract(ST_UnaryUnion(ST_Collect(c.geom, m.g)), 3))
    FROM (SELECT target_id, ST_Collect(s.geom) AS g FROM seed_merge JOIN seed_cells s ON s.id = small_id GROUP BY target_id) m
    WHERE c.id = m.target_id`);
  await client.query(`DELETE FROM seed_cells WHERE id IN (SELECT small_id FROM seed_merge)`);

  const inserted = await client.query(
    `
    INSERT INTO grid_cells (code, community_code, district_adcode, geom, area_m2, valid_from)
    SELECT code || lpad(seq::text, 3, '0'), code, left(code, 6), geom, ST_Area(geom::geography), $1::date
    FROM (SELECT code, geom, row_number() OVER (PARTITION BY code ORDER BY j DESC, i) AS seq FROM seed_cells) n`,
    [validFrom],
  );
  return inserted.rowCount ?? 0;
}

import pg from 'pg';
import { encodeTile, type TileFeatureRow } from './encode.ts';
import { BUFFER, EXTENT, TILE_LAYERS, type TileLayerName } from './layers.ts';

/**
 * Who writes the tile: PostGIS itself (ST_AsMVT), or Node from tile-space geometry that PostGIS
 * prepared (the embedded PostGIS is built without protobuf-c, so it has neither ST_AsMVT nor
 * ST_AsMVTGeom).
 */
export type TileEncoder = 'postgis' | 'node';

/**
 * The tile envelope in Web Mercator, and the same envelope plus the buffer in WGS84 for the `&&`
 * prefilter: transforming one rectangle keeps the GiST index on the stored 4326 geometries usable,
 * where transforming every geometry to 3857 would not. Tiles are square, so one scale.
 */
const TILE_CTE = `tile AS MATERIALIZED (
  SELECT env, ST_Transform(ST_TileEnvelope($1::int, $2::int, $3::int, margin => ${BUFFER / EXTENT}), 4326) AS filter,
         ST_XMin(env) AS x0, ST_YMax(env) AS y0, ${EXTENT} / (ST_XMax(env) - ST_XMin(env)) AS scale
  FROM (SELECT ST_TileEnvelope($1::int, $2::int, $3::int) AS env) e)`;

/**
 * Each layer's features meeting the tile: id, WGS84 geometry and the properties of the GeoJSON
 * endpoints (server/geo/repository.ts) under the same names, as jsonb (ST_AsMVT expands a jsonb
 * column into properties and skips nulls, as the Node encoder does).
 */
const FEATURES: Record<TileLayerName, string> = {
  'grid-cells': `
    SELECT h.id, h.geom, jsonb_build_object('code', h.code, 'districtAdcode', h.district_adcode,
             'districtName', d.name, 'streetName', s.name, 'communityName', c.name,
             'areaM2', round(h.area_m2::numeric, 1), 'squadName', sq.name) AS props
    FROM (
      -- OFFSET 0 leaves the choice of rows to the GiST index alone: without statistics (PGlite has no
      -- autovacuum) the planner also reads the partial index of every current cell and ANDs the two.
      SELECT g.* FROM tile, grid_cells g WHERE g.geom && tile.filter OFFSET 0
    ) h
    JOIN districts d ON d.adcode = h.district_adcode
    JOIN communities c ON c.code = h.community_code
    JOIN streets s ON s.code = c.street_code
    LEFT JOIN squads sq ON sq.id = h.squad_id
    WHERE h.valid_to IS NULL`,
  'illegal-buildings': `
    SELECT h.id, h.geom, jsonb_build_object('code', h.code, 'areaM2', round(h.area_m2::numeric, 1),
             'floors', h.floors, 'kind', h.kind, 'stage', h.stage, 'party', h.party,
             'demolishedAreaM2', round(h.demolished_area_m2::numeric, 1), 'discoveredOn', h.discovered_on,
             'districtName', d.name) AS props
    FROM tile, illegal_buildings h
    JOIN districts d ON d.adcode = h.district_adcode
    WHERE h.geom && tile.filter`,
};

function postgisSql(layer: TileLayerName): string {
  return `WITH ${TILE_CTE}
    SELECT ST_AsMVT(m, '${TILE_LAYERS[layer].sourceLayer}', ${EXTENT}, 'geom', 'id') AS mvt
    FROM (
      SELECT f.id, ST_AsMVTGeom(ST_Transform(f.geom, 3857), tile.env, ${EXTENT}, ${BUFFER}, true) AS geom, f.props
      FROM tile, (${FEATURES[layer]}) f
    ) m`;
}

/**
 * What ST_AsMVTGeom does, in plain PostGIS: to tile units (y down), clipped to the tile plus its
 * buffer while coordinates are still exact (clipping a polygon that snapping made invalid can
 * answer the rest of the box), snapped to the integer grid, made valid again, snapped once more for
 * the nodes MakeValid adds, stripped of collinear points. Exterior rings get positive area in tile
 * coordinates (MVT 2.1 §4.3.4.4), which is counter-clockwise for PostGIS since y is flipped.
 * Features left under one square unit (rounding slivers along the clip box) are dropped, as
 * ST_AsMVTGeom drops most of them.
 */
function nodeSql(layer: TileLayerName): string {
  const lo = -BUFFER;
  const hi = EXTENT + BUFFER;
  return `WITH ${TILE_CTE}
    SELECT f.id, ST_AsGeoJSON(t.geom, 0) AS geom, f.props
    FROM tile, (${FEATURES[layer]}) f
    CROSS JOIN LATERAL (
      SELECT ST_ForcePolygonCCW(ST_Simplify(ST_SnapToGrid(ST_CollectionExtract(ST_MakeValid(ST_SnapToGrid(ST_ClipByBox2D(
               ST_Affine(ST_Transform(f.geom, 3857), tile.scale, 0, 0, -tile.scale, -tile.x0 * tile.scale, tile.y0 * tile.scale),
               ST_MakeEnvelope(${lo}, ${lo}, ${hi}, ${hi})), 1)), 3), 1), 0)) AS geom
      OFFSET 0 -- computed once per feature, not once per use below
    ) t
    WHERE ST_Area(t.geom) >= 1
    ORDER BY f.id`;
}

/** The statement behind a tile, prepared by name (planning these costs more than running them). Parameters: z, x, y. */
export function tileQuery(layer: TileLayerName, encoder: TileEncoder): { name: string; text: string } {
  return { name: `tiles-${layer}-${encoder}`, text: encoder === 'postgis' ? postgisSql(layer) : nodeSql(layer) };
}

const PROBE_SQL = `SELECT ST_AsMVT(m, 'probe', ${EXTENT}, 'geom') AS mvt
  FROM (SELECT ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(1, 1), 3857), ST_TileEnvelope(0, 0, 0)) AS geom) m`;

export class TileRepository {
  private constructor(
    private readonly pool: pg.Pool,
    /** The encoder this database supports, found once when the repository is opened. */
    readonly encoder: TileEncoder,
  ) {}

  static async open(pool: pg.Pool): Promise<TileRepository> {
    return new TileRepository(pool, (await postgisWritesTiles(pool)) ? 'postgis' : 'node');
  }

  /** The tile as MVT bytes; empty when no feature meets it. `encoder` overrides the detected one. */
  async tile(layer: TileLayerName, z: number, x: number, y: number, encoder: TileEncoder = this.encoder): Promise<Buffer> {
    if (encoder === 'postgis') {
      const res = await this.pool.query<{ mvt: Buffer | null }>({ ...tileQuery(layer, encoder), values: [z, x, y] });
      return res.rows[0]?.mvt ?? Buffer.alloc(0);
    }
    const res = await this.pool.query<TileFeatureRow>({ ...tileQuery(layer, encoder), values: [z, x, y] });
    return encodeTile(TILE_LAYERS[layer].sourceLayer, res.rows);
  }
}

/** Whether ST_AsMVT and ST_AsMVTGeom work here; an error from the server says they do not, anything else is thrown. */
async function postgisWritesTiles(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query(PROBE_SQL);
    return true;
  } catch (err) {
    if (err instanceof pg.DatabaseError) return false;
    throw err;
  }
}

import type pg from 'pg';
import type { Dialect, MvtEncoder } from '../db/dialect.ts';
import { encodeTile, type TileFeatureRow } from './encode.ts';
import { BUFFER, EXTENT, TILE_LAYERS, type TileLayerName } from './layers.ts';

/**
 * Who writes the tile: PostGIS itself (ST_AsMVT), or Node from tile-space geometry that PostGIS
 * prepared (dialect.ts: mvtEncoder).
 */
export type TileEncoder = MvtEncoder;

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
function features(layer: TileLayerName, dialect: Pick<Dialect, 'autovacuum'>): string {
  // Without current statistics (dialect.ts: autovacuum) the planner also reads the partial index of
  // every current cell and ANDs it with the GiST one; OFFSET 0 leaves the choice of rows to the GiST
  // index alone.
  const fence = dialect.autovacuum ? '' : ' OFFSET 0';
  return {
    'grid-cells': `
      SELECT h.id, h.geom, jsonb_build_object('code', h.code, 'districtAdcode', h.district_adcode,
               'districtName', d.name, 'streetName', s.name, 'communityName', c.name,
               'areaM2', round(h.area_m2::numeric, 1), 'squadName', sq.name) AS props
      FROM (
        SELECT g.* FROM tile, grid_cells g WHERE g.geom && tile.filter${fence}
      ) h
      JOIN districts d ON d.adcode = h.district_adcode
      JOIN communities c ON c.code = h.community_code
      JOIN streets s ON s.code = c.street_code
      LEFT JOIN squads sq ON sq.id = h.squad_id
      WHERE h.valid_to IS NULL`,
    'illegal-buildings': `
      SELECT h.id, h.geom, jsonb_build_object('id', h.id, 'code', h.code, 'areaM2', round(h.area_m2::numeric, 1),
               'floors', h.floors, 'kind', h.kind, 'stage', h.stage, 'party', h.party,
               'demolishedAreaM2', round(h.demolished_area_m2::numeric, 1), 'discoveredOn', h.discovered_on,
               'districtName', d.name, 'overdue', coalesce(h.stage_due < app_now(), false),
               'escalated', h.escalated_at IS NOT NULL) AS props
      FROM tile, illegal_buildings h
      JOIN districts d ON d.adcode = h.district_adcode
      WHERE h.geom && tile.filter`,
  }[layer];
}

function postgisSql(layer: TileLayerName, dialect: Dialect): string {
  return `WITH ${TILE_CTE}
    SELECT ST_AsMVT(m, '${TILE_LAYERS[layer].sourceLayer}', ${EXTENT}, 'geom', 'id') AS mvt
    FROM (
      SELECT f.id, ST_AsMVTGeom(ST_Transform(f.geom, 3857), tile.env, ${EXTENT}, ${BUFFER}, true) AS geom, f.props
      FROM tile, (${features(layer, dialect)}) f
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
function nodeSql(layer: TileLayerName, dialect: Dialect): string {
  const lo = -BUFFER;
  const hi = EXTENT + BUFFER;
  return `WITH ${TILE_CTE}
    SELECT f.id, ST_AsGeoJSON(t.geom, 0) AS geom, f.props
    FROM tile, (${features(layer, dialect)}) f
    CROSS JOIN LATERAL (
      SELECT ST_ForcePolygonCCW(ST_Simplify(ST_SnapToGrid(ST_CollectionExtract(ST_MakeValid(ST_SnapToGrid(ST_ClipByBox2D(
               ST_Affine(ST_Transform(f.geom, 3857), tile.scale, 0, 0, -tile.scale, -tile.x0 * tile.scale, tile.y0 * tile.scale),
               ST_MakeEnvelope(${lo}, ${lo}, ${hi}, ${hi})), 1)), 3), 1), 0)) AS geom
      OFFSET 0 -- computed once per feature, not once per use below
    ) t
    WHERE ST_Area(t.geom) >= 1
    ORDER BY f.id`;
}

/**
 * The statement behind a tile, prepared by name (planning these costs more than running them).
 * Parameters: z, x, y. `encoder` defaults to the dialect's.
 */
export function tileQuery(layer: TileLayerName, dialect: Dialect, encoder: TileEncoder = dialect.mvtEncoder): { name: string; text: string } {
  return { name: `tiles-${layer}-${encoder}`, text: encoder === 'postgis' ? postgisSql(layer, dialect) : nodeSql(layer, dialect) };
}

export class TileRepository {
  /** The encoder this database supports (dialect.ts: mvtEncoder). */
  readonly encoder: TileEncoder;

  constructor(
    private readonly pool: pg.Pool,
    private readonly dialect: Dialect,
  ) {
    this.encoder = dialect.mvtEncoder;
  }

  /** The tile as MVT bytes; empty when no feature meets it. `encoder` overrides the detected one. */
  async tile(layer: TileLayerName, z: number, x: number, y: number, encoder: TileEncoder = this.encoder): Promise<Buffer> {
    if (encoder === 'postgis') {
      const res = await this.pool.query<{ mvt: Buffer | null }>({ ...tileQuery(layer, this.dialect, encoder), values: [z, x, y] });
      return res.rows[0]?.mvt ?? Buffer.alloc(0);
    }
    const res = await this.pool.query<TileFeatureRow>({ ...tileQuery(layer, this.dialect, encoder), values: [z, x, y] });
    return encodeTile(TILE_LAYERS[layer].sourceLayer, res.rows);
  }
}

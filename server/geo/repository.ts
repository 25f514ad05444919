import type pg from 'pg';
import type { Bbox } from '../../shared/bbox.ts';

/**
 * Map layers. PostGIS assembles each FeatureCollection itself (json_agg), so large layers reach the
 * client without a JSON round trip through Node. Coordinates are cut to 6 decimals (≈0.1 m).
 */
export class GeoRepository {
  constructor(private readonly pool: pg.Pool) {}

  private async collection(sql: string, params: unknown[]): Promise<string> {
    const res = await this.pool.query<{ fc: string }>(sql, params);
    return res.rows[0]!.fc;
  }

  districts(): Promise<string> {
    return this.collection(`
      SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
        'type', 'Feature', 'id', d.adcode::int, 'geometry', ST_AsGeoJSON(d.boundary, 6)::json,
        'properties', json_build_object('adcode', d.adcode, 'name', d.name, 'nameEn', d.name_en,
          'areaKm2', round((ST_Area(d.boundary::geography) / 1e6)::numeric, 2),
          'gridCellCount', (SELECT count(*) FROM grid_cells g WHERE g.district_adcode = d.adcode AND g.valid_to IS NULL))
      ) ORDER BY d.adcode), '[]'))::text AS fc
      FROM districts d`, []);
  }

  /** Current grid cells whose bounding box meets `bbox`, at most `limit`, in a stable order. */
  gridCells(bbox: Bbox, limit: number): Promise<string> {
    return this.collection(`
      WITH hits AS (
        SELECT g.id, g.code, g.geom, g.area_m2, g.district_adcode, g.community_code, g.squad_id
        FROM grid_cells g
        WHERE g.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326) AND g.valid_to IS NULL
        ORDER BY g.id LIMIT $5 + 1
      ),
      numbered AS (SELECT h.*, row_number() OVER (ORDER BY h.id) AS rn FROM hits h)
      SELECT json_build_object('type', 'FeatureCollection', 'truncated', count(*) > $5,
        'features', coalesce(json_agg(json_build_object(
          'type', 'Feature', 'id', n.id, 'geometry', ST_AsGeoJSON(n.geom, 6)::json,
          'properties', json_build_object('code', n.code, 'districtAdcode', n.district_adcode, 'districtName', d.name,
            'streetName', s.name, 'communityName', c.name, 'areaM2', round(n.area_m2::numeric, 1), 'squadName', sq.name)
        ) ORDER BY n.id) FILTER (WHERE n.rn <= $5), '[]'))::text AS fc
      FROM numbered n
      JOIN districts d ON d.adcode = n.district_adcode
      JOIN communities c ON c.code = n.community_code
      JOIN streets s ON s.code = c.street_code
      LEFT JOIN squads sq ON sq.id = n.squad_id`, [...bbox, limit]);
  }

  illegalBuildings(bbox: Bbox, limit: number): Promise<string> {
    return this.collection(`
      WITH hits AS (
        SELECT b.*, row_number() OVER (ORDER BY b.id) AS rn
        FROM (SELECT * FROM illegal_buildings WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4326) ORDER BY id LIMIT $5 + 1) b
      )
      SELECT json_build_object('type', 'FeatureCollection', 'truncated', count(*) > $5,
        'features', coalesce(json_agg(json_build_object(
          'type', 'Feature', 'id', h.id, 'geometry', ST_AsGeoJSON(h.geom, 6)::json,
          'properties', json_build_object('code', h.code, 'areaM2', round(h.area_m2::numeric, 1), 'floors', h.floors,
            'kind', h.kind, 'stage', h.stage, 'party', h.party, 'demolishedAreaM2', round(h.demolished_area_m2::numeric, 1),
            'discoveredOn', h.discovered_on, 'districtName', d.name)
        ) ORDER BY h.id) FILTER (WHERE h.rn <= $5), '[]'))::text AS fc
      FROM hits h JOIN districts d ON d.adcode = h.district_adcode`, [...bbox, limit]);
  }

  /** Key areas listed on `day` (Asia/Shanghai calendar day), or all of them. */
  keyAreas(opts: { includeInactive: boolean }): Promise<string> {
    return this.collection(`
      WITH k AS (
        SELECT *, listed_on <= (now() AT TIME ZONE 'Asia/Shanghai')::date
                  AND (delisted_on IS NULL OR delisted_on > (now() AT TIME ZONE 'Asia/Shanghai')::date) AS active
        FROM key_areas
      )
      SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
        'type', 'Feature', 'id', k.id, 'geometry', ST_AsGeoJSON(k.geom, 6)::json,
        'properties', json_build_object('id', k.id, 'name', k.name, 'nameEn', k.name_en, 'level', k.level, 'kind', k.kind,
          'priorityBoost', k.priority_boost, 'complaintBaseline', k.complaint_baseline, 'listedOn', k.listed_on,
          'delistedOn', k.delisted_on, 'active', k.active)
      ) ORDER BY k.level, k.id), '[]'))::text AS fc
      FROM k WHERE $1 OR k.active`, [opts.includeInactive]);
  }
}

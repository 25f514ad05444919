import type pg from 'pg';
import { DEMO_SEED_NAME } from '../seed/demo-city.ts';
import type { Bbox } from '#shared/bbox.ts';

/**
 * Map layers. PostGIS writes each FeatureCollection as text (geojson_feature + string_agg), so
 * large layers reach the client without being parsed and re-serialised anywhere on the way.
 * Coordinates are cut to 6 decimals (≈0.1 m).
 */
export function featureCollectionSql(featureRows: string, opts: { truncatedAt?: string } = {}): string {
  const truncated = opts.truncatedAt ? `'"truncated":' || (count(*) > ${opts.truncatedAt})::text || ','` : `''`;
  const filter = opts.truncatedAt ? `FILTER (WHERE rn <= ${opts.truncatedAt})` : '';
  return `SELECT '{"type":"FeatureCollection",' || ${truncated} || '"features":[' ||
            coalesce(string_agg(feature, ',' ORDER BY sort_key) ${filter}, '') || ']}' AS fc
          FROM (${featureRows}) features`;
}

export async function queryCollection(pool: pg.Pool, sql: string, params: unknown[]): Promise<string> {
  const res = await pool.query<{ fc: string }>(sql, params);
  return res.rows[0]!.fc;
}

export class GeoRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** Whether the demo city was seeded, and the extent of the districts the database holds (null: none yet). */
  async cityExtent(): Promise<{ demo: boolean; extent: [number, number, number, number] | null }> {
    const res = await this.pool.query<{ demo: boolean; x1: number | null; y1: number | null; x2: number | null; y2: number | null }>(
      `SELECT EXISTS (SELECT 1 FROM seed_runs WHERE name = $1) AS demo,
              ST_XMin(e) AS x1, ST_YMin(e) AS y1, ST_XMax(e) AS x2, ST_YMax(e) AS y2
       FROM (SELECT ST_Extent(boundary)::geometry AS e FROM districts) d`,
      [DEMO_SEED_NAME],
    );
    const r = res.rows[0]!;
    return { demo: r.demo, extent: r.x1 === null ? null : [r.x1, r.y1!, r.x2!, r.y2!] };
  }

  districts(): Promise<string> {
    return queryCollection(
      this.pool,
      featureCollectionSql(`
      SELECT d.adcode AS sort_key, geojson_feature(d.adcode::int, d.boundary, json_build_object(
        'adcode', d.adcode, 'name', d.name, 'nameEn', d.name_en,
        'areaKm2', round((ST_Area(d.boundary::geography) / 1e6)::numeric, 2),
        'gridCellCount', (SELECT count(*) FROM grid_cells g WHERE g.district_adcode = d.adcode AND g.valid_to IS NULL))) AS feature
      FROM districts d`),
      [],
    );
  }

  /** Current grid cells whose bounding box meets `bbox`: at most `limit`, those nearest its centre. */
  gridCells(bbox: Bbox, limit: number): Promise<string> {
    return queryCollection(
      this.pool,
      featureCollectionSql(
        `
      SELECT h.rn AS sort_key, h.rn,
             geojson_feature(h.id, h.geom, json_build_object('code', h.code, 'districtAdcode', h.district_adcode,
               'districtName', d.name, 'streetName', s.name, 'communityName', c.name,
               'areaM2', round(h.area_m2::numeric, 1), 'squadName', sq.name)) AS feature
      FROM (
        -- Nearest the middle of the view first: a truncated answer fills the centre, not a corner.
        SELECT id, code, geom, area_m2, district_adcode, community_code, squad_id,
               row_number() OVER (ORDER BY geom <-> ST_SetSRID(ST_MakePoint(($1 + $3) / 2, ($2 + $4) / 2), 4326), id) AS rn
        FROM grid_cells
        WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4326) AND valid_to IS NULL
        ORDER BY geom <-> ST_SetSRID(ST_MakePoint(($1 + $3) / 2, ($2 + $4) / 2), 4326), id LIMIT $5 + 1
      ) h
      JOIN districts d ON d.adcode = h.district_adcode
      JOIN communities c ON c.code = h.community_code
      JOIN streets s ON s.code = c.street_code
      LEFT JOIN squads sq ON sq.id = h.squad_id`,
        { truncatedAt: '$5' },
      ),
      [...bbox, limit],
    );
  }

  illegalBuildings(bbox: Bbox, limit: number): Promise<string> {
    return queryCollection(
      this.pool,
      featureCollectionSql(
        `
      SELECT h.id AS sort_key, row_number() OVER (ORDER BY h.id) AS rn,
             geojson_feature(h.id, h.geom, json_build_object('id', h.id, 'code', h.code, 'areaM2', round(h.area_m2::numeric, 1),
               'floors', h.floors, 'kind', h.kind, 'stage', h.stage, 'party', h.party,
               'demolishedAreaM2', round(h.demolished_area_m2::numeric, 1), 'discoveredOn', h.discovered_on, 'districtName', d.name,
               'overdue', coalesce(h.stage_due < app_now(), false), 'escalated', h.escalated_at IS NOT NULL)) AS feature
      FROM (SELECT * FROM illegal_buildings WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4326) ORDER BY id LIMIT $5 + 1) h
      JOIN districts d ON d.adcode = h.district_adcode`,
        { truncatedAt: '$5' },
      ),
      [...bbox, limit],
    );
  }

  /** Key areas listed today (Asia/Shanghai calendar day), or all of them. */
  keyAreas(opts: { includeInactive: boolean }): Promise<string> {
    return queryCollection(
      this.pool,
      featureCollectionSql(`
      SELECT k.level || lpad(k.id::text, 10, '0') AS sort_key, geojson_feature(k.id, k.geom, json_build_object(
        'id', k.id, 'name', k.name, 'nameEn', k.name_en, 'level', k.level, 'kind', k.kind,
        'priorityBoost', k.priority_boost, 'complaintBaseline', k.complaint_baseline, 'listedOn', k.listed_on,
        'delistedOn', k.delisted_on, 'active', k.active)) AS feature
      FROM (
        SELECT *, listed_on <= (now() AT TIME ZONE 'Asia/Shanghai')::date
                  AND (delisted_on IS NULL OR delisted_on > (now() AT TIME ZONE 'Asia/Shanghai')::date) AS active
        FROM key_areas
      ) k
      WHERE $1 OR k.active`),
      [opts.includeInactive],
    );
  }
}

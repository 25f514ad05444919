import type pg from 'pg';

export type DutyStatus = 'off_duty' | 'available' | 'busy';

/** Squads (中队) and their officers and auxiliaries, as map layers. */
export class WorkforceRepository {
  constructor(private readonly pool: pg.Pool) {}

  async squads(district: string | null): Promise<string> {
    const res = await this.pool.query<{ fc: string }>(`
      SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
        'type', 'Feature', 'id', s.id, 'geometry', ST_AsGeoJSON(s.base, 6)::json,
        'properties', json_build_object('id', s.id, 'name', s.name, 'districtAdcode', s.district_adcode, 'districtName', d.name,
          'officerCount', (SELECT count(*) FROM officers o WHERE o.squad_id = s.id))
      ) ORDER BY s.id), '[]'))::text AS fc
      FROM squads s JOIN districts d ON d.adcode = s.district_adcode
      WHERE $1::text IS NULL OR s.district_adcode = $1`, [district]);
    return res.rows[0]!.fc;
  }

  /** Officers with a known position; the map cannot place the others. */
  async officers(filter: { district: string | null; status: DutyStatus | null }): Promise<string> {
    const res = await this.pool.query<{ fc: string }>(`
      SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
        'type', 'Feature', 'id', o.id, 'geometry', ST_AsGeoJSON(o.position, 6)::json,
        'properties', json_build_object('id', o.id, 'name', o.name, 'squadId', o.squad_id, 'squadName', s.name,
          'kind', o.kind, 'dutyStatus', o.duty_status,
          'positionAt', to_char(o.position_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'equipment', o.equipment)
      ) ORDER BY o.id), '[]'))::text AS fc
      FROM officers o JOIN squads s ON s.id = o.squad_id
      WHERE o.position IS NOT NULL
        AND ($1::text IS NULL OR s.district_adcode = $1)
        AND ($2::text IS NULL OR o.duty_status = $2)`, [filter.district, filter.status]);
    return res.rows[0]!.fc;
  }
}

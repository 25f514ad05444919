import type pg from 'pg';
import { featureCollectionSql, queryCollection } from '../geo/repository.ts';

export type DutyStatus = 'off_duty' | 'available' | 'busy';

/** Squads (中队) and their officers and auxiliaries, as map layers. */
export class WorkforceRepository {
  constructor(private readonly pool: pg.Pool) {}

  squads(district: string | null): Promise<string> {
    return queryCollection(this.pool, featureCollectionSql(`
      SELECT s.id AS sort_key, geojson_feature(s.id, s.base, json_build_object('id', s.id, 'name', s.name,
        'districtAdcode', s.district_adcode, 'districtName', d.name,
        'officerCount', (SELECT count(*) FROM officers o WHERE o.squad_id = s.id))) AS feature
      FROM squads s JOIN districts d ON d.adcode = s.district_adcode
      WHERE $1::text IS NULL OR s.district_adcode = $1`), [district]);
  }

  /** Officers with a known position; the map cannot place the others. */
  officers(filter: { district: string | null; status: DutyStatus | null }): Promise<string> {
    return queryCollection(this.pool, featureCollectionSql(`
      SELECT o.id AS sort_key, geojson_feature(o.id, o.position, json_build_object('id', o.id, 'name', o.name,
        'squadId', o.squad_id, 'squadName', s.name, 'kind', o.kind, 'dutyStatus', o.duty_status,
        'positionAt', to_char(o.position_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'equipment', o.equipment)) AS feature
      FROM officers o JOIN squads s ON s.id = o.squad_id
      WHERE o.position IS NOT NULL
        AND ($1::text IS NULL OR s.district_adcode = $1)
        AND ($2::text IS NULL OR o.duty_status = $2)`), [filter.district, filter.status]);
  }
}

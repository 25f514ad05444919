import type pg from 'pg';
import type { BoardDistrict, BoardMember, PositionUpdate, SquadBoard } from '#shared/cases/contract.ts';
import { isCertified } from '#shared/workforce.ts';
import type { Queryable } from '../db/transaction.ts';
import { featureCollectionSql, queryCollection } from '../geo/repository.ts';

export type DutyStatus = 'off_duty' | 'available' | 'busy';

/** A fix to store (WGS84); recordedAt is the phone's time, when it sent one. */
export interface PositionFix {
  officerId: number;
  lon: number;
  lat: number;
  accuracy?: number;
  recordedAt?: Date;
}

/** A WGS84 box: [west, south, east, north]. */
export type Extent = [number, number, number, number];

/** Squads (中队) and their officers and auxiliaries, as map layers. */
export class WorkforceRepository {
  constructor(private readonly pool: pg.Pool) {}

  squads(district: string | null): Promise<string> {
    return queryCollection(
      this.pool,
      featureCollectionSql(`
      SELECT s.id AS sort_key, geojson_feature(s.id, s.base, json_build_object('id', s.id, 'name', s.name,
        'districtAdcode', s.district_adcode, 'districtName', d.name,
        'officerCount', (SELECT count(*) FROM officers o WHERE o.squad_id = s.id))) AS feature
      FROM squads s JOIN districts d ON d.adcode = s.district_adcode
      WHERE $1::text IS NULL OR s.district_adcode = $1`),
      [district],
    );
  }

  /**
   * The squad board: per district (all, or the one `district` of a scoped user) the officers and
   * auxiliaries by duty status, and per squad its people with their live case. One statement.
   */
  async board(district: string | null): Promise<SquadBoard> {
    type Row = Omit<BoardDistrict, 'squads'> & { generatedAt: string; squads: (Omit<BoardDistrict['squads'][number], 'members'> & { members: RawMember[] })[] };
    type RawMember = Omit<BoardMember, 'certified'> & { certificateExpires: string | null };
    const counts = (kind: string) => `json_build_object(
      'available', count(*) FILTER (WHERE m.kind = '${kind}' AND m.duty_status = 'available'),
      'busy', count(*) FILTER (WHERE m.kind = '${kind}' AND m.duty_status = 'busy'),
      'offDuty', count(*) FILTER (WHERE m.kind = '${kind}' AND m.duty_status = 'off_duty'))`;
    const res = await this.pool.query<Row>(
      `
      WITH m AS MATERIALIZED (
        SELECT o.id, o.name, o.kind, o.squad_id, s.district_adcode, o.duty_status, o.certificate_expires,
               floor(extract(epoch FROM now() - o.position_at))::int AS age, cur.current_case
        FROM officers o JOIN squads s ON s.id = o.squad_id
        LEFT JOIN LATERAL (
          SELECT json_build_object('id', i.id, 'code', i.code, 'state', i.state, 'dispatchState', x.state,
                   'category', json_build_object('code', c.minor_code, 'nameZh', c.name_zh, 'nameEn', c.name_en)) AS current_case
          FROM dispatches x JOIN incidents i ON i.id = x.incident_id JOIN categories c ON c.id = i.category_id
          WHERE x.officer_id = o.id AND x.state IN ('pending', 'accepted')
          ORDER BY x.id DESC LIMIT 1
        ) cur ON true
        WHERE $1::text IS NULL OR s.district_adcode = $1
      )
      SELECT d.adcode, d.name, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "generatedAt",
        ${counts('officer')} AS officers, ${counts('auxiliary')} AS auxiliaries,
        coalesce((
          SELECT json_agg(json_build_object('id', s.id, 'name', s.name, 'districtAdcode', s.district_adcode, 'members', coalesce((
                   SELECT json_agg(json_build_object('id', p.id, 'name', p.name, 'kind', p.kind, 'certificateExpires', p.certificate_expires,
                            'dutyStatus', p.duty_status, 'positionAgeSeconds', p.age, 'currentCase', p.current_case) ORDER BY p.kind DESC, p.id)
                   FROM m p WHERE p.squad_id = s.id), '[]')) ORDER BY s.id)
          FROM squads s WHERE s.district_adcode = d.adcode), '[]') AS squads
      FROM districts d LEFT JOIN m ON m.district_adcode = d.adcode
      WHERE $1::text IS NULL OR d.adcode = $1
      GROUP BY d.adcode, d.name
      ORDER BY d.adcode`,
      [district],
    );
    return {
      generatedAt: res.rows[0]?.generatedAt ?? new Date().toISOString(),
      districts: res.rows.map(({ generatedAt: _at, ...d }) => ({
        ...d,
        squads: d.squads.map((s) => ({
          ...s,
          members: s.members.map(({ certificateExpires, ...p }) => ({ ...p, certified: isCertified({ kind: p.kind, certificateExpires }) })),
        })),
      })),
    };
  }

  async self(officerId: number) {
    const res = await this.pool.query<{
      id: number;
      name: string;
      kind: 'officer' | 'auxiliary';
      squadId: number;
      squadName: string;
      districtAdcode: string;
      dutyStatus: DutyStatus;
      positionAt: string | null;
      certificateExpires: string | null;
    }>(
      `
      SELECT o.id, o.name, o.kind, o.squad_id AS "squadId", s.name AS "squadName", s.district_adcode AS "districtAdcode", o.duty_status AS "dutyStatus",
             to_char(o.position_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "positionAt", o.certificate_expires AS "certificateExpires"
      FROM officers o JOIN squads s ON s.id = o.squad_id WHERE o.id = $1`,
      [officerId],
    );
    const row = res.rows[0];
    if (!row) return null;
    const { certificateExpires, ...rest } = row;
    return { ...rest, certified: isCertified({ kind: row.kind, certificateExpires }) };
  }

  /** Officers with a known position; the map cannot place the others. */
  officers(filter: { district: string | null; status: DutyStatus | null }): Promise<string> {
    return queryCollection(
      this.pool,
      featureCollectionSql(`
      SELECT o.id AS sort_key, geojson_feature(o.id, o.position, json_build_object('id', o.id, 'name', o.name,
        'squadId', o.squad_id, 'squadName', s.name, 'kind', o.kind, 'dutyStatus', o.duty_status,
        'positionAt', to_char(o.position_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'equipment', o.equipment)) AS feature
      FROM officers o JOIN squads s ON s.id = o.squad_id
      WHERE o.position IS NOT NULL
        AND ($1::text IS NULL OR s.district_adcode = $1)
        AND ($2::text IS NULL OR o.duty_status = $2)`),
      [filter.district, filter.status],
    );
  }

  /** The extent of every district served, WGS84; null when no district is loaded yet. */
  async districtsExtent(): Promise<Extent | null> {
    const res = await this.pool.query<{ w: number | null; s: number | null; e: number | null; n: number | null }>(`
      SELECT ST_XMin(x) AS w, ST_YMin(x) AS s, ST_XMax(x) AS e, ST_YMax(x) AS n FROM (SELECT ST_Extent(boundary)::box2d AS x FROM districts) d`);
    const r = res.rows[0];
    return r && r.w !== null && r.s !== null && r.e !== null && r.n !== null ? [r.w, r.s, r.e, r.n] : null;
  }

  /**
   * Stores fixes (WGS84, one per officer) as the officers' last positions and in their history, in one
   * statement: one UPDATE and one multi-row INSERT for the whole batch. A fix whose officer's previous
   * one is less than a second old is not kept (not in the answer); the check and both writes cannot be
   * torn apart.
   */
  async storePositions(fixes: readonly PositionFix[]): Promise<PositionUpdate[]> {
    if (fixes.length === 0) return [];
    // in id order, so two batches touching the same officers lock them in the same order
    const sorted = [...fixes].sort((a, b) => a.officerId - b.officerId);
    const res = await this.pool.query<PositionUpdate>({
      name: 'positions-store',
      text: `
      WITH f AS (
        SELECT * FROM unnest($1::int[], $2::float8[], $3::float8[], $4::real[], $5::timestamptz[]) AS f(id, lon, lat, accuracy, recorded)
      ),
      moved AS (
        UPDATE officers o SET position = ST_SetSRID(ST_MakePoint(f.lon, f.lat), 4326), position_at = now()
        FROM f
        WHERE o.id = f.id AND (o.position_at IS NULL OR o.position_at <= now() - interval '1 second')
        RETURNING o.id, o.position, o.position_at, o.duty_status, o.squad_id, f.accuracy, f.recorded
      ),
      kept AS (
        INSERT INTO officer_positions (officer_id, position, accuracy_m, recorded_at)
        SELECT id, position, accuracy, coalesce(recorded, position_at) FROM moved
      )
      SELECT m.id AS "officerId", ST_X(m.position) AS lon, ST_Y(m.position) AS lat,
             to_char(m.position_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
             m.duty_status AS "dutyStatus", s.district_adcode AS "districtAdcode"
      FROM moved m JOIN squads s ON s.id = m.squad_id`,
      values: [
        sorted.map((f) => f.officerId),
        sorted.map((f) => f.lon),
        sorted.map((f) => f.lat),
        sorted.map((f) => f.accuracy ?? null),
        sorted.map((f) => f.recordedAt?.toISOString() ?? null),
      ],
    });
    return res.rows;
  }

  /**
   * Position history by policy (migration 025): the day tables from today to `aheadDays` on exist,
   * those wholly before the last `keepDays` days are dropped. Safe to run again (nothing to do).
   */
  async retainPositions(keepDays: number, aheadDays: number): Promise<{ created: number; dropped: number }> {
    const res = await this.pool.query<{ created: number; dropped: number }>(
      `
      WITH today AS (SELECT (now() AT TIME ZONE 'UTC')::date AS d),
      made AS (
        SELECT count(*) FILTER (WHERE officer_positions_ensure_day(today.d + k))::int AS n
        FROM today, generate_series(0, $2::int) k
      )
      SELECT made.n AS created, officer_positions_drop_before(today.d - $1::int) AS dropped FROM made, today`,
      [keepDays, aheadDays],
    );
    return res.rows[0]!;
  }

  /** An officer's duty status. */
  async dutyStatus(officerId: number): Promise<DutyStatus | null> {
    const res = await this.pool.query<{ duty_status: DutyStatus }>(`SELECT duty_status FROM officers WHERE id = $1`, [officerId]);
    return res.rows[0]?.duty_status ?? null;
  }

  /** Row-locks an officer for a duty change: their status and their squad's district. */
  async lockDuty(db: Queryable, officerId: number): Promise<{ dutyStatus: DutyStatus; districtAdcode: string } | null> {
    const res = await db.query<{ dutyStatus: DutyStatus; districtAdcode: string }>(
      `
      SELECT o.duty_status AS "dutyStatus", s.district_adcode AS "districtAdcode"
      FROM officers o JOIN squads s ON s.id = o.squad_id WHERE o.id = $1 FOR UPDATE OF o`,
      [officerId],
    );
    return res.rows[0] ?? null;
  }

  async setDuty(db: Queryable, officerId: number, status: DutyStatus): Promise<void> {
    await db.query(`UPDATE officers SET duty_status = $2 WHERE id = $1`, [officerId, status]);
  }
}

import type pg from 'pg';
import type { InspectionTask } from '#shared/buildings/schemas.ts';
import type { InspectionResult } from '#shared/buildings/inspection-cycle.ts';
import type { Queryable } from '../../db/transaction.ts';

/** Today as the bureau counts days (Asia/Shanghai), on the app's clock. */
const TODAY = `(app_now() AT TIME ZONE 'Asia/Shanghai')::date`;

/**
 * The squad whose officers patrol a building: that of its grid cell, or (a building registered before
 * it was placed) that of the current cell under a point of its footprint.
 */
const SQUAD_OF = (b: string) => `coalesce(
  (SELECT g.squad_id FROM grid_cells g WHERE g.id = ${b}.grid_cell_id),
  (SELECT g.squad_id FROM grid_cells g WHERE g.valid_to IS NULL AND ST_Covers(g.geom, ST_PointOnSurface(${b}.geom)) ORDER BY g.id LIMIT 1))`;

/** A register row as BuildingSummary (shared/buildings/schemas.ts) has it, from illegal_buildings `b`. */
const SUMMARY = (b: string) => `json_build_object(
  'id', ${b}.id, 'code', ${b}.code, 'kind', ${b}.kind, 'stage', ${b}.stage, 'areaM2', ${b}.area_m2,
  'declaredAreaM2', ${b}.declared_area_m2, 'floors', ${b}.floors, 'use', ${b}.use, 'party', ${b}.party,
  'demolishedAreaM2', ${b}.demolished_area_m2, 'districtAdcode', ${b}.district_adcode,
  'districtName', (SELECT d.name FROM districts d WHERE d.adcode = ${b}.district_adcode),
  'streetCode', ${b}.street_code, 'streetName', (SELECT s.name FROM streets s WHERE s.code = ${b}.street_code),
  'gridCode', (SELECT g.code FROM grid_cells g WHERE g.id = ${b}.grid_cell_id),
  'keyAreas', coalesce((SELECT json_agg(json_build_object('id', k.id, 'name', k.name) ORDER BY k.id) FROM key_areas k WHERE k.id = ANY(${b}.key_area_ids)), '[]'),
  'discoveredOn', to_char(${b}.discovered_on, 'YYYY-MM-DD'),
  'stageAt', to_char(${b}.stage_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  'stageDue', to_char(${b}.stage_due AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  'overdue', coalesce(${b}.stage_due < app_now(), false),
  'escalatedAt', to_char(${b}.escalated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  'lon', ST_X(ST_PointOnSurface(${b}.geom)), 'lat', ST_Y(ST_PointOnSurface(${b}.geom)))`;

/** A stock building that may be due, with what its cycle depends on (the service applies the cycle). */
export interface SweepCandidate {
  id: number;
  code: string;
  kind: string;
  stage: string;
  inKeyArea: boolean;
  /** last inspected, or discovered when never inspected (YYYY-MM-DD) */
  since: string;
  districtAdcode: string;
  squadId: number | null;
  lon: number;
  lat: number;
}

/** A task as the service checks it before recording. */
export interface TaskRow {
  id: number;
  buildingId: number;
  code: string;
  state: string;
  squadId: number | null;
  districtAdcode: string;
  stage: string;
  lon: number;
  lat: number;
}

/** 存量违建巡查: the inspection tasks, their sweep and their record. */
export class InspectionRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** Today (Asia/Shanghai) on the app's clock, YYYY-MM-DD. */
  async today(db: Queryable): Promise<string> {
    const r = await db.query<{ today: string }>(`SELECT to_char(${TODAY}, 'YYYY-MM-DD') AS today`);
    return r.rows[0]!.today;
  }

  /**
   * Whether this transaction may sweep: false while another instance's sweep is running (it will have
   * made the tasks; the unique index would refuse doubles anyway, this saves the scan).
   */
  async trySweepLock(db: Queryable): Promise<boolean> {
    const r = await db.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext('zhihui-inspection-sweep')) AS ok`);
    return r.rows[0]!.ok;
  }

  /**
   * Stock buildings without a due inspection whose shortest possible cycle has run out: the service
   * applies the exact cycle of each. `minDays` keeps the scan to the few that can be due.
   */
  async sweepCandidates(db: Queryable, minDays: number, limit: number): Promise<SweepCandidate[]> {
    const r = await db.query<SweepCandidate>(
      `
      SELECT b.id, b.code, b.kind, b.stage, b.key_area_ids <> '{}' AS "inKeyArea",
             to_char(coalesce(b.last_inspected_on, b.discovered_on), 'YYYY-MM-DD') AS since,
             b.district_adcode AS "districtAdcode", ${SQUAD_OF('b')} AS "squadId",
             ST_X(ST_PointOnSurface(b.geom)) AS lon, ST_Y(ST_PointOnSurface(b.geom)) AS lat
      FROM illegal_buildings b
      WHERE b.kind = 'stock' AND b.stage <> 'closed'
        AND coalesce(b.last_inspected_on, b.discovered_on) + $1::int <= ${TODAY}
        AND NOT EXISTS (SELECT 1 FROM building_inspections i WHERE i.building_id = b.id AND i.state = 'due')
      ORDER BY coalesce(b.last_inspected_on, b.discovered_on), b.id
      LIMIT $2`,
      [minDays, limit],
    );
    return r.rows;
  }

  /**
   * Inserts due tasks; a building that got one meanwhile (another instance's sweep) is skipped by the
   * unique partial index, so only the tasks this call created come back.
   */
  async insertDue(db: Queryable, tasks: { buildingId: number; squadId: number | null; dueOn: string }[]): Promise<{ id: number; buildingId: number }[]> {
    if (tasks.length === 0) return [];
    const r = await db.query<{ id: number; buildingId: number }>(
      `
      INSERT INTO building_inspections (building_id, squad_id, due_on)
      SELECT t.building_id, t.squad_id, t.due_on FROM jsonb_to_recordset($1::jsonb) AS t(building_id int, squad_id int, due_on date)
      ON CONFLICT (building_id) WHERE state = 'due' DO NOTHING
      RETURNING id, building_id AS "buildingId"`,
      [JSON.stringify(tasks.map((t) => ({ building_id: t.buildingId, squad_id: t.squadId, due_on: t.dueOn })))],
    );
    return r.rows;
  }

  /** Due tasks with their building and footprint: of one squad, or of a district / all; overdue first. */
  async tasks(filter: { id?: number; squadId?: number; district?: string | null; state?: string | null; limit: number }): Promise<InspectionTask[]> {
    const r = await this.pool.query<InspectionTask>(
      `
      SELECT i.id, to_char(i.due_on, 'YYYY-MM-DD') AS "dueOn", greatest(${TODAY} - i.due_on, 0) AS "overdueDays",
             ${SUMMARY('b')} AS building, ST_AsGeoJSON(b.geom, 7)::json AS geometry
      FROM building_inspections i JOIN illegal_buildings b ON b.id = i.building_id
      WHERE ($1::text IS NULL OR i.state = $1)
        AND ($2::int IS NULL OR i.squad_id = $2)
        AND ($3::text IS NULL OR b.district_adcode = $3)
        AND ($5::bigint IS NULL OR i.id = $5)
      ORDER BY i.due_on, i.id
      LIMIT $4`,
      [filter.state === undefined ? 'due' : filter.state, filter.squadId ?? null, filter.district ?? null, filter.limit, filter.id ?? null],
    );
    return r.rows;
  }

  /** The officer's squad; `db` inside a transaction (the embedded database has one connection). */
  async squadOfOfficer(officerId: number, db: Queryable = this.pool): Promise<number | null> {
    const r = await db.query<{ squadId: number }>(`SELECT squad_id AS "squadId" FROM officers WHERE id = $1`, [officerId]);
    return r.rows[0]?.squadId ?? null;
  }

  /** The task and its building, row-locked for recording. */
  async lockTask(db: Queryable, id: number): Promise<TaskRow | null> {
    const r = await db.query<TaskRow>(
      `
      SELECT i.id, i.building_id AS "buildingId", b.code, i.state, i.squad_id AS "squadId", b.district_adcode AS "districtAdcode", b.stage,
             ST_X(ST_PointOnSurface(b.geom)) AS lon, ST_Y(ST_PointOnSurface(b.geom)) AS lat
      FROM building_inspections i JOIN illegal_buildings b ON b.id = i.building_id
      WHERE i.id = $1 FOR UPDATE OF i`,
      [id],
    );
    return r.rows[0] ?? null;
  }

  /** Of `ids`, those that are photos of building `buildingId`. */
  async photosOfBuilding(db: Queryable, buildingId: number, ids: number[]): Promise<number[]> {
    const r = await db.query<{ id: number }>(`SELECT id FROM evidence WHERE building_id = $1 AND id = ANY($2::bigint[]) AND mime LIKE 'image/%'`, [
      buildingId,
      ids,
    ]);
    return r.rows.map((x) => x.id);
  }

  async markDone(
    db: Queryable,
    t: {
      id: number;
      buildingId: number;
      result: InspectionResult;
      note: string | null;
      officerId: number | null;
      userId: number;
      lon?: number;
      lat?: number;
      evidenceIds: number[];
    },
  ): Promise<void> {
    await db.query(
      `
      UPDATE building_inspections SET state = 'done', result = $2, note = $3, officer_id = $4, inspected_by = $5, inspected_at = app_now(),
             position = CASE WHEN $6::float8 IS NULL OR $7::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($6, $7), 4326) END,
             evidence_ids = $8::bigint[]
      WHERE id = $1`,
      [t.id, t.result, t.note, t.officerId, t.userId, t.lon ?? null, t.lat ?? null, t.evidenceIds],
    );
    await db.query(`UPDATE illegal_buildings SET last_inspected_on = ${TODAY}, updated_at = now() WHERE id = $1`, [t.buildingId]);
  }

  /** The case an extension opened, joined to the building and its inspection. */
  async linkCase(db: Queryable, inspectionId: number, buildingId: number, incidentId: number): Promise<void> {
    await db.query(`UPDATE incidents SET building_id = $2, building_task = coalesce(building_task, 'report') WHERE id = $1`, [incidentId, buildingId]);
    await db.query(`UPDATE building_inspections SET incident_id = $2 WHERE id = $1`, [inspectionId, incidentId]);
  }

  /**
   * The current catalogue's category to report an extension under: one marked construction, 私搭乱建
   * (0101) first; 0101 itself in a catalogue loaded without the mark (the seed's, before migration 022
   * marked only the rows it found).
   */
  async constructionCategory(): Promise<string | null> {
    const r = await this.pool.query<{ code: string }>(
      `SELECT c.minor_code AS code FROM categories c JOIN category_catalogs v ON v.version = c.catalog_version AND v.is_current
       WHERE c.construction OR c.minor_code = '0101' ORDER BY NOT c.construction, c.minor_code <> '0101', c.minor_code LIMIT 1`,
    );
    return r.rows[0]?.code ?? null;
  }
}

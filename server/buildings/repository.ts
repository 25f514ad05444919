import type { BuildingKind, BuildingStage } from '#shared/buildings/stage-machine.ts';
import type { BuildingDetail, BuildingSummary } from '#shared/buildings/schemas.ts';
import type { Queryable } from '../db/transaction.ts';

const ts = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const SUMMARY = `b.id, b.code, b.kind, b.stage, b.area_m2 AS "areaM2", b.declared_area_m2 AS "declaredAreaM2", b.floors, b.use, b.party,
  b.demolished_area_m2 AS "demolishedAreaM2", b.district_adcode::text AS "districtAdcode", d.name AS "districtName",
  b.street_code::text AS "streetCode", st.name AS "streetName", g.code::text AS "gridCode",
  coalesce((SELECT json_agg(json_build_object('id', k.id, 'name', k.name) ORDER BY array_position(b.key_area_ids, k.id))
            FROM key_areas k WHERE k.id = ANY(b.key_area_ids)), '[]') AS "keyAreas",
  to_char(b.discovered_on, 'YYYY-MM-DD') AS "discoveredOn", ${ts('b.stage_at')} AS "stageAt", ${ts('b.stage_due')} AS "stageDue",
  (b.stage_due IS NOT NULL AND b.stage_due < app_now()) AS overdue, ${ts('b.escalated_at')} AS "escalatedAt",
  ST_X(ST_PointOnSurface(b.geom)) AS lon, ST_Y(ST_PointOnSurface(b.geom)) AS lat`;
const FROM = `illegal_buildings b JOIN districts d ON d.adcode = b.district_adcode
  LEFT JOIN streets st ON st.code = b.street_code LEFT JOIN grid_cells g ON g.id = b.grid_cell_id`;

export interface BuildingFilter {
  id?: number;
  district: string | null;
  stage?: BuildingStage;
  kind?: BuildingKind;
  overdue?: boolean;
  q?: string;
  limit?: number;
  offset?: number;
}

/** Rows of the register matching the filter (district: the caller's scope or the one asked for), with the total. */
export async function listBuildings(db: Queryable, f: BuildingFilter): Promise<{ buildings: BuildingSummary[]; total: number }> {
  const where = `($1::int IS NULL OR b.id = $1) AND ($2::text IS NULL OR b.district_adcode = $2) AND ($3::text IS NULL OR b.stage = $3)
    AND ($4::text IS NULL OR b.kind = $4) AND ($5::boolean IS NULL OR (b.stage_due IS NOT NULL AND b.stage_due < app_now()) = $5)
    AND ($6::text IS NULL OR strpos(b.code, upper($6)) > 0 OR strpos(coalesce(b.party, ''), $6) > 0)`;
  const values = [f.id ?? null, f.district, f.stage ?? null, f.kind ?? null, f.overdue ?? null, f.q ?? null];
  const [rows, count] = await Promise.all([
    db.query<BuildingSummary>(
      `SELECT ${SUMMARY} FROM ${FROM} WHERE ${where}
       -- the most pressing first: overdue, then due soonest, then the newest
       ORDER BY (b.stage_due IS NOT NULL AND b.stage_due < app_now()) DESC, b.stage_due NULLS LAST, b.id DESC LIMIT $7 OFFSET $8`,
      [...values, f.limit ?? 100, f.offset ?? 0],
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM illegal_buildings b WHERE ${where}`, values),
  ]);
  return { buildings: rows.rows, total: count.rows[0]!.n };
}

/** The parts of a building's record besides the summary. */
export async function buildingRecord(db: Queryable, id: number): Promise<Omit<BuildingDetail, 'building' | 'allowedSteps'>> {
  const res = await db.query<Omit<BuildingDetail, 'building' | 'allowedSteps'>>(
    `SELECT ST_AsGeoJSON(b.geom)::json AS geometry,
       coalesce((SELECT json_agg(json_build_object('seq', e.seq, 'type', e.type, 'at', ${ts('e.occurred_at')}, 'actor', u.login,
                                                   'payload', e.payload) ORDER BY e.seq)
                 FROM incident_events e LEFT JOIN users u ON u.id = e.actor_user_id WHERE e.building_id = b.id), '[]') AS events,
       coalesce((SELECT json_agg(json_build_object('id', v.id, 'mime', v.mime, 'bytes', v.bytes, 'stage', v.stage, 'incidentId', v.incident_id) ORDER BY v.id)
                 FROM evidence v WHERE v.building_id = b.id OR v.incident_id IN (SELECT i.id FROM incidents i WHERE i.building_id = b.id)), '[]') AS evidence,
       coalesce((SELECT json_agg(json_build_object('id', i.id, 'code', i.code, 'state', i.state, 'task', i.building_task,
                                                   'reportedAt', ${ts('i.reported_at')}) ORDER BY i.id)
                 FROM incidents i WHERE i.building_id = b.id), '[]') AS cases,
       coalesce((SELECT json_agg(json_build_object('on', to_char(m.demolished_on, 'YYYY-MM-DD'), 'areaM2', m.area_m2) ORDER BY m.id)
                 FROM building_demolitions m WHERE m.building_id = b.id), '[]') AS demolitions,
       coalesce((SELECT json_agg(json_build_object('id', n.id, 'dueOn', to_char(n.due_on, 'YYYY-MM-DD'), 'state', n.state, 'result', n.result,
                                                   'inspectedAt', ${ts('n.inspected_at')}) ORDER BY n.due_on DESC, n.id DESC)
                 FROM building_inspections n WHERE n.building_id = b.id), '[]') AS inspections
     FROM illegal_buildings b WHERE b.id = $1`,
    [id],
  );
  return res.rows[0]!;
}

/** What the database says of a footprint (WGS84 GeoJSON whose structure footprintProblem passed). */
export interface FootprintFacts {
  valid: boolean;
  reason: string | null;
  areaM2: number;
  lon: number;
  lat: number;
  districtAdcode: string | null;
}

export async function footprintFacts(db: Queryable, geojson: string): Promise<FootprintFacts> {
  const res = await db.query<FootprintFacts>(
    `WITH f AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS g), p AS (SELECT f.g, ST_IsValid(f.g) AS valid FROM f)
     SELECT p.valid, CASE WHEN NOT p.valid THEN ST_IsValidReason(p.g) END AS reason,
            CASE WHEN p.valid THEN ST_Area(p.g::geography) ELSE 0 END AS "areaM2",
            CASE WHEN p.valid THEN ST_X(ST_PointOnSurface(p.g)) ELSE ST_X(ST_Centroid(p.g)) END AS lon,
            CASE WHEN p.valid THEN ST_Y(ST_PointOnSurface(p.g)) ELSE ST_Y(ST_Centroid(p.g)) END AS lat,
            (SELECT d.adcode::text FROM districts d WHERE p.valid AND ST_Covers(d.boundary, ST_PointOnSurface(p.g)) ORDER BY d.adcode LIMIT 1) AS "districtAdcode"
     FROM p`,
    [geojson],
  );
  return res.rows[0]!;
}

/** The next free code of a district (WJ-<adcode>-<n>); serialised so two registrations never draw the same one. */
export async function nextBuildingCode(db: Queryable, adcode: string): Promise<string> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('zhihui-building-code'))`);
  const res = await db.query<{ code: string }>(
    `SELECT 'WJ-' || $1 || '-' || lpad((coalesce(max(substring(code FROM '^WJ-[0-9]{6}-([0-9]+)$')::int), 0) + 1)::text, 5, '0') AS code
     FROM illegal_buildings WHERE code LIKE 'WJ-' || $1 || '-%'`,
    [adcode],
  );
  return res.rows[0]!.code;
}

export async function codeTaken(db: Queryable, code: string): Promise<boolean> {
  const res = await db.query(`SELECT 1 FROM illegal_buildings WHERE code = $1`, [code]);
  return (res.rowCount ?? 0) > 0;
}

export interface NewBuilding {
  code: string;
  /** WGS84 GeoJSON, or null with `square` for a footprint not yet surveyed */
  geojson: string | null;
  /** a square of `side` metres around a point (待测绘: a case's point, to be surveyed) */
  square?: { lon: number; lat: number; side: number };
  kind: BuildingKind;
  floors: number;
  declaredAreaM2: number | null;
  use: string | null;
  party: string | null;
  districtAdcode: string;
  discoveredOn: string | null;
  gridCellId: number | null;
  streetCode: string | null;
  keyAreaIds: number[];
  stageAt: Date;
  stageDue: Date | null;
  originIncidentId: number | null;
  notes: string | null;
}

export async function insertBuilding(db: Queryable, n: NewBuilding): Promise<{ id: number; areaM2: number; discoveredOn: string }> {
  const res = await db.query<{ id: number; areaM2: number; discoveredOn: string }>(
    `WITH f AS (
       SELECT ST_Multi(CASE WHEN $2::text IS NOT NULL THEN ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)
                       -- a square of $18 m: buffer by half the side with one segment per quarter on the local metric projection
                       ELSE ST_Envelope(ST_Buffer(ST_SetSRID(ST_MakePoint($16, $17), 4326)::geography, $18 / 2.0, 'quad_segs=1')::geometry) END) AS g)
     INSERT INTO illegal_buildings (code, geom, area_m2, declared_area_m2, floors, kind, stage, party, use, district_adcode, discovered_on,
                                    grid_cell_id, street_code, key_area_ids, stage_at, stage_due, origin_incident_id, notes)
     SELECT $1, f.g, ST_Area(f.g::geography), $3, $4, $5, 'discovered', $6, $7, $8,
            coalesce($9::date, (app_now() AT TIME ZONE 'Asia/Shanghai')::date), $10, $11, $12, $13, $14, $15, $19
     FROM f
     RETURNING id, area_m2 AS "areaM2", to_char(discovered_on, 'YYYY-MM-DD') AS "discoveredOn"`,
    [
      n.code,
      n.geojson,
      n.declaredAreaM2,
      n.floors,
      n.kind,
      n.party,
      n.use,
      n.districtAdcode,
      n.discoveredOn,
      n.gridCellId,
      n.streetCode,
      n.keyAreaIds,
      n.stageAt.toISOString(),
      n.stageDue?.toISOString() ?? null,
      n.originIncidentId,
      n.square?.lon ?? null,
      n.square?.lat ?? null,
      n.square?.side ?? null,
      n.notes,
    ],
  );
  return res.rows[0]!;
}

/** A building as a step reads it, row-locked until the transaction ends: two steps on one building take turns. */
export interface LockedBuilding {
  id: number;
  code: string;
  kind: BuildingKind;
  stage: BuildingStage;
  areaM2: number;
  floors: number;
  demolishedAreaM2: number;
  districtAdcode: string;
  streetCode: string | null;
  gridCellId: number | null;
  squadId: number | null;
  keyAreaIds: number[];
  discoveredOn: string;
  escalatedAt: string | null;
  lon: number;
  lat: number;
}

export async function lockBuilding(db: Queryable, id: number): Promise<LockedBuilding | null> {
  const res = await db.query<LockedBuilding>(
    `SELECT b.id, b.code, b.kind, b.stage, b.area_m2 AS "areaM2", b.floors, b.demolished_area_m2 AS "demolishedAreaM2",
            b.district_adcode::text AS "districtAdcode", b.street_code::text AS "streetCode", b.grid_cell_id AS "gridCellId",
            (SELECT g.squad_id FROM grid_cells g WHERE g.id = b.grid_cell_id) AS "squadId", b.key_area_ids AS "keyAreaIds",
            to_char(b.discovered_on, 'YYYY-MM-DD') AS "discoveredOn", ${ts('b.escalated_at')} AS "escalatedAt",
            ST_X(ST_PointOnSurface(b.geom)) AS lon, ST_Y(ST_PointOnSurface(b.geom)) AS lat
     FROM illegal_buildings b WHERE b.id = $1 FOR UPDATE OF b`,
    [id],
  );
  return res.rows[0] ?? null;
}

/** The stage columns a step sets (null: left as they are, except stage_due which is always set). */
export interface StageUpdate {
  stage: BuildingStage;
  stageAt: Date;
  stageDue: Date | null;
  verifiedOn?: string;
  filedOn?: string;
  orderedOn?: string;
  rectifyBy?: string;
  demolishedOn?: string;
  demolishedAreaM2?: number;
  rectifiedOn?: string;
  closedOn?: string;
}

export async function updateStage(db: Queryable, id: number, u: StageUpdate): Promise<void> {
  await db.query(
    `UPDATE illegal_buildings SET stage = $2, stage_at = $3, stage_due = $4,
       verified_on = coalesce($5::date, verified_on), filed_on = coalesce($6::date, filed_on), ordered_on = coalesce($7::date, ordered_on),
       rectify_by = coalesce($8::date, rectify_by), demolished_on = coalesce($9::date, demolished_on),
       demolished_area_m2 = demolished_area_m2 + coalesce($10::float8, 0), rectified_on = coalesce($11::date, rectified_on),
       closed_on = coalesce($12::date, closed_on), updated_at = now()
     WHERE id = $1`,
    [
      id,
      u.stage,
      u.stageAt.toISOString(),
      u.stageDue?.toISOString() ?? null,
      u.verifiedOn ?? null,
      u.filedOn ?? null,
      u.orderedOn ?? null,
      u.rectifyBy ?? null,
      u.demolishedOn ?? null,
      u.demolishedAreaM2 ?? null,
      u.rectifiedOn ?? null,
      u.closedOn ?? null,
    ],
  );
}

/** Records one demolition as the fact the yearly progress sums; `first` when the building had none before. */
export async function insertDemolition(db: Queryable, b: LockedBuilding, on: string, areaM2: number): Promise<{ id: number; first: boolean }> {
  const res = await db.query<{ id: number; first: boolean }>(
    `INSERT INTO building_demolitions (building_id, demolished_on, area_m2, kind, first, district_adcode, street_code, squad_id)
     SELECT $1, $2, $3, $4, NOT EXISTS (SELECT 1 FROM building_demolitions x WHERE x.building_id = $1), $5, $6, $7
     RETURNING id, first`,
    [b.id, on, areaM2, b.kind, b.districtAdcode, b.streetCode, b.squadId],
  );
  return res.rows[0]!;
}

export async function setDemolitionSeq(db: Queryable, id: number, seq: number): Promise<void> {
  await db.query(`UPDATE building_demolitions SET event_seq = $2 WHERE id = $1`, [id, seq]);
}

/** Which of `ids` are evidence of the building or of a case joined to it. */
export async function evidenceOfBuilding(db: Queryable, buildingId: number, ids: number[]): Promise<number[]> {
  const res = await db.query<{ id: string }>(
    `SELECT v.id FROM evidence v WHERE v.id = ANY($2::bigint[])
       AND (v.building_id = $1 OR v.incident_id IN (SELECT i.id FROM incidents i WHERE i.building_id = $1))`,
    [buildingId, ids],
  );
  return res.rows.map((r) => Number(r.id));
}

/** 零增长: the district's target for the year allows no new construction. */
export async function zeroGrowthDistrict(db: Queryable, adcode: string, year: number): Promise<boolean> {
  const res = await db.query(`SELECT 1 FROM building_targets WHERE district_adcode = $1 AND year = $2 AND new_max = 0`, [adcode, year]);
  return (res.rowCount ?? 0) > 0;
}

export async function markBuildingEscalated(db: Queryable, id: number): Promise<void> {
  await db.query(`UPDATE illegal_buildings SET escalated_at = app_now(), updated_at = now() WHERE id = $1`, [id]);
}

/**
 * The registered building a case at this point concerns: not closed, its footprint within `toleranceM`
 * (on the spheroid), nearest first.
 */
export async function nearestOpenBuilding(db: Queryable, lon: number, lat: number, toleranceM: number): Promise<number | null> {
  const res = await db.query<{ id: number }>(
    `WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS g)
     SELECT b.id FROM illegal_buildings b, p
     WHERE b.stage <> 'closed'
       -- the box (≈0.001° ≥ 95 m here) lets the GiST index find candidates; the spheroid decides
       AND b.geom && ST_Expand(p.g, 0.001) AND ST_DWithin(b.geom::geography, p.g::geography, $3)
     ORDER BY ST_Distance(b.geom::geography, p.g::geography), b.id LIMIT 1`,
    [lon, lat, toleranceM],
  );
  return res.rows[0]?.id ?? null;
}

export async function linkCase(db: Queryable, incidentId: number, buildingId: number, task: string): Promise<void> {
  await db.query(`UPDATE incidents SET building_id = $2, building_task = $3 WHERE id = $1`, [incidentId, buildingId, task]);
}

/** A case still open (not closed or voided) that carries this task for the building. */
export async function openCaseWithTask(db: Queryable, buildingId: number, task: string): Promise<{ id: number; code: string } | null> {
  const res = await db.query<{ id: number; code: string }>(
    `SELECT id, code FROM incidents WHERE building_id = $1 AND building_task = $2 AND state NOT IN ('closed', 'voided') ORDER BY id LIMIT 1`,
    [buildingId, task],
  );
  return res.rows[0] ?? null;
}

/** The building and field task a case carries. */
export async function caseBuilding(db: Queryable, incidentId: number): Promise<{ buildingId: number | null; task: string | null; code: string }> {
  const res = await db.query<{ buildingId: number | null; task: string | null; code: string }>(
    `SELECT building_id AS "buildingId", building_task AS task, code FROM incidents WHERE id = $1`,
    [incidentId],
  );
  return res.rows[0]!;
}

/** The construction category (违法建设) of the current catalogue, lowest code first. */
export async function constructionCategory(db: Queryable): Promise<string | null> {
  const res = await db.query<{ code: string }>(
    `SELECT c.minor_code AS code FROM categories c JOIN category_catalogs v ON v.version = c.catalog_version AND v.is_current
     WHERE c.construction ORDER BY c.minor_code LIMIT 1`,
  );
  return res.rows[0]?.code ?? null;
}

/** The demolished area a handle step declared for a 'demolish' case (kept in its event), the latest one. */
export async function handledDemolishedArea(db: Queryable, incidentId: number): Promise<number | null> {
  const res = await db.query<{ area: number | null }>(
    `SELECT (payload->>'demolishedAreaM2')::float8 AS area FROM incident_events
     WHERE incident_id = $1 AND type = 'incident.handled' ORDER BY seq DESC LIMIT 1`,
    [incidentId],
  );
  return res.rows[0]?.area ?? null;
}

/** Escalates a case (督办) as the overdue clock and the escalate step mark it, and raises its priority. */
export async function escalateCaseForBuilding(db: Queryable, incidentId: number, priorityFloor: number): Promise<string> {
  const res = await db.query<{ at: string }>(
    `UPDATE incidents SET escalated_at = app_now(), priority = greatest(priority, $2), updated_at = app_now() WHERE id = $1
     RETURNING ${ts('escalated_at')} AS at`,
    [incidentId, priorityFloor],
  );
  return res.rows[0]!.at;
}

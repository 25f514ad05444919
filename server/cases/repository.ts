import type { Scope } from '#shared/auth/permissions.ts';
import type { CaseState, Outcome, Source } from '#shared/cases/states.ts';
import type { CategoryRow } from '../categories/repository.ts';
import type { Queryable } from '../db/transaction.ts';
import type { Landmark } from '#shared/geocode/contract.ts';

export interface Location {
  districtName: string | null;
  keyAreas: { id: number; name: string }[];
  gridCellId: number | null;
  gridCode: string | null;
  districtAdcode: string | null;
  streetCode: string | null;
  streetName: string | null;
  communityCode: string | null;
  communityName: string | null;
  squadId: number | null;
  keyAreaIds: number[];
  areaBoost: number;
  eventBoost: number;
}

export interface CaseRow {
  id: number;
  code: string;
  state: CaseState;
  categoryId: number;
  districtAdcode: string | null;
  deadline: string | null;
  lon: number;
  lat: number;
  gridCellId: number | null;
  escalatedAt: string | null;
}

const ts = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Whose cases a user sees: a scope and, for an officer, the user id (the cases they reported). */
export type Viewer = Scope & { id?: number };

/**
 * Dispatch states that keep a case visible to its officer: sent (pending), working (accepted) and
 * handled (done). Declined, timed out and cancelled (taken off by reassignment, or suspended) do not.
 */
export const OFFICER_VISIBLE_DISPATCH_STATES = ['pending', 'accepted', 'done'] as const;

/**
 * The one rule for who sees a case, as SQL over the incidents row `i` (case view, list, steps,
 * duplicates, the event feed). `$district`, `$officer`, `$user` are the placeholders holding
 * {@link viewerParams}: an officer sees the cases with a live or done dispatch of theirs and those
 * they reported (上报问题); a district-scoped user their district; anyone else every case.
 */
export function caseVisibleSql(i: string, p: { district: string; officer: string; user: string }): string {
  return `((${p.officer}::int IS NULL AND (${p.district}::text IS NULL OR ${i}.district_adcode = ${p.district}))
     OR (${p.officer}::int IS NOT NULL AND (${i}.reported_by = ${p.user}::int OR ${i}.id IN (
           SELECT vx.incident_id FROM dispatches vx WHERE vx.officer_id = ${p.officer}::int
             AND vx.state IN (${OFFICER_VISIBLE_DISPATCH_STATES.map((x) => `'${x}'`).join(', ')})))))`;
}

/** The values for {@link caseVisibleSql}'s placeholders: [district, officer, user]. */
export function viewerParams(v: Viewer): [string | null, number | null, number | null] {
  // an officer without an officer row or user id matches nothing rather than everything
  return v.role === 'officer' ? [null, v.officerId ?? 0, v.id ?? 0] : [v.districtAdcode, null, null];
}

/** Whether `viewer` may see case `id` (the rule of {@link caseVisibleSql}). */
export async function caseVisible(db: Queryable, viewer: Viewer, id: number): Promise<boolean> {
  const res = await db.query(`SELECT 1 FROM incidents i WHERE i.id = $1 AND ${caseVisibleSql('i', { district: '$2', officer: '$3', user: '$4' })}`, [
    id,
    ...viewerParams(viewer),
  ]);
  return (res.rowCount ?? 0) > 0;
}

/** Grid cell, district, street, community, responsible squad and the key areas listed today at a point. */
export async function locate(db: Queryable, lon: number, lat: number): Promise<Location | null> {
  const res = await db.query<Location>({
    name: 'incident-locate',
    text: `
    WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS g, (app_now() AT TIME ZONE 'Asia/Shanghai')::date AS today),
    cell AS (
      SELECT g.id, g.code, g.community_code, g.district_adcode, g.squad_id FROM grid_cells g, p
      WHERE ST_Covers(g.geom, p.g) AND g.valid_to IS NULL ORDER BY g.id LIMIT 1
    ),
    district AS (SELECT d.adcode FROM districts d, p WHERE ST_Covers(d.boundary, p.g) ORDER BY d.adcode LIMIT 1),
    areas AS (
      SELECT k.id, k.name, k.kind, k.priority_boost FROM key_areas k, p
      WHERE ST_Covers(k.geom, p.g) AND k.listed_on <= p.today AND (k.delisted_on IS NULL OR k.delisted_on > p.today)
    )
    SELECT (SELECT id FROM cell) AS "gridCellId", (SELECT code FROM cell) AS "gridCode",
           coalesce((SELECT district_adcode FROM cell), (SELECT adcode FROM district)) AS "districtAdcode",
           (SELECT name FROM districts WHERE adcode = coalesce((SELECT district_adcode FROM cell), (SELECT adcode FROM district))) AS "districtName",
           coalesce((SELECT json_agg(json_build_object('id', id, 'name', name) ORDER BY priority_boost DESC, id) FROM areas), '[]') AS "keyAreas",
           (SELECT left(code, 9) FROM cell) AS "streetCode", (SELECT squad_id FROM cell) AS "squadId",
           (SELECT s.name FROM streets s WHERE s.code = (SELECT left(code, 9) FROM cell)) AS "streetName",
           (SELECT community_code FROM cell) AS "communityCode",
           (SELECT c.name FROM communities c WHERE c.code = (SELECT community_code FROM cell)) AS "communityName",
           coalesce((SELECT array_agg(id ORDER BY priority_boost DESC, id) FROM areas), '{}') AS "keyAreaIds",
           coalesce((SELECT max(priority_boost) FROM areas WHERE kind <> 'major_event'), 0) AS "areaBoost",
           coalesce((SELECT max(priority_boost) FROM areas WHERE kind = 'major_event'), 0) AS "eventBoost"`,
    values: [lon, lat],
  });
  const row = res.rows[0]!;
  return row.districtAdcode ? row : null;
}

export interface NewCase {
  category: CategoryRow;
  source: Source;
  sourceRef: string | null;
  description: string;
  lon: number;
  lat: number;
  address: string | null;
  location: Location;
  /** the nearest named intersection or road, kept as it was said at intake */
  landmark: Landmark | null;
  priority: number;
  deadline: Date;
  reporterName: string | null;
  reporterContact: string | null;
  reportedBy: number;
  idempotencyKey: string | null;
  /** sha256 of the request, kept with the key */
  idempotencyFingerprint?: string | null;
  registered: boolean;
}

export async function insertNewCase(db: Queryable, n: NewCase): Promise<{ id: number; code: string; reportedAt: string; registeredAt: string | null }> {
  const res = await db.query<{ id: number; code: string; reportedAt: string; registeredAt: string | null }>({
    name: 'incident-insert',
    text: `
    INSERT INTO incidents (code, category_id, catalog_version, source, source_ref, description, position, address, grid_cell_id,
                           district_adcode, street_code, key_area_ids, priority, state, deadline, reporter_name, reporter_contact,
                           reported_by, idempotency_key, registered_at, idempotency_fingerprint, landmark)
    VALUES ('ZH' || to_char(app_now() AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-' || lpad(nextval('incident_code_seq')::text, 6, '0'),
            $1, $2, $3, $4, $5, ST_SetSRID(ST_MakePoint($6, $7), 4326), $8, $9, $10, $11, $12, $13,
            CASE WHEN $19 THEN 'registered' ELSE 'reported' END, $14, $15, $16, $17, $18, CASE WHEN $19 THEN app_now() END, $20, $21)
    RETURNING id, code, ${ts('reported_at')} AS "reportedAt", ${ts('registered_at')} AS "registeredAt"`,
    values: [
      n.category.id,
      n.category.catalogVersion,
      n.source,
      n.sourceRef,
      n.description,
      n.lon,
      n.lat,
      n.address,
      n.location.gridCellId,
      n.location.districtAdcode,
      n.location.streetCode,
      n.location.keyAreaIds,
      n.priority,
      n.deadline.toISOString(),
      n.reporterName,
      n.reporterContact,
      n.reportedBy,
      n.idempotencyKey,
      n.registered,
      n.idempotencyFingerprint ?? null,
      n.landmark,
    ],
  });
  return res.rows[0]!;
}

/** A step taken earlier under this user's idempotency key. */
export async function findStepRequest(db: Queryable, userId: number, key: string): Promise<{ incidentId: number; action: string } | null> {
  const res = await db.query<{ incidentId: string; action: string }>(
    `SELECT incident_id AS "incidentId", action FROM step_requests WHERE user_id = $1 AND key = $2`,
    [userId, key],
  );
  const row = res.rows[0];
  return row ? { incidentId: Number(row.incidentId), action: row.action } : null;
}

export async function insertStepRequest(db: Queryable, userId: number, key: string, incidentId: number, action: string): Promise<void> {
  await db.query(`INSERT INTO step_requests (user_id, key, incident_id, action) VALUES ($1, $2, $3, $4)`, [userId, key, incidentId, action]);
}

/** The case reported under this (user-prefixed) idempotency key, and the fingerprint of that report (null before migration 014). */
export async function findByIdempotencyKey(db: Queryable, key: string): Promise<{ id: number; code: string; fingerprint: string | null } | null> {
  const res = await db.query<{ id: string; code: string; fingerprint: string | null }>(
    `SELECT id, code, idempotency_fingerprint AS fingerprint FROM incidents WHERE idempotency_key = $1`,
    [key],
  );
  const row = res.rows[0];
  return row ? { id: Number(row.id), code: row.code, fingerprint: row.fingerprint } : null;
}

export interface DuplicateQuery {
  /** WGS84 */
  lon: number;
  lat: number;
  categoryId: number;
  /** the time the report is (or was) made; null = app_now(), which inside intake's transaction is the new case's reported_at */
  at: string | null;
  /** the case asking (it does not duplicate itself) */
  excludeId: number | null;
  /** only cases this user may see (caseVisibleSql) */
  viewer: Viewer;
}

/**
 * The duplicate rule (重复案件, one city's rule): open cases (not closed or voided) of the same
 * category within 50 m and the 24 h before `at`. Intake and the preview before intake both ask this.
 */
export async function duplicatesNear(db: Queryable, q: DuplicateQuery): Promise<DuplicateCase[]> {
  const res = await db.query<DuplicateCase>({
    name: 'incident-duplicates-near',
    text: `
    WITH n AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS position, coalesce($4::timestamptz, app_now()) AS at)
    SELECT o.id, o.code, o.state, round(ST_Distance(o.position::geography, n.position::geography)::numeric, 1) AS meters,
           ${ts('o.reported_at')} AS "reportedAt", o.description,
           json_build_object('code', c.minor_code, 'nameZh', c.name_zh, 'nameEn', c.name_en) AS category
    FROM n JOIN incidents o ON o.category_id = $3 JOIN categories c ON c.id = o.category_id
    WHERE o.state NOT IN ('closed', 'voided') AND o.id <> coalesce($5::bigint, 0)
      AND ${caseVisibleSql('o', { district: '$6', officer: '$7', user: '$8' })}
      AND o.reported_at BETWEEN n.at - interval '24 hours' AND n.at
      -- The box (≈0.001° ≥ 95 m here) lets the GiST index find neighbours; the spheroid test decides.
      AND o.position && ST_Expand(n.position, 0.001)
      AND ST_DWithin(o.position::geography, n.position::geography, 50)
    ORDER BY meters, o.id LIMIT 20`,
    values: [q.lon, q.lat, q.categoryId, q.at, q.excludeId, ...viewerParams(q.viewer)],
  });
  return res.rows;
}

/** The duplicates of an existing case that `viewer` may see, as intake found them (the rule at its report time). */
export async function possibleDuplicates(db: Queryable, id: number, viewer: Viewer): Promise<DuplicateCase[]> {
  const res = await db.query<{ lon: number; lat: number; categoryId: number; at: string }>(
    `
    SELECT ST_X(position) AS lon, ST_Y(position) AS lat, category_id AS "categoryId", reported_at::text AS at FROM incidents WHERE id = $1`,
    [id],
  );
  const n = res.rows[0];
  return n ? duplicatesNear(db, { ...n, excludeId: id, viewer }) : [];
}

/** A district's name, for messages. */
export async function districtName(db: Queryable, adcode: string): Promise<string> {
  const res = await db.query<{ name: string }>(`SELECT name FROM districts WHERE adcode = $1`, [adcode]);
  return res.rows[0]?.name ?? adcode;
}

/** The grid cell a case was located in (null outside every cell). */
export async function gridCellOf(db: Queryable, id: number): Promise<number | null> {
  const res = await db.query<{ id: number | null }>(`SELECT grid_cell_id AS id FROM incidents WHERE id = $1`, [id]);
  return res.rows[0]?.id ?? null;
}

export async function lockCase(db: Queryable, id: number): Promise<CaseRow | null> {
  const res = await db.query<CaseRow>(
    `
    SELECT id, code, state, category_id AS "categoryId", district_adcode AS "districtAdcode", deadline, ST_X(position) AS lon,
           ST_Y(position) AS lat, grid_cell_id AS "gridCellId", ${ts('escalated_at')} AS "escalatedAt"
    FROM incidents WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return res.rows[0] ?? null;
}

/** Row-locks several cases in id order, so two transactions locking the same pair never deadlock. */
export async function lockCasesInOrder(db: Queryable, ids: number[]): Promise<void> {
  await db.query(`SELECT id FROM incidents WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`, [ids]);
}

/** Serialises the intakes of one idempotency key until the transaction ends, so exactly one inserts. */
export async function lockIdempotencyKey(db: Queryable, key: string): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [key]);
}

/** Counts a rework (返工) of the case. */
export async function addRework(db: Queryable, id: number): Promise<void> {
  await db.query(`UPDATE incidents SET rework_count = rework_count + 1 WHERE id = $1`, [id]);
}

/** Moves the deadline of an extension (延期); a case no longer late stops being overdue. */
export async function extendDeadline(db: Queryable, id: number, deadline: Date): Promise<void> {
  await db.query(
    `
    UPDATE incidents SET deadline = $2, extended_count = extended_count + 1, updated_at = app_now(),
      overdue_at = CASE WHEN $2 > app_now() THEN NULL ELSE overdue_at END WHERE id = $1`,
    [id, deadline.toISOString()],
  );
}

/** Which of `evidenceIds` are photos uploaded to case `id`. */
export async function evidenceOfCase(db: Queryable, id: number, evidenceIds: number[]): Promise<number[]> {
  const res = await db.query<{ id: number }>(`SELECT id FROM evidence WHERE incident_id = $1 AND id = ANY($2::bigint[])`, [id, evidenceIds]);
  return res.rows.map((r) => r.id);
}

/** Records the case a voided duplicate went into. */
export async function markMerged(db: Queryable, id: number, intoId: number): Promise<void> {
  await db.query(`UPDATE incidents SET merged_into = $2, updated_at = app_now() WHERE id = $1`, [id, intoId]);
}

/** Marks a case escalated (督办), the same mark the overdue clock sets. */
export async function markEscalated(db: Queryable, id: number): Promise<void> {
  await db.query(`UPDATE incidents SET escalated_at = app_now(), updated_at = app_now() WHERE id = $1`, [id]);
}

const STATE_STAMP: Partial<Record<CaseState, string>> = {
  registered: 'registered_at',
  voided: 'voided_at',
  dispatched: 'dispatched_at',
  accepted: 'accepted_at',
  on_scene: 'on_scene_at',
  handled: 'handled_at',
  closed: 'closed_at',
  suspended: 'suspended_at',
};

/** Moves the case to `to`, stamping the time of the stage (the first time for dispatch/accept). */
export async function setState(
  db: Queryable,
  id: number,
  to: CaseState,
  extra: { reason?: string | null; outcome?: Outcome; notes?: string | null } = {},
): Promise<void> {
  const stamp = STATE_STAMP[to];
  const keepFirst = to === 'dispatched' || to === 'accepted' || to === 'registered';
  await db.query(
    `
    UPDATE incidents SET state = $2, updated_at = app_now(),
      ${stamp ? `${stamp} = ${keepFirst ? `coalesce(${stamp}, app_now())` : 'app_now()'},` : ''}
      state_reason = coalesce($3, state_reason),
      outcome = coalesce($4, outcome), feedback_notes = coalesce($5, feedback_notes)
    WHERE id = $1`,
    [id, to, extra.reason ?? null, extra.outcome ?? null, extra.notes ?? null],
  );
}

export type { DuplicateCase, CaseView } from '#shared/cases/contract.ts';
import type { DuplicateCase, CaseView } from '#shared/cases/contract.ts';

/** Incidents as the API shows them; `scope` limits them to what the user may see. */
export async function viewCases(
  db: Queryable,
  scope: Viewer,
  filter: { id?: number; open?: boolean; state?: CaseState; limit?: number; afterId?: number },
): Promise<CaseView[]> {
  const res = await db.query<CaseView>(
    `
    SELECT i.id, i.code, i.state,
      json_build_object('code', c.minor_code, 'nameZh', c.name_zh, 'nameEn', c.name_en, 'timeLimit', c.time_limit,
                        'timeType', c.time_type, 'enforcement', c.involves_enforcement) AS category,
      i.source, i.source_ref AS "sourceRef", i.description, ST_X(i.position) AS lon, ST_Y(i.position) AS lat, i.address,
      g.code AS "gridCode", i.district_adcode AS "districtAdcode", d.name AS "districtName", i.street_code AS "streetCode", st.name AS "streetName",
      g.community_code AS "communityCode", cm.name AS "communityName", i.landmark,
      coalesce((SELECT json_agg(json_build_object('id', k.id, 'name', k.name) ORDER BY array_position(i.key_area_ids, k.id))
                FROM key_areas k WHERE k.id = ANY(i.key_area_ids)), '[]') AS "keyAreas",
      i.priority, ${ts('i.deadline')} AS deadline, i.overdue_at IS NOT NULL AS overdue,
      ${ts('i.reported_at')} AS "reportedAt", ${ts('i.registered_at')} AS "registeredAt", ${ts('i.dispatched_at')} AS "dispatchedAt",
      ${ts('i.accepted_at')} AS "acceptedAt", ${ts('i.on_scene_at')} AS "onSceneAt", ${ts('i.handled_at')} AS "handledAt",
      ${ts('i.closed_at')} AS "closedAt", i.outcome, i.feedback_notes AS "feedbackNotes", i.state_reason AS "stateReason",
      i.rework_count AS "reworkCount", i.extended_count AS "extendedCount", ${ts('i.escalated_at')} AS "escalatedAt",
      (SELECT json_build_object('id', t.id, 'code', t.code) FROM incidents t WHERE t.id = i.merged_into) AS "mergedInto",
      (SELECT json_build_object('id', b.id, 'code', b.code, 'kind', b.kind, 'stage', b.stage, 'task', i.building_task,
                                'escalated', b.escalated_at IS NOT NULL)
       FROM illegal_buildings b WHERE b.id = i.building_id) AS building,
      coalesce((SELECT json_agg(json_build_object('officerId', o.id, 'name', o.name, 'kind', o.kind, 'dispatchState', x.state) ORDER BY x.id)
                FROM dispatches x JOIN officers o ON o.id = x.officer_id
                WHERE x.incident_id = i.id AND x.id IN (SELECT max(id) FROM dispatches WHERE incident_id = i.id GROUP BY officer_id)), '[]') AS officers,
      coalesce((SELECT json_agg(json_build_object('id', e.id, 'mime', e.mime, 'bytes', e.bytes, 'sha256', e.sha256) ORDER BY e.id)
                FROM evidence e WHERE e.incident_id = i.id), '[]') AS evidence
    FROM incidents i
    JOIN categories c ON c.id = i.category_id
    LEFT JOIN grid_cells g ON g.id = i.grid_cell_id
    LEFT JOIN districts d ON d.adcode = i.district_adcode
    LEFT JOIN streets st ON st.code = i.street_code
    LEFT JOIN communities cm ON cm.code = g.community_code
    WHERE ($1::bigint IS NULL OR i.id = $1)
      AND ${caseVisibleSql('i', { district: '$2', officer: '$3', user: '$8' })}
      AND (NOT $4 OR i.state NOT IN ('closed', 'voided'))
      AND ($5::text IS NULL OR i.state = $5)
      AND ($7::bigint IS NULL OR i.id > $7)
    -- keyset paging (afterId) walks in id order; a plain list comes most urgent first
    ORDER BY CASE WHEN $7::bigint IS NULL THEN i.priority END DESC, CASE WHEN $7::bigint IS NULL THEN i.reported_at END DESC,
             CASE WHEN $7::bigint IS NULL THEN -i.id ELSE i.id END
    LIMIT $6`,
    [
      filter.id ?? null,
      viewerParams(scope)[0],
      viewerParams(scope)[1],
      filter.open ?? false,
      filter.state ?? null,
      filter.limit ?? 200,
      filter.afterId ?? null,
      viewerParams(scope)[2],
    ],
  );
  return res.rows;
}

import type pg from 'pg';
import { FIX_USABLE_MINUTES } from '#shared/position-fix.ts';
import { isCertified } from '#shared/workforce.ts';
import type { Queryable } from '../db/transaction.ts';

export type { Candidate } from '#shared/cases/contract.ts';
import type { Candidate } from '#shared/cases/contract.ts';

/** Positions older than this are not trusted for recommending (Resgrid/TicketsCAD practice): shared/position-fix.ts. */
export const FRESH_POSITION_MINUTES = FIX_USABLE_MINUTES;

/**
 * Available officers nearest a point by KNN on the GiST index (constant point, ORDER BY <->), the
 * responsible squad's first. Two index scans, each bounded by `limit`; distances are on the spheroid.
 * `district`: only officers of that district's squads (a district-scoped dispatcher); null = any.
 * `certified` is {@link isCertified} on the row, the rule the dispatch step checks (kind and expiry),
 * so the console never offers as certified an officer the step then refuses.
 */
export async function recommend(
  db: Queryable,
  point: { lon: number; lat: number },
  responsibleSquadId: number | null,
  limit: number,
  district: string | null = null,
): Promise<Candidate[]> {
  const res = await db.query<Omit<Candidate, 'certified'> & { certificateExpires: string | null }>(
    `
    WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS g),
    pool AS (
      (SELECT o.*, true AS responsible FROM officers o
        WHERE $3::int IS NOT NULL AND o.squad_id = $3 AND o.duty_status = 'available'
          AND o.position_at > app_now() - make_interval(mins => $5)
          AND ($6::text IS NULL OR o.squad_id IN (SELECT id FROM squads WHERE district_adcode = $6))
        ORDER BY o.position <-> (SELECT g FROM p) LIMIT $4)
      UNION ALL
      (SELECT o.*, false FROM officers o
        WHERE o.duty_status = 'available' AND o.position_at > app_now() - make_interval(mins => $5)
          AND ($6::text IS NULL OR o.squad_id IN (SELECT id FROM squads WHERE district_adcode = $6))
        ORDER BY o.position <-> (SELECT g FROM p) LIMIT $4)
    )
    SELECT DISTINCT ON (c.id) c.id AS "officerId", c.name, c.kind, c.certificate_expires AS "certificateExpires", c.squad_id AS "squadId",
           s.name AS "squadName", c.duty_status AS "dutyStatus",
           round(ST_Distance(c.position::geography, (SELECT g FROM p)::geography)::numeric, 1) AS meters,
           to_char(c.position_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "positionAt",
           c.squad_id = $3 AS "responsibleSquad"
    FROM pool c JOIN squads s ON s.id = c.squad_id
    ORDER BY c.id, c.responsible DESC`,
    [point.lon, point.lat, responsibleSquadId, limit, FRESH_POSITION_MINUTES, district],
  );
  return res.rows
    .sort((a, b) => Number(b.responsibleSquad) - Number(a.responsibleSquad) || a.meters - b.meters || a.officerId - b.officerId)
    .slice(0, limit)
    .map(({ certificateExpires, ...c }) => ({ ...c, certified: isCertified({ kind: c.kind, certificateExpires }) }));
}

export interface LockedOfficer {
  id: number;
  name: string;
  kind: 'officer' | 'auxiliary';
  dutyStatus: 'off_duty' | 'available' | 'busy';
  certificateExpires: string | null;
  /** the district of the officer's squad */
  districtAdcode: string;
  districtName: string;
}

/** Row-locks the officers in id order (so two assignments never deadlock on each other). */
export async function lockOfficers(db: Queryable, ids: number[]): Promise<LockedOfficer[]> {
  const res = await db.query<LockedOfficer>(
    `
    SELECT o.id, o.name, o.kind, o.duty_status AS "dutyStatus", o.certificate_expires AS "certificateExpires",
           s.district_adcode AS "districtAdcode", d.name AS "districtName"
    FROM officers o JOIN squads s ON s.id = o.squad_id JOIN districts d ON d.adcode = s.district_adcode
    WHERE o.id = ANY($1::int[]) ORDER BY o.id FOR UPDATE OF o`,
    [ids],
  );
  return res.rows;
}

export async function createDispatches(db: Queryable, incidentId: number, officerIds: number[], by: number): Promise<void> {
  await db.query(`INSERT INTO dispatches (incident_id, officer_id, dispatched_by) SELECT $1, unnest($2::int[]), $3`, [incidentId, officerIds, by]);
  await db.query(`UPDATE officers SET duty_status = 'busy' WHERE id = ANY($1::int[])`, [officerIds]);
}

/** Live (pending or accepted) dispatches of a case. */
export async function liveDispatches(db: Queryable, incidentId: number): Promise<{ id: number; officerId: number; state: 'pending' | 'accepted' }[]> {
  const res = await db.query<{ id: number; officerId: number; state: 'pending' | 'accepted' }>(
    `SELECT id, officer_id AS "officerId", state FROM dispatches WHERE incident_id = $1 AND state IN ('pending', 'accepted') ORDER BY id`,
    [incidentId],
  );
  return res.rows;
}

/** Ends dispatches and frees their officers (unless they went off duty meanwhile). */
export async function finishDispatches(
  db: Queryable,
  dispatchIds: number[],
  state: 'done' | 'declined' | 'timed_out' | 'cancelled',
  reason: string | null = null,
): Promise<number[]> {
  if (dispatchIds.length === 0) return [];
  const res = await db.query<{ officerId: number }>(
    `
    UPDATE dispatches SET state = $2, finished_at = app_now(), reason = coalesce($3, reason) WHERE id = ANY($1::bigint[]) RETURNING officer_id AS "officerId"`,
    [dispatchIds, state, reason],
  );
  const officerIds = res.rows.map((r) => r.officerId);
  await db.query(`UPDATE officers SET duty_status = 'available' WHERE id = ANY($1::int[]) AND duty_status = 'busy'`, [officerIds]);
  return officerIds;
}

export async function acceptDispatch(db: Queryable, dispatchId: number): Promise<void> {
  await db.query(`UPDATE dispatches SET state = 'accepted', accepted_at = app_now() WHERE id = $1`, [dispatchId]);
}

/** The officers who handled the case last, for a rework that goes back to them. */
export async function lastHandlers(db: Queryable, incidentId: number): Promise<number[]> {
  const res = await db.query<{ officerId: number }>(
    `
    SELECT officer_id AS "officerId" FROM dispatches
    WHERE incident_id = $1 AND state = 'done' AND finished_at = (SELECT max(finished_at) FROM dispatches WHERE incident_id = $1 AND state = 'done')
    ORDER BY officer_id`,
    [incidentId],
  );
  return res.rows.map((r) => r.officerId);
}

export async function responsibleSquad(db: Queryable | pg.Pool, gridCellId: number | null): Promise<number | null> {
  if (gridCellId === null) return null;
  const res = await db.query<{ squad_id: number | null }>(`SELECT squad_id FROM grid_cells WHERE id = $1`, [gridCellId]);
  return res.rows[0]?.squad_id ?? null;
}

import type { CaseState } from '#shared/cases/states.ts';
import type { Queryable } from '../db/transaction.ts';

export interface DueCase {
  id: number;
  code: string;
  districtAdcode: string | null;
  deadline: Date;
  state: CaseState;
  /** seconds from the deadline to now */
  lagSeconds: number;
}

/**
 * Open cases past their deadline and not yet marked overdue, oldest deadline first, row-locked. SKIP
 * LOCKED: a case another instance (or a step) holds is left to it, or to the next tick.
 */
export async function lockDueCases(db: Queryable, limit: number): Promise<DueCase[]> {
  const res = await db.query<DueCase>(
    `
    SELECT id, code, district_adcode AS "districtAdcode", deadline, state, extract(epoch FROM app_now() - deadline)::float8 AS "lagSeconds"
    FROM incidents
    WHERE deadline < app_now() AND overdue_at IS NULL AND state NOT IN ('closed', 'voided', 'suspended', 'handled')
    ORDER BY deadline LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return res.rows;
}

/** Marks cases overdue (超期) and escalated (督办); a case escalated by hand before keeps that time. */
export async function markOverdue(db: Queryable, ids: number[]): Promise<void> {
  await db.query(`UPDATE incidents SET overdue_at = app_now(), escalated_at = coalesce(escalated_at, app_now()) WHERE id = ANY($1::bigint[])`, [ids]);
}

/** Cases with a dispatch pending longer than `timeoutSeconds`, and how late the latest of them is past it. */
export async function casesWithStaleDispatches(db: Queryable, timeoutSeconds: number): Promise<{ incidentId: number; lagSeconds: number }[]> {
  const res = await db.query<{ incidentId: number; lagSeconds: number }>(
    `
    SELECT d.incident_id AS "incidentId", max(extract(epoch FROM app_now() - d.dispatched_at)::float8 - $1) AS "lagSeconds" FROM dispatches d
    WHERE d.state = 'pending' AND d.dispatched_at < app_now() - make_interval(secs => $1)
    GROUP BY d.incident_id`,
    [timeoutSeconds],
  );
  return res.rows;
}

/** Row-locks a case unless someone else holds it (then null: the next tick tries again). */
export async function lockCaseIfFree(db: Queryable, id: number): Promise<{ id: number; code: string; state: CaseState; districtAdcode: string | null } | null> {
  const res = await db.query<{ id: number; code: string; state: CaseState; districtAdcode: string | null }>(
    `SELECT id, code, state, district_adcode AS "districtAdcode" FROM incidents WHERE id = $1 FOR UPDATE SKIP LOCKED`,
    [id],
  );
  return res.rows[0] ?? null;
}

/** A locked case's dispatches still pending after `timeoutSeconds`. */
export async function expiredDispatches(db: Queryable, incidentId: number, timeoutSeconds: number): Promise<number[]> {
  const res = await db.query<{ id: number }>(
    `
    SELECT id FROM dispatches WHERE incident_id = $1 AND state = 'pending' AND dispatched_at < app_now() - make_interval(secs => $2)`,
    [incidentId, timeoutSeconds],
  );
  return res.rows.map((r) => r.id);
}

import type pg from 'pg';
import type { AuditEntry } from '#shared/roster/schemas.ts';
import type { Queryable } from '../db/transaction.ts';

/** One administrative change, in the same transaction as the change itself (so neither exists without the other). */
export async function appendAudit(db: Queryable, v: { userId: number | null; action: string; target: string; before: unknown; after: unknown }): Promise<void> {
  await db.query(`INSERT INTO admin_audit (actor_user_id, action, target, before, after) VALUES ($1, $2, $3, $4, $5)`, [
    v.userId,
    v.action,
    v.target,
    v.before === null || v.before === undefined ? null : JSON.stringify(v.before),
    v.after === null || v.after === undefined ? null : JSON.stringify(v.after),
  ]);
}

export interface AuditQuery {
  limit: number;
  before: number | null;
  action: string | null;
  target: string | null;
}

/** Reads the append-only log (the writers are the capabilities themselves, through appendAudit). */
export class AuditRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** The change log, newest first; `before` pages back from an id. */
  async list(q: AuditQuery): Promise<AuditEntry[]> {
    const res = await this.pool.query<AuditEntry>(
      `SELECT a.id::int AS id, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, a.actor_user_id AS "actorUserId",
              u.login AS "actorLogin", u.display_name AS "actorName", a.action, a.target, a.before, a.after
       FROM admin_audit a LEFT JOIN users u ON u.id = a.actor_user_id
       WHERE ($2::bigint IS NULL OR a.id < $2) AND ($3::text IS NULL OR starts_with(a.action, $3)) AND ($4::text IS NULL OR a.target = $4)
       ORDER BY a.id DESC LIMIT $1`,
      [q.limit, q.before, q.action, q.target],
    );
    return res.rows;
  }
}

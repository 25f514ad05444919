import type { Queryable } from '../db/transaction.ts';

export interface AuditEntry {
  id: number;
  at: string;
  actorUserId: number | null;
  actorLogin: string | null;
  actorName: string | null;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
}

/** One administrative change, in the same transaction as the change itself (so neither exists without the other). */
export async function appendAudit(
  db: Queryable,
  v: { userId: number | null; action: string; target: string; before: unknown; after: unknown },
): Promise<void> {
  await db.query(`INSERT INTO admin_audit (actor_user_id, action, target, before, after) VALUES ($1, $2, $3, $4, $5)`, [
    v.userId,
    v.action,
    v.target,
    v.before === null || v.before === undefined ? null : JSON.stringify(v.before),
    v.after === null || v.after === undefined ? null : JSON.stringify(v.after),
  ]);
}

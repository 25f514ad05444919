import type pg from 'pg';
import type { Queryable } from '../db/transaction.ts';

export interface EvidenceRecord {
  id: number;
  sha256: string;
  mime: string;
  bytes: number;
}

/** Photos attached to cases: the rows; the files are the EvidenceStore's. */
export class EvidenceRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** Whether `userId` reported case `incidentId` (上报问题). */
  async reportedBy(incidentId: number, userId: number): Promise<boolean> {
    const res = await this.pool.query(`SELECT 1 FROM incidents WHERE id = $1 AND reported_by = $2`, [incidentId, userId]);
    return res.rowCount === 1;
  }

  /** The photo's case and file, or null. */
  async find(id: number): Promise<{ incidentId: number; sha256: string; mime: string } | null> {
    const res = await this.pool.query<{ incidentId: number; sha256: string; mime: string }>(
      `SELECT incident_id AS "incidentId", sha256, mime FROM evidence WHERE id = $1`,
      [id],
    );
    return res.rows[0] ?? null;
  }

  /** Records a stored file on a case; the same photo twice on one case is one row (its first upload). */
  async insert(db: Queryable, incidentId: number, f: { sha256: string; mime: string; bytes: number }, userId: number): Promise<EvidenceRecord> {
    const res = await db.query<{ id: number }>(
      `
      INSERT INTO evidence (incident_id, sha256, mime, bytes, uploaded_by) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (incident_id, sha256) DO UPDATE SET uploaded_at = evidence.uploaded_at RETURNING id`,
      [incidentId, f.sha256, f.mime, f.bytes, userId],
    );
    return { id: res.rows[0]!.id, sha256: f.sha256, mime: f.mime, bytes: f.bytes };
  }
}

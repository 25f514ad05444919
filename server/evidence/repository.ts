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

  /** A building's register facts a photo of it needs: its district (scope) and stage (what the photo documents). */
  async building(id: number): Promise<{ id: number; code: string; districtAdcode: string; stage: string } | null> {
    const res = await this.pool.query<{ id: number; code: string; districtAdcode: string; stage: string }>(
      `SELECT id, code, district_adcode AS "districtAdcode", stage FROM illegal_buildings WHERE id = $1`,
      [id],
    );
    return res.rows[0] ?? null;
  }

  /**
   * Whether an officer works on a building: a patrol task of their squad for it, or a live dispatch on
   * a case about it.
   */
  async officerOnBuilding(buildingId: number, officerId: number): Promise<boolean> {
    const res = await this.pool.query(
      `
      SELECT 1 FROM building_inspections i JOIN officers o ON o.squad_id = i.squad_id
      WHERE i.building_id = $1 AND o.id = $2
      UNION ALL
      SELECT 1 FROM dispatches d JOIN incidents c ON c.id = d.incident_id
      WHERE c.building_id = $1 AND d.officer_id = $2 AND d.state IN ('pending', 'accepted')
      LIMIT 1`,
      [buildingId, officerId],
    );
    return (res.rowCount ?? 0) > 0;
  }

  /** A photo of a building (not of one of its cases), or null. */
  async findOfBuilding(buildingId: number, id: number): Promise<{ sha256: string; mime: string } | null> {
    const res = await this.pool.query<{ sha256: string; mime: string }>(`SELECT sha256, mime FROM evidence WHERE id = $1 AND building_id = $2`, [
      id,
      buildingId,
    ]);
    return res.rows[0] ?? null;
  }

  /** Records a stored file on a building at its stage; the same photo twice on one building is one row. */
  async insertForBuilding(
    db: Queryable,
    buildingId: number,
    stage: string,
    f: { sha256: string; mime: string; bytes: number },
    userId: number,
  ): Promise<EvidenceRecord> {
    const res = await db.query<{ id: number }>(
      `
      INSERT INTO evidence (incident_id, building_id, stage, sha256, mime, bytes, uploaded_by) VALUES (NULL, $1, $2, $3, $4, $5, $6)
      ON CONFLICT (building_id, sha256) WHERE incident_id IS NULL DO UPDATE SET uploaded_at = evidence.uploaded_at RETURNING id`,
      [buildingId, stage, f.sha256, f.mime, f.bytes, userId],
    );
    return { id: res.rows[0]!.id, sha256: f.sha256, mime: f.mime, bytes: f.bytes };
  }
}

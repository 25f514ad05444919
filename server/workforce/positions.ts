import type pg from 'pg';

export type { PositionUpdate } from '../../shared/cases/contract.ts';
import type { PositionUpdate } from '../../shared/cases/contract.ts';

/**
 * AVL: an officer's position is kept (last position and history) at most once a second; consoles get
 * the latest positions in one batch about once a second instead of a message per fix.
 */
export class PositionService {
  private pending = new Map<number, PositionUpdate>();
  private timer: NodeJS.Timeout | null = null;
  private listeners: ((batch: PositionUpdate[]) => void)[] = [];

  constructor(private readonly pool: pg.Pool, private readonly flushMs = 1000) {}

  /** Stores a fix; false when the officer's previous fix is less than a second old. */
  async record(officerId: number, fix: { lon: number; lat: number; accuracy?: number; recordedAt?: Date }): Promise<boolean> {
    const res = await this.pool.query<PositionUpdate>(`
      WITH moved AS (
        UPDATE officers SET position = ST_SetSRID(ST_MakePoint($2, $3), 4326), position_at = now()
        WHERE id = $1 AND (position_at IS NULL OR position_at <= now() - interval '1 second')
        RETURNING id, position, position_at, duty_status, squad_id
      ),
      kept AS (
        INSERT INTO officer_positions (officer_id, position, accuracy_m, recorded_at)
        SELECT id, position, $4, coalesce($5::timestamptz, position_at) FROM moved
      )
      SELECT m.id AS "officerId", ST_X(m.position) AS lon, ST_Y(m.position) AS lat,
             to_char(m.position_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
             m.duty_status AS "dutyStatus", s.district_adcode AS "districtAdcode"
      FROM moved m JOIN squads s ON s.id = m.squad_id`,
      [officerId, fix.lon, fix.lat, fix.accuracy ?? null, fix.recordedAt?.toISOString() ?? null]);
    const row = res.rows[0];
    if (!row) return false;
    this.pending.set(officerId, row);
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
    return true;
  }

  /** Positions already stored by someone else (a bulk AVL gateway, the load bench): batched as usual. */
  publish(rows: PositionUpdate[]): void {
    for (const row of rows) this.pending.set(row.officerId, row);
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  onBatch(fn: (batch: PositionUpdate[]) => void): void {
    this.listeners.push(fn);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending.clear();
    for (const fn of this.listeners) fn(batch);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

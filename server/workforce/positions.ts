import type pg from 'pg';
import type { Queryable } from '../db/transaction.ts';

export type { PositionUpdate } from '../../shared/cases/contract.ts';
import type { PositionUpdate } from '../../shared/cases/contract.ts';

/** Positions are taken within the districts' extent grown by this much (a squad may cross the city line). */
export const SERVED_MARGIN_METERS = 20_000;

/** A WGS84 box: [west, south, east, north]. */
export type Extent = [number, number, number, number];

/** The extent of every district served, WGS84; null when no district is loaded yet. */
export async function districtsExtent(db: Queryable): Promise<Extent | null> {
  const res = await db.query<{ w: number | null; s: number | null; e: number | null; n: number | null }>(`
    SELECT ST_XMin(x) AS w, ST_YMin(x) AS s, ST_XMax(x) AS e, ST_YMax(x) AS n FROM (SELECT ST_Extent(boundary)::box2d AS x FROM districts) d`);
  const r = res.rows[0];
  return r && r.w !== null && r.s !== null && r.e !== null && r.n !== null ? [r.w, r.s, r.e, r.n] : null;
}

/** `extent` grown by `meters` on every side (degrees of longitude measured at its latitude farthest from the equator). */
export function grow([w, s, e, n]: Extent, meters: number): Extent {
  const dLat = meters / 111_320;
  const dLon = meters / (111_320 * Math.max(Math.cos((Math.min(89, Math.max(Math.abs(s), Math.abs(n))) * Math.PI) / 180), 0.01));
  return [Math.max(-180, w - dLon), Math.max(-90, s - dLat), Math.min(180, e + dLon), Math.min(90, n + dLat)];
}

/** A fix refused: outside the area served (the route answers 422 with the message). */
export class PositionRefused extends Error {
  readonly status = 422;
}

/**
 * AVL: an officer's position is kept (last position and history) at most once a second; consoles get
 * the latest positions in one batch about once a second instead of a message per fix.
 */
export class PositionService {
  private pending = new Map<number, PositionUpdate>();
  private timer: NodeJS.Timeout | null = null;
  private listeners: ((batch: PositionUpdate[]) => void)[] = [];
  /** the served area, read once from the districts (they rarely change; a restart rereads them) */
  private area: Promise<Extent | null> | null = null;

  constructor(private readonly pool: pg.Pool, private readonly flushMs = 1000) {}

  /** The districts' extent grown by SERVED_MARGIN_METERS; null (anywhere) while no district is loaded. */
  servedArea(): Promise<Extent | null> {
    this.area ??= districtsExtent(this.pool).then(
      (e) => {
        if (!e) this.area = null; // ask again once districts are loaded
        return e && grow(e, SERVED_MARGIN_METERS);
      },
      (err: unknown) => {
        this.area = null;
        throw err;
      },
    );
    return this.area;
  }

  /**
   * Stores a fix (WGS84); false when the officer's previous fix is less than a second old. A fix
   * outside the area served (a GPS cold start at 0,0, a wrong crs) throws PositionRefused.
   */
  async record(officerId: number, fix: { lon: number; lat: number; accuracy?: number; recordedAt?: Date }): Promise<boolean> {
    const area = await this.servedArea();
    if (area && !(fix.lon >= area[0] && fix.lat >= area[1] && fix.lon <= area[2] && fix.lat <= area[3])) {
      const f = (x: number) => x.toFixed(3);
      throw new PositionRefused(`position ${fix.lon.toFixed(6)},${fix.lat.toFixed(6)} (WGS84) is outside the area this system serves `
        + `(lon ${f(area[0])}–${f(area[2])}, lat ${f(area[1])}–${f(area[3])}: the districts and ${SERVED_MARGIN_METERS / 1000} km around them); `
        + 'check the phone\'s location fix and the crs');
    }
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

import { fixClockProblem } from '#shared/position-fix.ts';
import { Problem } from '../http/problem.ts';
import { type Crs, toWgs84 } from '../cases/service.ts';
import type { Extent, PositionFix, WorkforceRepository } from './repository.ts';

export type { PositionUpdate } from '#shared/cases/contract.ts';
import type { PositionUpdate } from '#shared/cases/contract.ts';
export type { Extent } from './repository.ts';

/** Positions are taken within the districts' extent grown by this much (a squad may cross the city line). */
export const SERVED_MARGIN_METERS = 20_000;

/** `extent` grown by `meters` on every side (degrees of longitude measured at its latitude farthest from the equator). */
export function grow([w, s, e, n]: Extent, meters: number): Extent {
  const dLat = meters / 111_320;
  const dLon = meters / (111_320 * Math.max(Math.cos((Math.min(89, Math.max(Math.abs(s), Math.abs(n))) * Math.PI) / 180), 0.01));
  return [Math.max(-180, w - dLon), Math.max(-90, s - dLat), Math.min(180, e + dLon), Math.min(90, n + dLat)];
}

/** A fix refused: outside the area served (answered 422 with the message). */
export class PositionRefused extends Problem {
  constructor(message: string) {
    super(422, message);
    this.name = 'PositionRefused';
  }
}

/** How long a fix waits for others to be written with it (one statement per batch, not per fix). */
const WRITE_WINDOW_MS = 50;
/** A batch written at once at most; more wait for the next statement. */
const WRITE_BATCH = 2_000;

/** Day tables of the position history made ahead of time, so no fix waits for one (nor lands in the default). */
export const POSITION_DAYS_AHEAD = 2;

interface Waiting {
  fix: PositionFix;
  done: (kept: PositionUpdate | null) => void;
  fail: (err: unknown) => void;
}

/**
 * AVL: an officer's position is kept (last position and history) at most once a second. Fixes are
 * written in batches (one statement per WRITE_WINDOW_MS, however many phones reported meanwhile) and
 * consoles get the latest positions in one batch about once a second instead of a message per fix.
 */
export class PositionService {
  private pending = new Map<number, PositionUpdate>();
  private timer: NodeJS.Timeout | null = null;
  private listeners: ((batch: PositionUpdate[]) => void)[] = [];
  /** the served area, read once from the districts (they rarely change; a restart rereads them) */
  private area: Promise<Extent | null> | null = null;
  /** fixes waiting for the next write, by officer (a second fix within the window is refused as too soon) */
  private toWrite = new Map<number, Waiting>();
  private writeTimer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;

  constructor(
    private readonly repo: WorkforceRepository,
    private readonly flushMs = 1000,
  ) {}

  /** The districts' extent grown by SERVED_MARGIN_METERS; null (anywhere) while no district is loaded. */
  servedArea(): Promise<Extent | null> {
    this.area ??= this.repo.districtsExtent().then(
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
      throw new PositionRefused(
        `position ${fix.lon.toFixed(6)},${fix.lat.toFixed(6)} (WGS84) is outside the area this system serves ` +
          `(lon ${f(area[0])}–${f(area[2])}, lat ${f(area[1])}–${f(area[3])}: the districts and ${SERVED_MARGIN_METERS / 1000} km around them); ` +
          "check the phone's location fix and the crs",
      );
    }
    // a second fix of the same officer before the first is written is less than a second after it
    if (this.toWrite.has(officerId)) return false;
    const row = await new Promise<PositionUpdate | null>((done, fail) => {
      this.toWrite.set(officerId, { fix: { officerId, ...fix }, done, fail });
      if (this.toWrite.size >= WRITE_BATCH) this.write();
      else this.writeTimer ??= setTimeout(() => this.write(), WRITE_WINDOW_MS);
    });
    if (!row) return false;
    this.pending.set(officerId, row);
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
    return true;
  }

  /** Writes what waits, one statement at a time (the next batch gathers meanwhile). */
  private write(): void {
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.writeTimer = null;
    if (this.writing || this.toWrite.size === 0) return;
    const batch = [...this.toWrite.values()].slice(0, WRITE_BATCH);
    for (const w of batch) this.toWrite.delete(w.fix.officerId);
    this.writing = this.repo.storePositions(batch.map((w) => w.fix)).then(
      (rows) => {
        const kept = new Map(rows.map((r) => [r.officerId, r]));
        for (const w of batch) w.done(kept.get(w.fix.officerId) ?? null);
      },
      (err: unknown) => {
        for (const w of batch) w.fail(err);
      },
    );
    void this.writing.finally(() => {
      this.writing = null;
      if (this.toWrite.size >= WRITE_BATCH) this.write();
      else if (this.toWrite.size > 0) this.writeTimer ??= setTimeout(() => this.write(), WRITE_WINDOW_MS);
    });
  }

  /**
   * A fix as a phone reports it (any crs, its own clock): converted to WGS84 and stored by `record`.
   * A fix stamped far from the server's clock is refused (400), as is one within a second of the
   * officer's previous fix (429).
   */
  async report(officerId: number, fix: { lon: number; lat: number; crs?: Crs; accuracy?: number; recordedAt?: string }): Promise<void> {
    const [lon, lat] = toWgs84(fix.lon, fix.lat, fix.crs ?? 'wgs84');
    const recordedAt = fix.recordedAt ? new Date(fix.recordedAt) : undefined;
    const skew = recordedAt && fixClockProblem(recordedAt);
    if (skew) throw new Problem(400, skew);
    const kept = await this.record(officerId, { lon, lat, accuracy: fix.accuracy, recordedAt });
    if (!kept) throw new Problem(429, 'positions are kept at most once a second per officer; send the next fix a little later');
  }

  /** Positions already stored by someone else (a bulk AVL gateway, the load bench): batched as usual. */
  publish(rows: PositionUpdate[]): void {
    for (const row of rows) this.pending.set(row.officerId, row);
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  /** Keeps `keepDays` days of history and the tables of the next POSITION_DAYS_AHEAD days; idempotent. */
  retain(keepDays: number): Promise<{ created: number; dropped: number }> {
    return this.repo.retainPositions(keepDays, POSITION_DAYS_AHEAD);
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
    // what waits is written now: its phones are still owed an answer
    this.write();
  }
}

// The load of bench/console.ts, driven inside the server process: every on-duty officer moves once a
// second (one bulk UPDATE, then the PositionService's own batch to the consoles' sockets), and case
// events (intake, register, dispatch, void) arrive at a steady rate through the CaseService,
// the same code the HTTP routes call.
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { AuthUser } from '../../server/auth/user.ts';
import type { PositionUpdate } from '#shared/cases/contract.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * One fix per officer per second, as 2,000 phones posting /api/officers/me/position would leave it:
 * the position and its history row written (one statement instead of 2,000), then the rows handed to
 * the PositionService, whose flush() emits the `positions` batch to the console rooms exactly as in
 * production (city room whole, district rooms their share).
 * (PositionService.publish: positions stored by someone else, as an AVL gateway would.)
 */
export class PositionDriver {
  readonly ticks: { at: number; sqlMs: number; lateMs: number; sent: number }[] = [];
  private stopped = false;
  private loop: Promise<void> | null = null;
  constructor(
    private readonly app: FastifyInstance,
    private readonly pool: pg.Pool,
    private readonly officerIds: number[],
  ) {}

  start(): void {
    this.stopped = false;
    const started = performance.now();
    this.loop = (async () => {
      for (let k = 0; !this.stopped; k++) {
        const due = started + k * 1000;
        await sleep(due - performance.now());
        if (this.stopped) break;
        const t = performance.now();
        const sent = await this.tick(k);
        this.ticks.push({ at: t, sqlMs: performance.now() - t, lateMs: t - due, sent });
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async tick(k: number): Promise<number> {
    // Each officer circles (heading turns 0.35 rad/s, 6 m/s: ≈ 110 m around), in step with the others.
    const res = await this.pool.query<PositionUpdate>({
      name: 'bench-console-move',
      text: `
      WITH m AS (SELECT id, $2::float8 * 0.35 + id * 2.39996 AS a FROM unnest($1::int[]) AS id),
      moved AS (
        UPDATE officers o SET
          position = ST_SetSRID(ST_MakePoint(
            ST_X(o.position) + cos(m.a) * 6 / (111320 * cos(radians(ST_Y(o.position)))),
            ST_Y(o.position) + sin(m.a) * 6 / 111320), 4326),
          position_at = now()
        FROM m WHERE o.id = m.id AND o.position IS NOT NULL
        RETURNING o.id, o.position, o.position_at, o.duty_status, o.squad_id
      ),
      kept AS (
        INSERT INTO officer_positions (officer_id, position, accuracy_m, recorded_at)
        SELECT id, position, 8, position_at FROM moved
      )
      SELECT m.id AS "officerId", ST_X(m.position) AS lon, ST_Y(m.position) AS lat,
             to_char(m.position_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
             m.duty_status AS "dutyStatus", s.district_adcode AS "districtAdcode"
      FROM moved m JOIN squads s ON s.id = m.squad_id`,
      values: [this.officerIds, k],
    });
    this.app.zhihui.positions.publish(res.rows);
    this.app.zhihui.positions.flush();
    return res.rows.length;
  }
}

type CaseOp = 'intake+register' | 'intake' | 'register' | 'dispatch' | 'void';
const CYCLE: CaseOp[] = ['intake+register', 'register', 'intake', 'dispatch', 'void'];

/**
 * Case events at `rate` operations a second, evenly spaced, one after another: new cases (some
 * registered at once), registering and voiding reported cases, dispatching registered ones to a
 * free certified officer. Every operation is one transaction and its events reach the consoles.
 */
export class CaseDriver {
  readonly done: Record<CaseOp, number> = { 'intake+register': 0, intake: 0, register: 0, dispatch: 0, void: 0 };
  readonly errors: string[] = [];
  /** when each operation started (performance.now()) */
  readonly ops: number[] = [];
  private stopped = false;
  private loop: Promise<void> | null = null;
  private n = 0;

  constructor(
    private readonly app: FastifyInstance,
    private readonly user: AuthUser,
    private readonly rate: number,
    private readonly pools: { points: [number, number][]; categories: string[]; reported: number[]; registered: number[]; freeOfficers: number[] },
  ) {}

  start(): void {
    this.stopped = false;
    if (this.rate <= 0) return;
    const started = performance.now();
    this.loop = (async () => {
      for (let k = 0; !this.stopped; k++) {
        await sleep(started + (k * 1000) / this.rate - performance.now());
        if (this.stopped) break;
        this.ops.push(performance.now());
        await this.op(CYCLE[k % CYCLE.length]!).catch((err: unknown) => {
          if (this.errors.length < 20) this.errors.push(err instanceof Error ? err.message : String(err));
        });
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async op(kind: CaseOp): Promise<void> {
    const svc = this.app.zhihui.cases;
    const p = this.pools;
    if (kind === 'register' || kind === 'void') {
      const id = p.reported.pop();
      if (id === undefined) return this.op('intake');
      await svc.step(this.user, id, kind, kind === 'void' ? { reason: '压测：重复上报 bench: duplicate report' } : {});
      if (kind === 'register') p.registered.push(id);
    } else if (kind === 'dispatch') {
      const id = p.registered.pop();
      const officer = p.freeOfficers.pop();
      if (id === undefined || officer === undefined) return this.op('intake');
      await svc.step(this.user, id, 'dispatch', { officerIds: [officer] });
    } else {
      const i = this.n++;
      const [lon, lat] = p.points[i % p.points.length]!;
      const r = await svc.intake(
        this.user,
        {
          category: p.categories[(i * 7) % p.categories.length]!,
          source: 'public',
          sourceRef: `bench-console-live-${i}`,
          description: `压测实时案件 bench live case ${i}`,
          lon,
          lat,
          register: kind === 'intake+register',
        },
        null,
      );
      (kind === 'intake' ? p.reported : p.registered).unshift(r.incident.id);
    }
    this.done[kind] += 1;
  }
}

import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { DEMO_CATALOGUE } from '#shared/categories/catalogue-demo.ts';
import type { CaseAction } from '#shared/cases/state-machine.ts';
import type { Outcome, Source } from '#shared/cases/states.ts';
import type { AuthUser } from '../auth/user.ts';
import { CaseService } from '../cases/service.ts';
import { ClockWatcher } from '../clocks/watcher.ts';
import { ClockedTransaction } from '../db/clocked-transaction.ts';
import { EventBus } from '../events/bus.ts';
import { simulatorUserId } from '../simulator/simulator-user.ts';
import { UserRepository } from '../users/repository.ts';
import { DEMO_SEED_NAME } from './demo-city.ts';
import { HISTORY_DAY_HOURS, HISTORY_SPOTS_SQL, HOURS_BY_KIND, type HistoryOfficer, type HistorySpot } from './history-data.ts';
import { seededRandom } from './random.ts';

export const HISTORY_SEED_NAME = 'demo-city-history';

const HOUR = 3_600_000;
const MIN = 60_000;

// Street-order and city-appearance problems dominate real case loads; emergencies are rare (as the simulator).
const CATEGORIES = DEMO_CATALOGUE.flatMap((c) =>
  c.entries.map((e) => ({ code: e.minor, zh: e.zh, enforcement: e.enforcement, weight: c.major === '04' ? 1 : c.major === '05' ? 6 : 3 })),
);
// public = the 12345 hotline and the app: the complaints the key-area board counts
const SOURCES: [Source, number][] = [
  ['public', 45],
  ['video', 20],
  ['inspection', 20],
  ['department', 10],
  ['media', 5],
];
const OUTCOMES: [Outcome, number][] = [
  ['service', 0.7],
  ['management', 0.2],
  ['enforcement', 0.1],
];

export interface HistoryOptions {
  days: number;
  now?: Date;
  log?: (msg: string) => void;
}

export interface HistoryResult {
  seeded: boolean;
  counts: Record<string, number>;
  ms: number;
}

interface Planned {
  at: number;
  seq: number;
  run: () => Promise<void>;
}

/**
 * A past for the demo city: `days` of cases reported where and when such problems come up (markets
 * in the morning, stations at the rush hours, nightlife at night, the rest of the city by day), run
 * through the real case services and the overdue clock at their times (ClockedTransaction), so every
 * case has the events, dispatches and stamps a live one would. Most close in time, some late (the
 * clock marks them overdue), some are sent back once; the last hours are left as the queue a
 * dispatcher finds on the first morning. One transaction under the seed's advisory lock, once:
 * deterministic for a given `now` (seeded random, officers taken in turn).
 */
export async function seedDemoHistory(pool: pg.Pool, opts: HistoryOptions): Promise<HistoryResult> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  if (opts.days <= 0) return { seeded: false, counts: {}, ms: 0 };
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('zhihui-demo-seed'))`);
    const runs = await client.query<{ name: string }>(`SELECT name FROM seed_runs WHERE name = ANY($1::text[])`, [[DEMO_SEED_NAME, HISTORY_SEED_NAME]]);
    const names = runs.rows.map((r) => r.name);
    if (!names.includes(DEMO_SEED_NAME) || names.includes(HISTORY_SEED_NAME)) {
      await client.query('ROLLBACK');
      return { seeded: false, counts: {}, ms: performance.now() - started };
    }
    const counts = await runHistory(client, opts.days, opts.now ?? new Date(), log);
    await client.query(`INSERT INTO seed_runs (name, summary) VALUES ($1, $2)`, [HISTORY_SEED_NAME, JSON.stringify({ days: opts.days, counts })]);
    await client.query('COMMIT');
    await client.query('ANALYZE incidents, incident_events, dispatches');
    return { seeded: true, counts, ms: performance.now() - started };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

function weighted<T>(rand: () => number, items: [T, number][]): T {
  let r = rand() * items.reduce((a, [, w]) => a + w, 0);
  for (const [item, w] of items) if ((r -= w) <= 0) return item;
  return items[0]![0];
}

async function runHistory(client: pg.PoolClient, days: number, now: Date, log: (msg: string) => void): Promise<Record<string, number>> {
  const tx = new ClockedTransaction(client);
  const db = tx.pool;
  const bus = new EventBus(db); // never started: nobody is listening to the past
  const cases = new CaseService(db, bus, undefined, () => tx.now());
  const quiet = { info() {}, warn() {}, error() {}, debug() {} } as unknown as FastifyBaseLogger;
  const clocks = new ClockWatcher(db, bus, { intervalMs: 3_600_000, acceptTimeoutSeconds: 900 }, quiet);
  const users = new UserRepository(db);
  const actorId = await simulatorUserId(users, db);
  const as = (role: AuthUser['role'], officerId: number | null = null): AuthUser => ({
    id: actorId,
    login: 'simulator',
    role,
    districtAdcode: null,
    officerId,
  });

  const spots = (await client.query<HistorySpot>(HISTORY_SPOTS_SQL)).rows;
  const officers = (
    await client.query<HistoryOfficer>(`
      SELECT o.id, s.district_adcode AS district,
             (o.kind = 'officer' AND (o.certificate_expires IS NULL OR o.certificate_expires >= current_date)) AS certified
      FROM officers o JOIN squads s ON s.id = o.squad_id
      WHERE o.duty_status = 'available' ORDER BY o.id`)
  ).rows;
  const busy = new Set<number>();
  const turn = new Map<string, number>();
  /** the next free officer of the district in turn (certified for enforcement), or null: all out */
  const nextOfficer = (district: string, enforcement: boolean): number | null => {
    const pool = officers.filter((o) => o.district === district && (!enforcement || o.certified));
    for (let k = 0; k < pool.length; k++) {
      const i = ((turn.get(district) ?? 0) + k) % pool.length;
      if (!busy.has(pool[i]!.id)) {
        turn.set(district, i + 1);
        return pool[i]!.id;
      }
    }
    return null;
  };

  const end = now.getTime();
  // start at midnight China time `days` ago
  const startDay = Math.floor((end + 8 * HOUR) / (24 * HOUR)) * 24 * HOUR - 8 * HOUR - days * 24 * HOUR;
  const queue: Planned[] = [];
  let seq = 0;
  const plan = (at: number, run: () => Promise<void>) => {
    if (at >= end) return;
    const p = { at, seq: seq++, run };
    // a sorted insert from the back: most plans land near the end
    let i = queue.length;
    while (i > 0 && (queue[i - 1]!.at > at || (queue[i - 1]!.at === at && queue[i - 1]!.seq > p.seq))) i--;
    queue.splice(i, 0, p);
  };
  const counts = { cases: 0, closed: 0, late: 0, reworked: 0, voided: 0, waiting: 0, skipped: 0 };
  const byKind = new Map<string, HistorySpot[]>();
  for (const s of spots) byKind.set(s.kind, [...(byKind.get(s.kind) ?? []), s]);

  for (let d = 0; d <= days; d++) {
    const rand = seededRandom(20260000 + d);
    const dayStart = startDay + d * 24 * HOUR;
    const weekday = new Date(dayStart + 8 * HOUR).getUTCDay();
    const n = Math.round((weekday === 0 || weekday === 6 ? 7 : 10) + rand() * 4);
    for (let k = 0; k < n; k++) {
      // where: a key area at its hours (half the reports), or anywhere in the city by day
      const kind =
        rand() < 0.5
          ? weighted(
              rand,
              Object.keys(HOURS_BY_KIND).map((x) => [x, 1] as [string, number]),
            )
          : 'city';
      const places = byKind.get(kind) ?? byKind.get('city')!;
      const spot = places[Math.floor(rand() * places.length)]!;
      const hour = weighted(
        rand,
        (HOURS_BY_KIND[kind] ?? HISTORY_DAY_HOURS).map((h) => [h, 1] as [number, number]),
      );
      const reportAt = dayStart + hour * HOUR + Math.floor(rand() * 60) * MIN;
      const category = weighted(
        rand,
        CATEGORIES.map((c) => [c, c.weight]),
      );
      const source = kind === 'city' ? weighted(rand, SOURCES) : weighted(rand, [['public', 70], ...SOURCES.slice(1)] as [Source, number][]);
      // the last three hours wait for the humans: the queue of the first morning
      const waiting = end - reportAt < 3 * HOUR;
      const draws = {
        jitter: [(rand() - 0.5) * 0.0008, (rand() - 0.5) * 0.0008] as const,
        registerNow: rand() < 0.75,
        voided: rand() < 0.03,
        late: rand() < 0.08,
        rework: rand() < 0.05,
        delays: Array.from({ length: 8 }, () => rand()),
        outcome: weighted(rand, OUTCOMES),
        stopAt: Math.floor(rand() * 3),
      };
      const lon = spot.lon + draws.jitter[0];
      const lat = spot.lat + draws.jitter[1];
      const ref = `HIST-${new Date(reportAt + 8 * HOUR).toISOString().slice(0, 10).replaceAll('-', '')}-${k}`;
      plan(reportAt, async () => {
        const { incident } = await cases.intake(
          as('admin'),
          { category: category.code, source, sourceRef: ref, description: `${category.zh}（历史演示）`, lon, lat, register: draws.registerNow },
          null,
        );
        counts.cases++;
        const id = incident.id;
        const district = incident.districtAdcode!;
        const step = (role: AuthUser['role'], action: CaseAction, input: object = {}, officerId: number | null = null) =>
          cases.take(as(role, officerId), id, action, input as never);
        const later = (base: number, minMinutes: number, maxMinutes: number, i: number) =>
          base + (minMinutes + draws.delays[i]! * (maxMinutes - minMinutes)) * MIN;
        const t0 = tx.now().getTime();
        if (waiting) {
          counts.waiting++;
          // reported (to verify), registered (to dispatch), or on the way with an officer
          if (draws.stopAt === 0) return;
          if (!draws.registerNow) await step('supervisor', 'register');
          if (draws.stopAt === 2) {
            const officer = nextOfficer(district, incident.category.enforcement);
            if (officer === null) return;
            await step('dispatcher', 'dispatch', { officerIds: [officer] });
            busy.add(officer);
            await step('officer', 'accept', {}, officer);
          }
          return;
        }
        const registerAt = draws.registerNow ? t0 : later(t0, 5, 40, 0);
        plan(registerAt, async () => {
          if (draws.voided) {
            counts.voided++;
            return void (await step('supervisor', 'void', { reason: '核实：非城管职责' }));
          }
          if (!draws.registerNow) await step('supervisor', 'register');
          const send = async (round: number): Promise<void> => {
            const officer = nextOfficer(district, incident.category.enforcement);
            // everyone of the district is out: the dispatcher tries again a little later
            if (officer === null) return plan(tx.now().getTime() + 15 * MIN, () => send(round));
            await step('dispatcher', round ? 'rework' : 'dispatch', { officerIds: [officer], reason: round ? '核查未通过，返工' : undefined });
            busy.add(officer);
            const acceptAt = later(tx.now().getTime(), 1, 10, 1);
            plan(acceptAt, async () => {
              await step('officer', 'accept', {}, officer);
              const arriveAt = later(acceptAt, 5, 35, 2);
              plan(arriveAt, async () => {
                await step('officer', 'arrive', { lon, lat }, officer);
                // a late case lies past its deadline: the overdue clock marks and escalates it first
                const handleAt = draws.late
                  ? Math.max(later(arriveAt, 20, 90, 3), new Date(incident.deadline!).getTime() + (2 + draws.delays[3]! * 20) * HOUR)
                  : later(arriveAt, 10, 80, 3);
                if (draws.late) plan(new Date(incident.deadline!).getTime() + 5 * MIN, () => clocks.tick().then(() => undefined));
                plan(handleAt, async () => {
                  await step('officer', 'handle', { outcome: draws.outcome, notes: '处置完成' }, officer);
                  busy.delete(officer);
                  plan(later(handleAt, 15, 240, 4), async () => {
                    if (draws.rework && round === 0) {
                      counts.reworked++;
                      await step('supervisor', 'rework', { reason: '核查未通过，返工' });
                      // the rework went back to the same officer: it is their case again
                      busy.add(officer);
                      return acceptAgain(officer);
                    }
                    await step('supervisor', 'close');
                    counts.closed++;
                    if (draws.late) counts.late++;
                  });
                });
              });
            });
          };
          const acceptAgain = async (officer: number) => {
            const acceptAt = later(tx.now().getTime(), 2, 20, 5);
            plan(acceptAt, async () => {
              await step('officer', 'accept', {}, officer);
              plan(later(acceptAt, 10, 40, 6), async () => {
                await step('officer', 'arrive', { lon, lat }, officer);
                plan(later(tx.now().getTime(), 10, 60, 7), async () => {
                  await step('officer', 'handle', { outcome: draws.outcome, notes: '返工后处置完成' }, officer);
                  busy.delete(officer);
                  plan(later(tx.now().getTime(), 15, 120, 4), async () => {
                    await step('supervisor', 'close');
                    counts.closed++;
                  });
                });
              });
            });
          };
          plan(later(tx.now().getTime(), 3, 25, 0), () => send(0));
        });
      });
    }
  }

  let ran = 0;
  let lastLog = performance.now();
  while (queue.length) {
    const next = queue.shift()!;
    tx.set(new Date(next.at));
    await next.run().catch((err: unknown) => {
      // a step the rules refuse (the case moved on meanwhile) is skipped, as a person would find it done
      if ((err as { status?: number }).status === undefined) throw err;
      counts.skipped++;
    });
    ran++;
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(`history: ${ran} steps, ${counts.cases} cases, at ${new Date(next.at).toISOString().slice(0, 10)}`);
    }
  }
  // the clock as it stands now: what is past its deadline today is overdue on the first screen too
  tx.set(now);
  await clocks.tick();
  return { ...counts, steps: ran };
}

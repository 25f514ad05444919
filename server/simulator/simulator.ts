import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { DEMO_CATALOGUE } from '#shared/categories/catalogue-demo.ts';
import type { Outcome, Source } from '#shared/cases/states.ts';
import type { AuthUser } from '../auth/user.ts';
import type { CaseService } from '../cases/service.ts';
import { UserRepository } from '../users/repository.ts';
import type { PositionService } from '../workforce/positions.ts';
import { HISTORY_DAY_HOURS, HOURS_BY_KIND, type HistorySpot } from '../seed/history-data.ts';
import { type SimulatedCase, SimulatorRepository } from './repository.ts';
import { simulatorUserId } from './simulator-user.ts';

const SOURCES: Source[] = ['public', 'public', 'public', 'video', 'video', 'department', 'inspection', 'media'];
// Street-order and city-appearance problems dominate real case loads; emergencies are rare.
const WEIGHTED = DEMO_CATALOGUE.flatMap((c) => c.entries.map((e) => ({ code: e.minor, zh: e.zh, weight: c.major === '04' ? 1 : c.major === '05' ? 6 : 3 })));
const OUTCOMES: [Outcome, number][] = [
  ['service', 0.7],
  ['management', 0.2],
  ['enforcement', 0.1],
];

function weighted<T>(items: [T, number][]): T {
  let r = Math.random() * items.reduce((a, [, w]) => a + w, 0);
  for (const [item, w] of items) if ((r -= w) <= 0) return item;
  return items[0]![0];
}

export interface SimulatorOptions {
  newCaseEveryMs: number;
  tickMs: number;
  /**
   * Also play the dispatcher, the officers and the supervisors (SIMULATE=autopilot). Off, the
   * simulator only brings the work (reports) and moves the officers on patrol: dispatching and the
   * demo officer are the humans' job.
   */
  autopilot?: boolean;
}

/** China time's hour now: reports come where such problems come up at this hour. */
function chinaHour(): number {
  return (new Date().getUTCHours() + 8) % 24;
}

/**
 * SIMULATE=true: plausible reports across the demo city by category and source, where and when such
 * problems come up (markets in the morning, stations at the rush hours, nightlife at night), and
 * on-duty officers patrolling, so the map, the heatmap and the key-area board move. SIMULATE=autopilot
 * also dispatches them to the recommended officers, who drive there, accept, arrive and report back;
 * supervisors close most and send some back. The officer a human holds (linked to a user) is never
 * moved nor answered for. Every step goes through the same services as real users. Actions are
 * recorded under the "simulator" user.
 */
export class Simulator {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private user!: AuthUser;
  private readonly waits = new Map<number, number>();
  private readonly repo: SimulatorRepository;
  private readonly users: UserRepository;
  private spots: HistorySpot[] = [];
  private humans = new Set<number>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly cases: CaseService,
    private readonly positions: PositionService,
    private readonly log: FastifyBaseLogger,
    private readonly opts: SimulatorOptions = { newCaseEveryMs: 5_000, tickMs: 2_000 },
  ) {
    this.repo = new SimulatorRepository(pool);
    this.users = new UserRepository(pool);
  }

  async start(): Promise<void> {
    const id = await simulatorUserId(this.users, this.pool);
    this.user = { id, login: 'simulator', role: 'admin', districtAdcode: null, officerId: null };
    this.spots = await this.repo.spots();
    this.humans = new Set(await this.repo.humanOfficers());
    let sinceNew = Infinity;
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      sinceNew += this.opts.tickMs;
      const makeNew = sinceNew >= this.opts.newCaseEveryMs;
      if (makeNew) sinceNew = 0;
      void this.tick(makeNew)
        .catch((err) => this.log.warn({ err }, 'simulator'))
        .finally(() => {
          this.busy = false;
        });
    }, this.opts.tickMs);
    this.log.info({ autopilot: this.opts.autopilot === true }, 'simulator running');
  }

  /** Stops ticking and waits for a tick under way, so the pool can be closed after. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.busy) await new Promise((r) => setTimeout(r, 20));
  }

  private as(role: AuthUser['role'], officerId: number | null = null): AuthUser {
    return { ...this.user, role, officerId };
  }

  private async tick(makeNew: boolean): Promise<void> {
    if (makeNew) await this.newCase();
    await this.patrol();
    if (!this.opts.autopilot) return;
    const open = await this.repo.openCases(100);
    for (const inc of open) {
      const waited = (this.waits.get(inc.id) ?? 0) + 1;
      this.waits.set(inc.id, waited);
      if (waited < 2 + Math.random() * 3) continue; // people take a few seconds per step
      this.waits.set(inc.id, 0);
      await this.advance(inc).catch((err) => this.log.debug({ err, id: inc.id }, 'simulator step skipped'));
    }
  }

  /** A few free on-duty officers walk their beat (some 30–80 m a tick). */
  private async patrol(): Promise<void> {
    const free = await this.repo.patrollers();
    for (let k = 0; k < Math.min(6, free.length); k++) {
      const o = free[Math.floor(Math.random() * free.length)]!;
      const step = 0.0003 + Math.random() * 0.0005;
      const angle = Math.random() * 2 * Math.PI;
      await this.positions
        .record(o.id, { lon: o.lon + Math.cos(angle) * step, lat: o.lat + Math.sin(angle) * step * 0.86, accuracy: 10 })
        .catch((err) => this.log.debug({ err, id: o.id }, 'simulator patrol step refused'));
    }
  }

  /** A hotspot of a kind busy at this hour (or the city at large), with a few metres of jitter. */
  private where(): { lon: number; lat: number } | null {
    if (this.spots.length === 0) return null;
    const hour = chinaHour();
    const kinds: [string, number][] = [
      ...Object.entries(HOURS_BY_KIND).map(([k, hours]) => [k, hours.filter((h) => h === hour).length * 2] as [string, number]),
      ['city', HISTORY_DAY_HOURS.filter((h) => h === hour).length + 0.5],
    ];
    const kind = weighted(kinds.filter(([k, w]) => w > 0 && this.spots.some((s) => s.kind === k)));
    const places = this.spots.filter((s) => s.kind === kind);
    const spot = places[Math.floor(Math.random() * places.length)]!;
    return { lon: spot.lon + (Math.random() - 0.5) * 0.0006, lat: spot.lat + (Math.random() - 0.5) * 0.0006 };
  }

  private async newCase(): Promise<void> {
    const { lon, lat } = this.where() ?? (await this.repo.randomSpot());
    const category = weighted(WEIGHTED.map((c) => [c, c.weight] as [typeof c, number]));
    await this.cases.intake(
      this.as('admin'),
      {
        category: category.code,
        source: SOURCES[Math.floor(Math.random() * SOURCES.length)]!,
        sourceRef: `SIM-${Date.now()}`,
        description: `${category.zh}（模拟）`,
        lon,
        lat,
        register: Math.random() < 0.7,
      },
      null,
    );
  }

  private async advance(inc: SimulatedCase): Promise<void> {
    const officer = inc.officers.find((o) => !this.humans.has(o)) ?? null;
    switch (inc.state) {
      case 'reported':
        await this.cases.step(this.as('supervisor'), inc.id, Math.random() < 0.95 ? 'register' : 'void', { reason: '模拟核实：非城管职责' });
        return;
      case 'registered': {
        // the dispatcher's own recommendations: the responsible squad first, then the nearest
        const candidates = (await this.cases.recommendations(this.as('dispatcher'), inc.id, 5)) ?? [];
        // never the officer a human holds: their phone is theirs to answer
        const free = candidates.filter((c) => !this.humans.has(c.officerId));
        const pick = inc.enforcement ? free.find((c) => c.certified) : free[0];
        if (pick) await this.cases.step(this.as('dispatcher'), inc.id, 'dispatch', { officerIds: [pick.officerId] });
        return;
      }
      case 'dispatched':
        if (officer) await this.cases.step(this.as('officer', officer), inc.id, 'accept', {});
        return;
      case 'accepted': {
        if (!officer) return;
        // Drive towards the case; arrive once close.
        const p = await this.repo.officerDistance(officer, inc.lon, inc.lat);
        if (!p || p.meters < 40) {
          await this.cases.step(this.as('officer', officer), inc.id, 'arrive', { lon: inc.lon, lat: inc.lat });
          return;
        }
        const f = Math.min(1, 250 / p.meters);
        await this.positions.record(officer, { lon: p.lon + (inc.lon - p.lon) * f, lat: p.lat + (inc.lat - p.lat) * f, accuracy: 10 });
        return;
      }
      case 'on_scene':
        if (officer) await this.cases.step(this.as('officer', officer), inc.id, 'handle', { outcome: weighted(OUTCOMES), notes: '模拟处置完成' });
        return;
      case 'handled':
        if (Math.random() < 0.9) await this.cases.step(this.as('supervisor'), inc.id, 'close', {});
        else await this.cases.step(this.as('supervisor'), inc.id, 'rework', { reason: '模拟核查未通过' });
        return;
    }
  }
}

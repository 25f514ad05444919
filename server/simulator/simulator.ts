import crypto from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { DEMO_CATALOGUE } from '../../shared/categories/catalogue-demo.ts';
import type { Outcome, Source } from '../../shared/cases/states.ts';
import type { AuthUser } from '../auth/user.ts';
import { recommend, responsibleSquad } from '../dispatch/repository.ts';
import type { IncidentService } from '../incidents/service.ts';
import { UserRepository } from '../users/repository.ts';
import type { PositionService } from '../workforce/positions.ts';

const SOURCES: Source[] = ['public', 'public', 'public', 'video', 'video', 'department', 'inspection', 'media'];
// Street-order and city-appearance problems dominate real case loads; emergencies are rare.
const WEIGHTED = DEMO_CATALOGUE.flatMap((c) => c.entries.map((e) => ({ code: e.minor, zh: e.zh, weight: c.major === '04' ? 1 : c.major === '05' ? 6 : 3 })));
const OUTCOMES: [Outcome, number][] = [['service', 0.7], ['management', 0.2], ['enforcement', 0.1]];

function weighted<T>(items: [T, number][]): T {
  let r = Math.random() * items.reduce((a, [, w]) => a + w, 0);
  for (const [item, w] of items) if ((r -= w) <= 0) return item;
  return items[0]![0];
}

/**
 * SIMULATE=true: plausible cases across the demo city by category and source, dispatched to the
 * recommended officers, who drive there, accept, arrive and report back; supervisors close most and
 * send some back. Every step goes through the same services as real users, so the console, the
 * event log and the clocks see a living city. Actions are recorded under the "simulator" user.
 */
export class Simulator {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private user!: AuthUser;
  private readonly waits = new Map<number, number>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly incidents: IncidentService,
    private readonly positions: PositionService,
    private readonly log: FastifyBaseLogger,
    private readonly opts = { newCaseEveryMs: 5_000, tickMs: 2_000 },
  ) {}

  async start(): Promise<void> {
    const existing = await this.pool.query<{ id: number }>(`SELECT id FROM users WHERE login = 'simulator'`);
    const id = existing.rows[0]?.id ?? (await new UserRepository(this.pool).create({
      login: 'simulator', password: crypto.randomBytes(24).toString('base64url'), displayName: '模拟器 simulator', role: 'admin', districtAdcode: null, officerId: null,
    })).id;
    this.user = { id, login: 'simulator', role: 'admin', districtAdcode: null, officerId: null };
    let sinceNew = Infinity;
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      sinceNew += this.opts.tickMs;
      const makeNew = sinceNew >= this.opts.newCaseEveryMs;
      if (makeNew) sinceNew = 0;
      void this.tick(makeNew).catch((err) => this.log.warn({ err }, 'simulator')).finally(() => {
        this.busy = false;
      });
    }, this.opts.tickMs);
    this.log.info('simulator running');
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
    const open = await this.pool.query<{ id: number; state: string; lon: number; lat: number; enforcement: boolean; officers: number[] }>(`
      SELECT i.id, i.state, ST_X(i.position) AS lon, ST_Y(i.position) AS lat, c.involves_enforcement AS enforcement,
             coalesce(array_agg(d.officer_id) FILTER (WHERE d.state IN ('pending', 'accepted')), '{}') AS officers
      FROM incidents i JOIN categories c ON c.id = i.category_id LEFT JOIN dispatches d ON d.incident_id = i.id
      WHERE i.source_ref LIKE 'SIM-%' AND i.state NOT IN ('closed', 'voided', 'suspended')
      GROUP BY i.id, c.involves_enforcement ORDER BY i.id LIMIT 100`);
    for (const inc of open.rows) {
      const waited = (this.waits.get(inc.id) ?? 0) + 1;
      this.waits.set(inc.id, waited);
      if (waited < 2 + Math.random() * 3) continue; // people take a few seconds per step
      this.waits.set(inc.id, 0);
      await this.advance(inc).catch((err) => this.log.debug({ err, id: inc.id }, 'simulator step skipped'));
    }
  }

  private async newCase(): Promise<void> {
    const spot = await this.pool.query<{ lon: number; lat: number }>(`
      SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (
        SELECT ST_PointOnSurface(geom) AS p FROM grid_cells
        WHERE id >= (SELECT min(id) + floor(random() * (max(id) - min(id)))::int FROM grid_cells) ORDER BY id LIMIT 1) x`);
    const category = weighted(WEIGHTED.map((c) => [c, c.weight] as [typeof c, number]));
    const { lon, lat } = spot.rows[0]!;
    await this.incidents.intake(this.as('admin'), {
      category: category.code, source: SOURCES[Math.floor(Math.random() * SOURCES.length)]!, sourceRef: `SIM-${Date.now()}`,
      description: `${category.zh}（模拟）`, lon, lat, register: Math.random() < 0.7,
    }, null);
  }

  private async advance(inc: { id: number; state: string; lon: number; lat: number; enforcement: boolean; officers: number[] }): Promise<void> {
    const officer = inc.officers[0] ?? null;
    switch (inc.state) {
      case 'reported':
        await this.incidents.step(this.as('supervisor'), inc.id, Math.random() < 0.95 ? 'register' : 'void', { reason: '模拟核实：非城管职责' });
        return;
      case 'registered': {
        const grid = await this.pool.query<{ g: number | null }>(`SELECT grid_cell_id AS g FROM incidents WHERE id = $1`, [inc.id]);
        const candidates = await recommend(this.pool, inc, await responsibleSquad(this.pool, grid.rows[0]?.g ?? null), 5);
        const pick = inc.enforcement ? candidates.find((c) => c.certified) : candidates[0];
        if (pick) await this.incidents.step(this.as('dispatcher'), inc.id, 'dispatch', { officerIds: [pick.officerId] });
        return;
      }
      case 'dispatched':
        if (officer) await this.incidents.step(this.as('officer', officer), inc.id, 'accept', {});
        return;
      case 'accepted': {
        if (!officer) return;
        // Drive towards the case; arrive once close.
        const pos = await this.pool.query<{ lon: number; lat: number; meters: number }>(`
          SELECT ST_X(position) AS lon, ST_Y(position) AS lat,
                 ST_Distance(position::geography, ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography) AS meters
          FROM officers WHERE id = $1`, [officer, inc.lon, inc.lat]);
        const p = pos.rows[0];
        if (!p || p.meters < 40) {
          await this.incidents.step(this.as('officer', officer), inc.id, 'arrive', { lon: inc.lon, lat: inc.lat });
          return;
        }
        const f = Math.min(1, 250 / p.meters);
        await this.positions.record(officer, { lon: p.lon + (inc.lon - p.lon) * f, lat: p.lat + (inc.lat - p.lat) * f, accuracy: 10 });
        return;
      }
      case 'on_scene':
        if (officer) await this.incidents.step(this.as('officer', officer), inc.id, 'handle', { outcome: weighted(OUTCOMES), notes: '模拟处置完成' });
        return;
      case 'handled':
        if (Math.random() < 0.9) await this.incidents.step(this.as('supervisor'), inc.id, 'close', {});
        else await this.incidents.step(this.as('supervisor'), inc.id, 'rework', { reason: '模拟核查未通过' });
        return;
    }
  }
}

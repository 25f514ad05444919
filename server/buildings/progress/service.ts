import type pg from 'pg';
import { listDistrict, type Scope } from '#shared/auth/permissions.ts';
import { type ProgressGrouping, progressYearProblem } from '#shared/buildings/progress.ts';
import type { BuildingProgress, BuildingTarget } from '#shared/buildings/schemas.ts';
import { appendAudit } from '../../audit/repository.ts';
import type { AuthUser } from '../../auth/user.ts';
import { type ReadLog, type Reads, replicaReads } from '../../db/database.ts';
import { withTransaction } from '../../db/transaction.ts';
import { Problem } from '../../http/problem.ts';
import { chinaYear } from '../../holidays/service.ts';
import { districtExists, groupNames, progressFigures, putTarget, stageBreakdown, targetForUpdate, targetsOf } from './repository.ts';

type Row = BuildingProgress['rows'][number];

const UNPLACED: Record<Exclude<ProgressGrouping, 'district' | 'month'>, string> = {
  street: '未落街道 (no street)',
  squad: '未分中队 (no squad)',
};

/**
 * 控违拆违: yearly targets per district and progress against them. Reads are scoped like the leader
 * routes (a district-scoped user sees their district) and go to the read replica when there is one.
 */
export class BuildingProgressService {
  private readonly reads: Reads;

  constructor(
    private readonly pool: pg.Pool,
    readPool: pg.Pool,
    log: ReadLog,
  ) {
    this.reads = replicaReads(pool, readPool, log);
  }

  targets(user: Scope, q: { year?: number; district?: string }): Promise<BuildingTarget[]> {
    const year = yearOrThrow(q.year);
    const district = districtOrThrow(user, q.district);
    return this.reads((db) => targetsOf(db, year, district));
  }

  /** Sets a district's target for a year, audited with before → after in the same transaction. */
  async putTarget(actor: AuthUser, district: string, year: number, body: BuildingTarget): Promise<BuildingTarget> {
    const bad = progressYearProblem(year);
    if (bad) throw new Problem(400, bad);
    if (body.districtAdcode !== district || body.year !== year) {
      throw new Problem(400, `the body names ${body.districtAdcode}/${body.year} but the path ${district}/${year}: send the same district and year in both`);
    }
    if (actor.districtAdcode !== null && actor.districtAdcode !== district) {
      throw new Problem(403, `you set targets for district ${actor.districtAdcode} only, not ${district}`);
    }
    return withTransaction(this.pool, async (db) => {
      if (!(await districtExists(db, district))) throw new Problem(404, `no district ${district}: send the adcode of a district of the city, e.g. 510104`);
      const before = await targetForUpdate(db, district, year);
      const after = await putTarget(db, body);
      await appendAudit(db, {
        userId: actor.id > 0 ? actor.id : null,
        action: 'building.target_set',
        target: `building_targets/${district}/${year}`,
        before,
        after,
      });
      return after;
    });
  }

  async progress(user: Scope, q: { year?: number; by?: ProgressGrouping; district?: string }): Promise<BuildingProgress> {
    const year = yearOrThrow(q.year);
    const by = q.by ?? 'district';
    const district = districtOrThrow(user, q.district);
    return this.reads(async (db) => {
      const [figures, targets, byStage] = await Promise.all([
        progressFigures(db, by, year, district),
        targetsOf(db, year, district),
        stageBreakdown(db, district),
      ]);
      const names = await groupNames(db, by, district, [...figures.keys()]);
      const zero = { stockDemolishedM2: 0, stockDemolishedCount: 0, newFound: 0, newDemolishedM2: 0 };
      const target = new Map(targets.map((t) => [t.districtAdcode, t]));
      let keys: string[];
      // Every district and every month of the year shows, with nothing done too: a zero is news.
      if (by === 'district') keys = [...new Set([...names.keys(), ...figures.keys()])].sort();
      else if (by === 'month') keys = Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
      else keys = [...figures.keys()].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b, undefined, { numeric: true })));
      const rows: Row[] = keys.map((key) => ({
        key,
        name: by === 'month' ? key : key === '' ? UNPLACED[by as 'street' | 'squad'] : (names.get(key) ?? key),
        ...(figures.get(key) ?? zero),
        target: by === 'district' ? (target.get(key) ?? null) : null,
      }));
      const sum = (f: keyof typeof zero) => Math.round([...figures.values()].reduce((s, r) => s + r[f], 0) * 100) / 100;
      const totals: Row = {
        key: district ?? '',
        name: district ? `合计 (total) ${names.get(district) ?? district}` : '全市合计 (city total)',
        stockDemolishedM2: sum('stockDemolishedM2'),
        stockDemolishedCount: sum('stockDemolishedCount'),
        newFound: sum('newFound'),
        newDemolishedM2: sum('newDemolishedM2'),
        target: targets.length
          ? {
              // the city's own adcode (the districts' prefix + 00, e.g. 510100) on a city-wide total
              districtAdcode: district ?? `${targets[0]!.districtAdcode.slice(0, 4)}00`,
              year,
              stockDemolishM2: Math.round(targets.reduce((s, t) => s + t.stockDemolishM2, 0) * 100) / 100,
              stockDemolishCount: targets.reduce((s, t) => s + t.stockDemolishCount, 0),
              newMax: targets.reduce((s, t) => s + t.newMax, 0),
            }
          : null,
      };
      return { year, by, rows, totals, byStage };
    });
  }
}

function yearOrThrow(year: number | undefined): number {
  const y = year ?? chinaYear(new Date());
  const bad = progressYearProblem(y);
  if (bad) throw new Problem(400, bad);
  return y;
}

function districtOrThrow(user: Scope, requested: string | undefined): string | null {
  const d = listDistrict(user, requested ?? null);
  if (!d.ok) throw new Problem(403, d.message);
  return d.district;
}

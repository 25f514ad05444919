import type pg from 'pg';
import type { Scope } from '#shared/auth/permissions.ts';
import type { Source } from '#shared/cases/states.ts';
import type { Escalations, KeyAreaBoard, StatsCategories, StatsTrend } from '#shared/leader/contract.ts';
import { type Period, parsePeriod } from '#shared/leader/period.ts';
import { type ReadLog, type Reads, replicaReads } from '../db/database.ts';
import { Problem } from '../http/problem.ts';
import { categoryIdsFor, escalations, heatmap, keyAreaBoard, scopeDistrict, statsCategories, statsTrend } from './repository.ts';

/** A period as the query gives it: both ends optional (the last 30 days up to now). */
export type PeriodInput = { from?: string; to?: string };

/**
 * What district leaders watch: heatmap, key-area board, escalations (督办), trend and category statistics.
 * Every read is scoped to the user's district (a district leader) or the whole city, and runs on the
 * read replica when one is configured (seconds behind at most), on the primary while it is away.
 */
export class LeaderService {
  private readonly reads: Reads;

  constructor(pool: pg.Pool, readPool: pg.Pool, log: ReadLog) {
    this.reads = replicaReads(pool, readPool, log);
  }

  /** The heatmap as GeoJSON text (built by PostGIS; the route sends it as is). */
  async heatmap(user: Scope, q: PeriodInput & { category?: string; source?: Source }): Promise<string> {
    const period = periodOrThrow(q);
    let categoryIds: number[] | null = null;
    const category = q.category;
    if (category !== undefined) {
      categoryIds = await this.reads((db) => categoryIdsFor(db, category));
      if (categoryIds.length === 0) throw new Problem(400, `unknown category "${category}": send a minor category code of the catalogue, e.g. 0501`);
    }
    const filter = { district: scopeDistrict(user), categoryIds, source: q.source ?? null };
    return this.reads((db) => heatmap(db, period, filter));
  }

  keyAreaBoard(user: Scope, q: PeriodInput): Promise<KeyAreaBoard> {
    const period = periodOrThrow(q);
    return this.reads((db) => keyAreaBoard(db, period, scopeDistrict(user)));
  }

  escalations(user: Scope, limit: number): Promise<Escalations> {
    return this.reads((db) => escalations(db, scopeDistrict(user), limit));
  }

  statsTrend(user: Scope, q: PeriodInput): Promise<StatsTrend> {
    const period = periodOrThrow(q);
    return this.reads((db) => statsTrend(db, period, scopeDistrict(user)));
  }

  statsCategories(user: Scope, q: PeriodInput): Promise<StatsCategories> {
    const period = periodOrThrow(q);
    return this.reads((db) => statsCategories(db, period, scopeDistrict(user)));
  }
}

/** The period, or a 400 that says what is wrong with it (an end before the start, a year exceeded…). */
function periodOrThrow(q: PeriodInput): Period {
  const p = parsePeriod(q);
  if (!p.ok) throw new Problem(400, p.message);
  return p.value;
}

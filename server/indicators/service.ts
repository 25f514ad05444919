import type pg from 'pg';
import type { Scope } from '#shared/auth/permissions.ts';
import type { IndicatorGrouping, IndicatorsReport } from '#shared/indicators/contract.ts';
import { DEFINITIONS } from '#shared/indicators/definitions.ts';
import { parsePeriod } from '#shared/time/period.ts';
import type { Dialect } from '../db/dialect.ts';
import { type ReadLog, type Reads, replicaReads } from '../db/database.ts';
import { Problem } from '../http/problem.ts';
import { IndicatorRepository } from './repository.ts';

/**
 * The indicators (考核指标) of a period. A district-scoped user (a district leader) gets their district
 * only. Read from the streaming replica when one is configured, from the primary while it is away.
 */
export class IndicatorService {
  private readonly reads: Reads;

  constructor(
    pool: pg.Pool,
    readPool: pg.Pool,
    log: ReadLog,
    private readonly dialect: Dialect,
  ) {
    this.reads = replicaReads(pool, readPool, log);
  }

  async report(user: Scope, q: { from: string; to: string; by?: IndicatorGrouping }): Promise<IndicatorsReport> {
    const checked = parsePeriod(q);
    if (!checked.ok) throw new Problem(400, checked.message);
    const period = checked.value;
    const by = q.by ?? 'district';
    const district = user.districtAdcode ?? null;
    const figures = await this.reads((db) => new IndicatorRepository(db, this.dialect).figures(by, { from: period.from, to: period.to, district }));
    return {
      from: period.from.toISOString(),
      to: period.to.toISOString(),
      asOf: figures.asOf,
      by,
      scopeDistrict: district,
      rows: figures.rows,
      total: { ...figures.total, key: null },
      definitions: DEFINITIONS,
    };
  }
}

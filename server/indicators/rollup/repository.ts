import type pg from 'pg';
import { factsInRanges, contributionSums, SUM_COLUMNS } from '../contribution-sql.ts';

const DAY_SUMS = `
  INSERT INTO indicator_daily (day, district_adcode, squad_key, ${SUM_COLUMNS.join(', ')})
  ${contributionSums(
    `SELECT f.*, d.day, coalesce(f.squad_id, 0) AS squad_key, 'infinity'::timestamptz AS asof,
            tstzmultirange(tstzrange(d.day::timestamp AT TIME ZONE 'Asia/Shanghai', (d.day + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')) AS rng, 1 AS sign
     FROM unnest($1::date[]) AS d(day)
     CROSS JOIN LATERAL (${factsInRanges(
       `SELECT tstzrange(d.day::timestamp AT TIME ZONE 'Asia/Shanghai', (d.day + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') AS r`,
     )}) f`,
    ['day', 'district_adcode', 'squad_key'],
  )}`;

const DAY = (d: string) => `tstzrange(${d}::timestamp AT TIME ZONE 'Asia/Shanghai', (${d} + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')`;
const CASE_DAY_COUNTS = `
  INSERT INTO case_daily (day, district_adcode, category_id, reported, closed)
  SELECT d.day, f.district_adcode, f.category_id,
         count(*) FILTER (WHERE f.reported_at <@ ${DAY('d.day')}), count(*) FILTER (WHERE f.closed_at <@ ${DAY('d.day')})
  FROM unnest($1::date[]) AS d(day)
  CROSS JOIN LATERAL (
    SELECT c.* FROM case_facts c WHERE c.reported_at >= lower(${DAY('d.day')}) AND c.reported_at < upper(${DAY('d.day')})
    UNION
    SELECT c.* FROM case_facts c WHERE c.closed_at >= lower(${DAY('d.day')}) AND c.closed_at < upper(${DAY('d.day')})
  ) f
  GROUP BY 1, 2, 3`;

/**
 * Brings the day sums (indicator_daily, case_daily) up to date with case_facts: every day marked dirty is summed
 * again from the facts and unmarked, in one REPEATABLE READ transaction per step, so a step sees one
 * snapshot and unmarks only the marks it has seen: a change committed meanwhile leaves its mark and
 * keeps its day read from the facts until the next run. One runner at a time (advisory lock);
 * another instance finding it taken skips. The latest days go first (the ones leaders read most). `maxSteps` bounds one call (the clock sweep takes one
 * short step at a time, so years of history after an upgrade never hold up the case clocks; the
 * days not yet summed are read from the facts meanwhile). Returns the days summed.
 */
export async function refreshDailySums(pool: pg.Pool, opts: { daysPerStep?: number; maxSteps?: number } = {}): Promise<number> {
  const daysPerStep = opts.daysPerStep ?? 31;
  let steps = opts.maxSteps ?? Infinity;
  let done = 0;
  for (;;) {
    const client = await pool.connect();
    let summed: number;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      const lock = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext('zhihui-indicator-rollup')) AS ok`);
      if (!lock.rows[0]!.ok) {
        await client.query('ROLLBACK');
        return done;
      }
      const res = await client.query<{ days: string[] | null }>(
        `SELECT array_agg(day::text ORDER BY day) AS days FROM (SELECT DISTINCT day FROM indicator_dirty_days ORDER BY day DESC LIMIT $1) d`,
        [daysPerStep],
      );
      const days = res.rows[0]!.days ?? [];
      if (days.length > 0) {
        await client.query(`DELETE FROM indicator_daily WHERE day = ANY($1::date[])`, [days]);
        await client.query(DAY_SUMS, [days]);
        await client.query(`DELETE FROM case_daily WHERE day = ANY($1::date[])`, [days]);
        await client.query(CASE_DAY_COUNTS, [days]);
        await client.query(`DELETE FROM indicator_dirty_days WHERE day = ANY($1::date[])`, [days]);
      }
      await client.query('COMMIT');
      summed = days.length;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
    done += summed;
    if (summed < daysPerStep || --steps <= 0) return done;
  }
}

import type pg from 'pg';
import type { Dialect } from '../db/dialect.ts';
import type { IndicatorCounts, IndicatorGrouping, IndicatorRow, IndicatorValues } from '#shared/indicators/contract.ts';
import { COUNT_KEYS, DISPATCH_LIMIT_MINUTES, INDICATOR_KEYS } from '#shared/indicators/definitions.ts';
import { compareOrdinalNames } from '#shared/text/ordinal.ts';
import { wholeDays } from '#shared/time/whole-days.ts';
import { factsInRanges, COUNT_COLUMNS, contributionSums, SQUAD_AS_OF, SUM_COLUMNS } from './contribution-sql.ts';

export interface IndicatorPeriod {
  from: Date;
  to: Date;
  /** a district scope (a district leader): only the cases of that district; null = the whole city */
  district: string | null;
}

export interface IndicatorFigures {
  asOf: string;
  rows: IndicatorRow[];
  total: IndicatorRow;
}

/**
 * Every case that can count in the period, read once from incidents through indexes
 * (010_indicator_indexes.sql): registered in it, its deadline in it or closed in it (one bitmap OR
 * over the three range indexes, no de-duplication needed), plus those handled in it (the event
 * log) that none of those ranges found. `$2` is "as of" = least(to, now()). Cases not registered by
 * "as of" or voided before it are left out; `$3` limits to one district.
 */
const IN_RANGES = `((i.registered_at >= $1 AND i.registered_at < $2) OR (i.deadline >= $1 AND i.deadline < $2) OR (i.closed_at >= $1 AND i.closed_at < $2))`;
const COUNTS = `i.registered_at < $2 AND (i.voided_at IS NULL OR i.voided_at >= $2) AND ($3::text IS NULL OR i.district_adcode = $3::text)`;
const CANDIDATES = `
  inr AS (
    SELECT i.id, i.district_adcode, i.registered_at, i.deadline, i.dispatched_at, i.closed_at
    FROM incidents i
    WHERE ${IN_RANGES} AND ${COUNTS}
  ),
  cand AS (
    SELECT * FROM inr
    UNION ALL
    SELECT i.id, i.district_adcode, i.registered_at, i.deadline, i.dispatched_at, i.closed_at
    FROM (SELECT DISTINCT e.incident_id FROM incident_events e
          WHERE e.type = 'incident.handled' AND e.occurred_at >= $1 AND e.occurred_at < $2
            AND NOT EXISTS (SELECT 1 FROM inr WHERE inr.id = e.incident_id)) h
    JOIN incidents i ON i.id = h.incident_id
    WHERE ${IN_RANGES} IS NOT TRUE AND ${COUNTS}
  )`;

/**
 * One row per case that counts, with its step times as they stood at "as of": the first dispatch
 * and the close from the case row (dispatched_at keeps the first; a case closes once), the first
 * arrival, the first handling report and any rework from the event log (the case row keeps only
 * the last of those), aggregated once per case over the partial index incident_events_steps_idx.
 */
const CASES = `
  ev AS (
    SELECT e.incident_id,
           min(occurred_at) FILTER (WHERE type = 'incident.arrived') AS arrived,
           min(occurred_at) FILTER (WHERE type = 'incident.handled') AS handled,
           bool_or(type = 'incident.reworked') AS reworked
    FROM cand JOIN incident_events e ON e.incident_id = cand.id
    WHERE e.occurred_at < $2 AND e.type IN ('incident.arrived', 'incident.handled', 'incident.reworked')
    GROUP BY e.incident_id
  ),
  c AS (
    SELECT i.id, i.district_adcode, i.registered_at AS registered, i.deadline,
           CASE WHEN i.dispatched_at < $2 THEN i.dispatched_at END AS dispatched,
           CASE WHEN i.closed_at < $2 THEN i.closed_at END AS closed,
           ev.arrived, ev.handled, coalesce(ev.reworked, false) AS reworked,
           i.registered_at >= $1 AS reg_in
    FROM cand i
    LEFT JOIN ev ON ev.incident_id = i.id
  ),
  f AS (
    SELECT c.*,
           least(c.deadline, c.closed) >= $1 AND least(c.deadline, c.closed) < $2 AS close_due,
           least(c.deadline, c.handled) >= $1 AND least(c.deadline, c.handled) < $2 AS handle_due
    FROM c
  )`;

/** The aggregates over `f`, each count named as in COUNT_KEYS, then the indicators from them. */
const AGGREGATES = `
  count(*) FILTER (WHERE reg_in) AS registered,
  count(*) FILTER (WHERE reg_in AND closed IS NOT NULL) AS "registeredClosed",
  count(*) FILTER (WHERE close_due) AS "dueToClose",
  count(*) FILTER (WHERE close_due AND closed <= deadline) AS "closedOnTime",
  count(*) FILTER (WHERE close_due AND reworked) AS reworked,
  count(*) FILTER (WHERE handle_due) AS "dueToHandle",
  count(*) FILTER (WHERE handle_due AND handled IS NOT NULL) AS handled,
  count(*) FILTER (WHERE handle_due AND handled <= deadline) AS "handledOnTime",
  count(*) FILTER (WHERE handle_due AND handled IS NULL) AS "overdueOpen",
  count(*) FILTER (WHERE reg_in AND (dispatched IS NOT NULL OR registered + $4::int * interval '1 minute' <= $2)) AS "dueToDispatch",
  count(*) FILTER (WHERE reg_in AND dispatched IS NOT NULL) AS dispatched,
  count(*) FILTER (WHERE reg_in AND dispatched <= registered + $4::int * interval '1 minute') AS "dispatchedOnTime",
  count(*) FILTER (WHERE reg_in AND dispatched IS NOT NULL AND reworked) AS "dispatchedReworked",
  count(*) FILTER (WHERE reg_in AND dispatched IS NOT NULL AND arrived IS NOT NULL) AS arrived,
  count(*) FILTER (WHERE reg_in AND handled IS NOT NULL) AS "registeredHandled",
  avg(extract(epoch FROM dispatched - registered)) FILTER (WHERE reg_in AND dispatched IS NOT NULL) / 60 AS "avgDispatchMinutes",
  avg(extract(epoch FROM arrived - dispatched)) FILTER (WHERE reg_in AND dispatched IS NOT NULL AND arrived IS NOT NULL) / 60 AS "avgArriveMinutes",
  avg(extract(epoch FROM handled - registered)) FILTER (WHERE reg_in AND handled IS NOT NULL) / 60 AS "avgHandleMinutes"`;

const RATIOS = `
  "registeredClosed"::float8 / nullif(registered, 0) AS "closeRate",
  "closedOnTime"::float8 / nullif("dueToClose", 0) AS "onTimeCloseRate",
  handled::float8 / nullif("dueToHandle", 0) AS "handleRate",
  "handledOnTime"::float8 / nullif("dueToHandle", 0) AS "onTimeHandleRate",
  reworked::float8 / nullif("dueToClose", 0) AS "reworkRate",
  "overdueOpen"::float8 / nullif("dueToHandle", 0) AS "overdueOpenRate",
  "dispatchedOnTime"::float8 / nullif("dueToDispatch", 0) AS "onTimeDispatchRate",
  (dispatched - "dispatchedReworked")::float8 / nullif(dispatched, 0) AS "accurateDispatchRate",
  round("avgDispatchMinutes"::numeric, 2) AS "avgDispatchMinutes",
  round("avgArriveMinutes"::numeric, 2) AS "avgArriveMinutes",
  round("avgHandleMinutes"::numeric, 2) AS "avgHandleMinutes"`;

/**
 * How each grouping finds the group of a case (`g`) and the groups in scope (`groups`: every
 * district / squad of the scope gets a row, with zeros if it has no case).
 */
const GROUPINGS: Record<IndicatorGrouping, { key: string; groups: string; unknown: string }> = {
  district: {
    key: `SELECT f.*, f.district_adcode::text AS gkey FROM f`,
    groups: `SELECT d.adcode::text AS gkey, d.name, d.adcode::text AS district, ($3::text IS NULL OR d.adcode = $3::text) AS in_scope FROM districts d`,
    unknown: '未知区县',
  },
  squad: {
    // The squad of the officer of the case's first dispatch record (首问负责制).
    key: `SELECT f.*, o.squad_id::text AS gkey FROM f
          LEFT JOIN (SELECT DISTINCT ON (incident_id) incident_id, officer_id FROM dispatches
                     WHERE incident_id IN (SELECT id FROM f) AND dispatched_at < $2 ORDER BY incident_id, id) first ON first.incident_id = f.id
          LEFT JOIN officers o ON o.id = first.officer_id`,
    groups: `SELECT s.id::text AS gkey, s.name, s.district_adcode::text AS district, ($3::text IS NULL OR s.district_adcode = $3::text) AS in_scope FROM squads s`,
    unknown: '未派遣',
  },
};

/**
 * The definition itself, from the case rows and the event log: rows for every group in scope, then
 * the total (is_total). Its cost grows with the cases in the period; the figures are read through
 * fastIndicatorSql, and tests hold the two equal.
 */
export function referenceIndicatorSql(by: IndicatorGrouping): string {
  const g = GROUPINGS[by];
  return `
    WITH ${CANDIDATES},
    ${CASES},
    keyed AS (${g.key}),
    agg AS (
      SELECT gkey, GROUPING(gkey) = 1 AS is_total, ${AGGREGATES}
      FROM keyed GROUP BY GROUPING SETS ((gkey), ())
    ),
    groups AS (${g.groups}),
    joined AS (
      SELECT coalesce(a.gkey, gr.gkey) AS key, coalesce(gr.name, $5) AS name, gr.district, false AS is_total,
             ${COUNT_KEYS.map((k) => `coalesce(a."${k}", 0) AS "${k}"`).join(', ')},
             a."avgDispatchMinutes", a."avgArriveMinutes", a."avgHandleMinutes"
      FROM (SELECT * FROM agg WHERE NOT is_total) a
      FULL JOIN groups gr ON gr.gkey = a.gkey
      WHERE a.is_total IS NOT NULL OR gr.in_scope
      UNION ALL
      SELECT NULL, '合计', $3::text, true, ${COUNT_KEYS.map((k) => `"${k}"`).join(', ')},
             "avgDispatchMinutes", "avgArriveMinutes", "avgHandleMinutes"
      FROM agg WHERE is_total
    )
    SELECT key, name, district AS "districtAdcode", is_total AS "isTotal",
           ${COUNT_KEYS.map((k) => `"${k}"::int AS "${k}"`).join(', ')}, ${RATIOS},
           to_char($2::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "asOf"
    FROM joined
    ORDER BY is_total, key IS NULL, district, name`;
}

const scopeF = `($3::text IS NULL OR f.district_adcode = $3::text)`;
const SUM_LIST = SUM_COLUMNS.join(', ');

/**
 * The same figures from case_facts and the day sums (indicator_daily), at a cost set by the days of
 * the period and the cases open across its end, not by the history: whole days (Asia/Shanghai)
 * from the rollup, unless changed since it ran; the partial first and last day and those changed
 * days from the facts; and, for the cases open across "as of", their contribution as of then
 * instead of as they stand now. Parameters: $1 from, $2 as of, $3 district, $4 the unknown
 * group's name, $5/$6 the whole days [first, last) and $7/$8 their bounds as instants.
 */
export function fastIndicatorSql(by: IndicatorGrouping): string {
  const g = GROUPINGS[by];
  const facts = (squad: string, asof: string, rng: string, sign: number, rows: string) =>
    `SELECT f.*, ${squad} AS squad_key, ${asof}::timestamptz AS asof, ${rng} AS rng, ${sign} AS sign FROM (${rows}) f WHERE ${scopeF}`;
  const unsettled = `SELECT f.* FROM case_facts f WHERE f.incident_id = ANY(ARRAY(SELECT incident_id FROM unsettled))`;
  // a period that has not begun yet is measured as of now, before its start: it holds nothing
  const whole = `tstzmultirange(tstzrange(least($1::timestamptz, $2::timestamptz), $2::timestamptz))`;
  const keys = ['district_adcode', 'squad_key'];
  return `
    WITH dirty AS (SELECT DISTINCT day FROM indicator_dirty_days WHERE day >= $5::date AND day < $6::date),
    raw_ranges AS (
      SELECT tstzrange($1::timestamptz, greatest($1::timestamptz, $7::timestamptz)) AS r WHERE $7::timestamptz > $1::timestamptz
      UNION ALL SELECT tstzrange(least($8::timestamptz, $2::timestamptz), $2::timestamptz) WHERE $2::timestamptz > $8::timestamptz
      UNION ALL SELECT tstzrange(day::timestamp AT TIME ZONE 'Asia/Shanghai', (day + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') FROM dirty
    ),
    raw_rng AS MATERIALIZED (SELECT coalesce(range_agg(r), '{}'::tstzmultirange) AS rng FROM raw_ranges),
    -- found through the instant indexes before the district is looked at (left to itself the planner
    -- would rather scan every case of the district)
    raw_rows AS MATERIALIZED (${factsInRanges('SELECT r FROM raw_ranges')}),
    unsettled AS MATERIALIZED (
      SELECT f.incident_id FROM case_facts f
      WHERE f.registered_at IS NOT NULL AND tstzrange(f.registered_at, greatest(f.registered_at, f.changed_at), '[]') @> $2::timestamptz
        AND f.registered_at < $2::timestamptz
      UNION
      SELECT f.incident_id FROM case_facts f
      WHERE f.registered_at >= $2::timestamptz - interval '${DISPATCH_LIMIT_MINUTES} minutes' AND f.registered_at < $2::timestamptz
    ),
    parts AS (
      SELECT district_adcode, squad_key, ${SUM_COLUMNS.map((c) => `sum(${c}) AS ${c}`).join(', ')}
      FROM indicator_daily f
      WHERE day >= $5::date AND day < $6::date AND day NOT IN (SELECT day FROM dirty) AND ${scopeF}
      GROUP BY district_adcode, squad_key
      UNION ALL
      ${contributionSums(facts('coalesce(f.squad_id, 0)', `'infinity'`, '(SELECT rng FROM raw_rng)', 1, 'SELECT * FROM raw_rows'), keys)}
      UNION ALL
      ${contributionSums(facts(SQUAD_AS_OF.replaceAll('asof', '$2::timestamptz'), '$2', whole, 1, unsettled), keys)}
      UNION ALL
      ${contributionSums(facts('coalesce(f.squad_id, 0)', `'infinity'`, whole, -1, unsettled), keys)}
    ),
    keyed AS (SELECT ${by === 'district' ? 'p.district_adcode::text' : 'nullif(p.squad_key, 0)::text'} AS gkey, p.* FROM parts p),
    agg AS (
      SELECT gkey, GROUPING(gkey) = 1 AS is_total, ${SUM_COLUMNS.map((c) => `sum(${c}) AS ${c}`).join(', ')}
      FROM keyed GROUP BY GROUPING SETS ((gkey), ())
    ),
    groups AS (${g.groups}),
    joined AS (
      SELECT coalesce(a.gkey, gr.gkey) AS key, coalesce(gr.name, $4) AS name, gr.district, false AS is_total,
             ${SUM_COLUMNS.map((c) => `coalesce(a.${c}, 0) AS ${c}`).join(', ')}
      FROM (SELECT * FROM agg WHERE NOT is_total) a
      FULL JOIN groups gr ON gr.gkey = a.gkey
      WHERE a.is_total IS NOT NULL OR gr.in_scope
      UNION ALL
      SELECT NULL, '合计', $3::text, true, ${SUM_LIST}
      FROM agg WHERE is_total
    ),
    named AS (
      SELECT key, name, district, is_total, ${COUNT_KEYS.map((k) => `${COUNT_COLUMNS[k]} AS "${k}"`).join(', ')},
             dispatch_seconds / nullif(dispatched, 0) / 60 AS "avgDispatchMinutes",
             arrive_seconds / nullif(arrived, 0) / 60 AS "avgArriveMinutes",
             handle_seconds / nullif(registered_handled, 0) / 60 AS "avgHandleMinutes"
      FROM joined
    )
    SELECT key, name, district AS "districtAdcode", is_total AS "isTotal",
           ${COUNT_KEYS.map((k) => `"${k}"::int AS "${k}"`).join(', ')}, ${RATIOS},
           to_char($2::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "asOf"
    FROM named
    ORDER BY is_total, key IS NULL, district, name`;
}

type SqlRow = Record<string, unknown> & { key: string | null; name: string; districtAdcode: string | null; isTotal: boolean; asOf: string };

/** The indicators (考核指标) of a period, per district or per squad, plus the total, in one query. */
export class IndicatorRepository {
  /** `dialect.jit`: whether to run the statement with JIT off (dialect.ts says why). */
  constructor(
    private readonly pool: pg.Pool,
    private readonly dialect: Pick<Dialect, 'jit'>,
  ) {}

  /** `reference`: compute from the case rows and the event log (the definition) instead of the facts and day sums. */
  async figures(by: IndicatorGrouping, period: IndicatorPeriod, opts: { reference?: boolean } = {}): Promise<IndicatorFigures> {
    const asOf = new Date(Math.min(period.to.getTime(), Date.now()));
    const days = wholeDays(period.from, asOf);
    const query = opts.reference
      ? {
          name: `indicators-reference-${by}`,
          text: referenceIndicatorSql(by),
          values: [period.from.toISOString(), asOf.toISOString(), period.district, DISPATCH_LIMIT_MINUTES, GROUPINGS[by].unknown],
        }
      : {
          // unnamed: planned for these days each time (a generic plan cannot know how few cases the ranges hold)
          text: fastIndicatorSql(by),
          values: [
            period.from.toISOString(),
            asOf.toISOString(),
            period.district,
            GROUPINGS[by].unknown,
            days.first,
            days.last,
            days.firstAt.toISOString(),
            days.lastAt.toISOString(),
          ],
        };
    let res: pg.QueryResult<SqlRow>;
    // Without JIT there is nothing to turn off, and no need for a transaction around one statement
    // (unnamed: this one is big and run seldom, not worth keeping prepared in the one shared session).
    if (!this.dialect.jit) res = await this.pool.query<SqlRow>({ text: query.text, values: query.values });
    else {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN READ ONLY');
        await client.query('SET LOCAL jit = off');
        res = await client.query<SqlRow>(query);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    }
    const rows = res.rows.map(toRow);
    const totalAt = res.rows.findIndex((r) => r.isTotal);
    const total = rows[totalAt]!;
    return { asOf: asOf.toISOString(), rows: rows.filter((_, i) => i !== totalAt).sort(byDistrictThenName), total };
  }
}

/**
 * Rows in the order people count them: by district, then by name with its numbers by value (第一,
 * 第二, 第三 … 第十三 中队; SQL's collation put 第三 before 第二); the unknown group last.
 */
function byDistrictThenName(a: IndicatorRow, b: IndicatorRow): number {
  if ((a.key === null) !== (b.key === null)) return a.key === null ? 1 : -1;
  if (a.districtAdcode !== b.districtAdcode) {
    if (a.districtAdcode === null || b.districtAdcode === null) return a.districtAdcode === null ? 1 : -1;
    return a.districtAdcode < b.districtAdcode ? -1 : 1;
  }
  return compareOrdinalNames(a.name, b.name);
}

function toRow(r: SqlRow): IndicatorRow {
  const counts = Object.fromEntries(COUNT_KEYS.map((k) => [k, Number(r[k])])) as IndicatorCounts;
  const indicators = Object.fromEntries(INDICATOR_KEYS.map((k) => [k, r[k] === null || r[k] === undefined ? null : Number(r[k])])) as IndicatorValues;
  return { key: r.key, name: r.name, districtAdcode: r.districtAdcode, counts, indicators };
}

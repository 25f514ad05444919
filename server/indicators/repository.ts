import type pg from 'pg';
import type { Dialect } from '../db/dialect.ts';
import type { IndicatorCounts, IndicatorGrouping, IndicatorRow, IndicatorValues } from '#shared/indicators/contract.ts';
import { COUNT_KEYS, DISPATCH_LIMIT_MINUTES, INDICATOR_KEYS } from '#shared/indicators/definitions.ts';
import { compareOrdinalNames } from '#shared/text/ordinal.ts';

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

/** The SQL for one grouping: rows for every group in scope, then the total (is_total). */
export function indicatorSql(by: IndicatorGrouping): string {
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

type SqlRow = Record<string, unknown> & { key: string | null; name: string; districtAdcode: string | null; isTotal: boolean; asOf: string };

/** The indicators (考核指标) of a period, per district or per squad, plus the total, in one query. */
export class IndicatorRepository {
  /** `dialect.jit`: whether to run the statement with JIT off (dialect.ts says why). */
  constructor(
    private readonly pool: pg.Pool,
    private readonly dialect: Pick<Dialect, 'jit'>,
  ) {}

  async figures(by: IndicatorGrouping, period: IndicatorPeriod): Promise<IndicatorFigures> {
    const asOf = new Date(Math.min(period.to.getTime(), Date.now()));
    const query = {
      name: `indicators-${by}`,
      text: indicatorSql(by),
      values: [period.from.toISOString(), asOf.toISOString(), period.district, DISPATCH_LIMIT_MINUTES, GROUPINGS[by].unknown],
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

import type { Scope } from '#shared/auth/permissions.ts';
import type { Source } from '#shared/cases/states.ts';
import {
  BASELINE_DAYS,
  type Escalations,
  type KeyAreaBoard,
  type KeyAreaBoardRow,
  KEY_AREA_MIN_EXPECTED,
  KEY_AREA_TARGET,
  type StatsCategories,
  type StatsTrend,
} from '#shared/leader/contract.ts';
import { judgeKeyArea } from '#shared/leader/key-areas.ts';
import { type Period, trendBuckets } from '#shared/leader/period.ts';
import { wholeDays } from '#shared/time/whole-days.ts';
import type { Queryable } from '../db/transaction.ts';

const DAY_MS = 86_400_000;
const ts = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** A case still open: not closed (结案) or voided (作废). */
const OPEN = `state NOT IN ('closed', 'voided')`;

/** The district a user is limited to (null = the whole city). */
export function scopeDistrict(scope: Scope): string | null {
  return scope.districtAdcode;
}

/** Category ids (every catalogue version) with this minor code; empty if none. */
export async function categoryIdsFor(db: Queryable, minorCode: string): Promise<number[]> {
  const res = await db.query<{ id: number }>(`SELECT id FROM categories WHERE minor_code = $1 ORDER BY id`, [minorCode]);
  return res.rows.map((r) => r.id);
}

export interface HeatmapFilter {
  district: string | null;
  categoryIds: number[] | null;
  source: Source | null;
}

/**
 * Cases reported in [from, to) counted per grid cell in SQL, written by PostGIS as the response's
 * JSON text (one Point per cell with cases, at the cell's precomputed point on surface).
 */
export async function heatmap(db: Queryable, p: Period, f: HeatmapFilter): Promise<string> {
  const res = await db.query<{ total: number; unlocated: number; max: number; fc: string }>(
    `
    WITH counts AS (
      SELECT grid_cell_id, count(*)::int AS n FROM incidents
      WHERE reported_at >= $1 AND reported_at < $2
        AND ($3::text IS NULL OR district_adcode = $3)
        AND ($4::int[] IS NULL OR category_id = ANY($4::int[]))
        AND ($5::text IS NULL OR source = $5)
      GROUP BY grid_cell_id
    )
    SELECT coalesce(sum(c.n) FILTER (WHERE g.id IS NOT NULL), 0)::int AS total,
           coalesce(sum(c.n) FILTER (WHERE g.id IS NULL), 0)::int AS unlocated,
           coalesce(max(c.n) FILTER (WHERE g.id IS NOT NULL), 0)::int AS max,
           '{"type":"FeatureCollection","features":[' || coalesce(string_agg(
             '{"type":"Feature","geometry":' || g.label_point_json || ',"properties":{"code":"' || g.code || '","count":' || c.n || '}}',
             ',' ORDER BY g.code) FILTER (WHERE g.id IS NOT NULL), '') || ']}' AS fc
    FROM counts c LEFT JOIN grid_cells g ON g.id = c.grid_cell_id`,
    [p.from.toISOString(), p.to.toISOString(), f.district, f.categoryIds, f.source],
  );
  const r = res.rows[0]!;
  return `{"from":"${p.from.toISOString()}","to":"${p.to.toISOString()}","total":${r.total},"unlocated":${r.unlocated},"max":${r.max},"cells":${r.fc}}`;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Key areas listed today whose interior meets the user's district (all for the city), with public
 * complaints in the period against the baseline prorated to the period, open / overdue cases now
 * and the complaints trend. Counts are for the whole area (the baseline is the whole area's).
 */
export async function keyAreaBoard(db: Queryable, p: Period, district: string | null): Promise<KeyAreaBoard> {
  const days = (p.to.getTime() - p.from.getTime()) / DAY_MS;
  const b = trendBuckets(p);
  const res = await db.query<{
    id: number;
    name: string;
    level: 'city' | 'district';
    districts: string[];
    baseline: number;
    complaints: number;
    open: number;
    overdue: number;
    trend: number[];
  }>(
    `
    WITH p AS (SELECT $1::timestamptz AS f, $2::timestamptz AS t, $3::date AS d0, $4::int AS step, $5::int AS nb,
                      (now() AT TIME ZONE 'Asia/Shanghai')::date AS today),
    areas AS (
      SELECT k.id, k.name, k.level, k.complaint_baseline::float8 AS baseline,
             array(SELECT d.adcode::text FROM districts d WHERE d.boundary && k.geom AND ST_Relate(d.boundary, k.geom, 'T********') ORDER BY d.adcode) AS districts
      FROM key_areas k, p WHERE k.listed_on <= p.today AND (k.delisted_on IS NULL OR k.delisted_on > p.today)
    ),
    scoped AS (SELECT * FROM areas WHERE $6::text IS NULL OR $6::text = ANY(districts)),
    complaints AS (
      SELECT a.id AS area_id, ((i.reported_at AT TIME ZONE 'Asia/Shanghai')::date - p.d0) / p.step AS b, count(*)::int AS n
      FROM p, incidents i CROSS JOIN LATERAL unnest(i.key_area_ids) AS a(id)
      WHERE i.source = 'public' AND i.key_area_ids <> '{}' AND i.reported_at >= p.f AND i.reported_at < p.t
        AND a.id IN (SELECT id FROM scoped)
      GROUP BY 1, 2
    ),
    open AS (
      SELECT a.id AS area_id, count(*)::int AS open, (count(*) FILTER (WHERE i.overdue_at IS NOT NULL))::int AS overdue
      FROM incidents i CROSS JOIN LATERAL unnest(i.key_area_ids) AS a(id)
      WHERE i.${OPEN} AND i.key_area_ids <> '{}' AND a.id IN (SELECT id FROM scoped)
      GROUP BY 1
    )
    SELECT s.id, s.name, s.level, s.districts, s.baseline,
           coalesce((SELECT sum(c.n) FROM complaints c WHERE c.area_id = s.id), 0)::int AS complaints,
           coalesce(o.open, 0) AS open, coalesce(o.overdue, 0) AS overdue,
           (SELECT array_agg(coalesce(c.n, 0) ORDER BY x.b) FROM generate_series(0, p.nb - 1) AS x(b)
              LEFT JOIN complaints c ON c.area_id = s.id AND c.b = x.b) AS trend
    FROM scoped s CROSS JOIN p LEFT JOIN open o ON o.area_id = s.id`,
    [p.from.toISOString(), p.to.toISOString(), b.starts[0], b.stepDays, b.starts.length, district],
  );
  const areas: KeyAreaBoardRow[] = res.rows.map((r) => {
    const expected = (r.baseline * days) / BASELINE_DAYS;
    const { change, judged, met } = judgeKeyArea(r.complaints, expected);
    return {
      id: r.id,
      name: r.name,
      level: r.level,
      districtAdcodes: r.districts,
      baseline: r.baseline,
      expected: round(expected, 2),
      complaints: r.complaints,
      change: change === null ? null : round(change, 4),
      target: KEY_AREA_TARGET,
      judged,
      met,
      open: r.open,
      overdue: r.overdue,
      trend: b.starts.map((start, i) => ({ start, count: r.trend[i] ?? 0 })),
    };
  });
  // Worst first: the judged ones (a change on too few expected complaints is noise), the highest
  // change (no baseline last), then the most overdue, then by id.
  areas.sort((a, c) => Number(c.judged) - Number(a.judged) || (c.change ?? -Infinity) - (a.change ?? -Infinity) || c.overdue - a.overdue || a.id - c.id);
  return {
    from: p.from.toISOString(),
    to: p.to.toISOString(),
    days: round(days, 4),
    bucket: b.bucket,
    target: KEY_AREA_TARGET,
    minExpected: KEY_AREA_MIN_EXPECTED,
    areas,
  };
}

/** Open cases in scope that are overdue or escalated (督办), most urgent first. */
export async function escalations(db: Queryable, district: string | null, limit: number): Promise<Escalations> {
  const res = await db.query<Escalations['cases'][number] & { total: number }>(
    `
    WITH e AS (
      SELECT i.* FROM incidents i
      WHERE i.${OPEN} AND (i.overdue_at IS NOT NULL OR i.escalated_at IS NOT NULL)
        AND ($1::text IS NULL OR i.district_adcode = $1)
    ), ranked AS (
      SELECT e.*, count(*) OVER () AS total FROM e
      ORDER BY (e.overdue_at IS NOT NULL) DESC, e.priority DESC, coalesce(e.overdue_at, e.escalated_at) ASC, e.id
      LIMIT $2
    )
    SELECT r.id, r.code, r.total::int AS total,
      json_build_object('code', c.minor_code, 'nameZh', c.name_zh, 'nameEn', c.name_en) AS category,
      r.district_adcode AS "districtAdcode", d.name AS "districtName", r.state, r.priority,
      ${ts('r.deadline')} AS deadline, ${ts('r.overdue_at')} AS "overdueSince", ${ts('r.escalated_at')} AS "escalatedAt",
      EXISTS (SELECT 1 FROM incident_events ev WHERE ev.incident_id = r.id AND ev.type = 'incident.escalated'
                AND ev.payload->>'manual' = 'true') AS manual,
      (SELECT ev.payload->>'reason' FROM incident_events ev WHERE ev.incident_id = r.id AND ev.type = 'incident.escalated'
        ORDER BY ev.seq LIMIT 1) AS reason,
      coalesce((SELECT json_agg(json_build_object('id', k.id, 'name', k.name) ORDER BY array_position(r.key_area_ids, k.id))
                FROM key_areas k WHERE k.id = ANY(r.key_area_ids)), '[]') AS "keyAreas"
    FROM ranked r
    JOIN categories c ON c.id = r.category_id
    LEFT JOIN districts d ON d.adcode = r.district_adcode
    ORDER BY (r.overdue_at IS NOT NULL) DESC, r.priority DESC, coalesce(r.overdue_at, r.escalated_at) ASC, r.id`,
    [district, limit],
  );
  const total = res.rows[0]?.total ?? 0;
  return { total, cases: res.rows.map(({ total: _t, ...c }) => c) };
}

/**
 * The parts of a period the day counts (case_daily) answer and the parts read case by case: the
 * whole days not changed since the rollup ran (`rolled`), and the partial first and last day plus
 * the changed days (`raw_ranges`, tstzranges). $1 from, $2 to, and `d` the first placeholder of
 * four more: the whole days as dates [first, last) and as instants.
 */
function dayParts(d: number): string {
  return `
    dirty AS (SELECT DISTINCT day FROM indicator_dirty_days WHERE day >= $${d}::date AND day < $${d + 1}::date),
    raw_ranges AS (
      SELECT tstzrange($1::timestamptz, greatest($1::timestamptz, $${d + 2}::timestamptz)) AS r WHERE $${d + 2}::timestamptz > $1::timestamptz
      UNION ALL SELECT tstzrange(least($${d + 3}::timestamptz, $2::timestamptz), $2::timestamptz) WHERE $2::timestamptz > $${d + 3}::timestamptz
      UNION ALL SELECT tstzrange(day::timestamp AT TIME ZONE 'Asia/Shanghai', (day + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') FROM dirty
    ),
    rolled AS (SELECT * FROM case_daily WHERE day >= $${d}::date AND day < $${d + 1}::date AND day NOT IN (SELECT day FROM dirty)),
    -- found through the time indexes before the district is looked at (left to itself the planner
    -- would rather scan every case of the district)
    raw_reported AS MATERIALIZED (
      SELECT f.reported_at, f.district_adcode, f.category_id FROM raw_ranges x JOIN case_facts f ON f.reported_at >= lower(x.r) AND f.reported_at < upper(x.r)
    ),
    raw_closed AS MATERIALIZED (
      SELECT f.closed_at, f.district_adcode FROM raw_ranges x JOIN case_facts f ON f.closed_at >= lower(x.r) AND f.closed_at < upper(x.r)
    )`;
}
const dayValues = (p: Period) => {
  const w = wholeDays(p.from, p.to);
  return [w.first, w.last, w.firstAt.toISOString(), w.lastAt.toISOString()];
};

/**
 * Per Asia/Shanghai day the period touches: cases reported and closed that day (within the period)
 * and open cases overdue at the end of the day (at `to` for the last). Overdue = marked by the
 * clock (overdue_at) and not yet closed or voided. Reported and closed come from the day counts
 * (and case by case for the days they cannot answer), so a year costs what 365 rows cost.
 */
export async function statsTrend(db: Queryable, p: Period, district: string | null): Promise<StatsTrend> {
  const res = await db.query<{ date: string; reported: number; closed: number; overdue: number }>(
    `
    WITH ${dayParts(4)},
    days AS (
      SELECT ($1::timestamptz AT TIME ZONE 'Asia/Shanghai')::date + k AS d
      FROM generate_series(0, (($2::timestamptz - interval '1 microsecond') AT TIME ZONE 'Asia/Shanghai')::date
                              - ($1::timestamptz AT TIME ZONE 'Asia/Shanghai')::date) AS k
    ),
    counted AS (
      SELECT day AS d, sum(reported) AS reported, sum(closed) AS closed FROM rolled
      WHERE $3::text IS NULL OR district_adcode = $3 GROUP BY day
      UNION ALL
      SELECT (f.reported_at AT TIME ZONE 'Asia/Shanghai')::date, count(*), 0
      FROM raw_reported f WHERE $3::text IS NULL OR f.district_adcode = $3 GROUP BY 1
      UNION ALL
      SELECT (f.closed_at AT TIME ZONE 'Asia/Shanghai')::date, 0, count(*)
      FROM raw_closed f WHERE $3::text IS NULL OR f.district_adcode = $3 GROUP BY 1
    ),
    per_day AS (SELECT d, sum(reported)::int AS reported, sum(closed)::int AS closed FROM counted GROUP BY d),
    od AS (
      SELECT overdue_at, coalesce(closed_at, voided_at) AS fin FROM incidents
      WHERE overdue_at IS NOT NULL AND overdue_at < $2 AND ($3::text IS NULL OR district_adcode = $3)
        AND (coalesce(closed_at, voided_at) IS NULL OR coalesce(closed_at, voided_at) >= $1)
    ),
    base AS (SELECT count(*)::int AS n FROM od WHERE od.overdue_at < $1),
    delta AS (
      SELECT d, sum(n)::int AS n FROM (
        SELECT (overdue_at AT TIME ZONE 'Asia/Shanghai')::date AS d, 1 AS n FROM od WHERE od.overdue_at >= $1
        UNION ALL
        SELECT (fin AT TIME ZONE 'Asia/Shanghai')::date, -1 FROM od WHERE od.fin IS NOT NULL AND od.fin < $2 AND od.fin >= od.overdue_at
      ) x GROUP BY d
    )
    SELECT to_char(days.d, 'YYYY-MM-DD') AS date, coalesce(pd.reported, 0) AS reported, coalesce(pd.closed, 0) AS closed,
           ((SELECT n FROM base) + coalesce(sum(delta.n) OVER (ORDER BY days.d), 0))::int AS overdue
    FROM days LEFT JOIN delta ON delta.d = days.d LEFT JOIN per_day pd ON pd.d = days.d
    ORDER BY days.d`,
    [p.from.toISOString(), p.to.toISOString(), district, ...dayValues(p)],
  );
  return { from: p.from.toISOString(), to: p.to.toISOString(), days: res.rows };
}

/** Cases reported in the period per minor category (names from the current catalogue when it has the code). */
export async function statsCategories(db: Queryable, p: Period, district: string | null): Promise<StatsCategories> {
  const res = await db.query<{ code: string; nameZh: string; nameEn: string; count: number }>(
    `
    WITH ${dayParts(4)},
    per_category AS (
      SELECT category_id, sum(reported) AS n FROM rolled WHERE $3::text IS NULL OR district_adcode = $3 GROUP BY category_id
      UNION ALL
      SELECT f.category_id, count(*) FROM raw_reported f WHERE $3::text IS NULL OR f.district_adcode = $3 GROUP BY f.category_id
    ),
    n AS (
      SELECT c.minor_code, sum(pc.n)::int AS n FROM per_category pc JOIN categories c ON c.id = pc.category_id
      GROUP BY c.minor_code HAVING sum(pc.n) > 0
    )
    SELECT n.minor_code::text AS code, nm.name_zh AS "nameZh", nm.name_en AS "nameEn", n.n AS count
    FROM n CROSS JOIN LATERAL (
      SELECT c.name_zh, c.name_en FROM categories c LEFT JOIN category_catalogs v ON v.version = c.catalog_version
      WHERE c.minor_code = n.minor_code ORDER BY v.is_current DESC NULLS LAST, v.effective_from DESC NULLS LAST, c.id DESC LIMIT 1
    ) nm
    ORDER BY n.n DESC, n.minor_code`,
    [p.from.toISOString(), p.to.toISOString(), district, ...dayValues(p)],
  );
  return { from: p.from.toISOString(), to: p.to.toISOString(), total: res.rows.reduce((s, r) => s + r.count, 0), categories: res.rows };
}

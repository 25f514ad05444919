import type { BuildingProgress, BuildingTarget } from '#shared/buildings/schemas.ts';
import { BUILDING_STAGES, type BuildingKind, type BuildingStage } from '#shared/buildings/stage-machine.ts';
import type { ProgressGrouping } from '#shared/buildings/progress.ts';
import type { Queryable } from '../../db/transaction.ts';

type Row = BuildingProgress['rows'][number];
type Figures = Omit<Row, 'key' | 'name' | 'target'>;

const TARGET_COLUMNS = `t.district_adcode::text AS "districtAdcode", t.year::int AS year, t.stock_demolish_m2 AS "stockDemolishM2",
  t.stock_demolish_count AS "stockDemolishCount", t.new_max AS "newMax"`;

/** Targets of the year, per district, in scope (all districts for the city). */
export async function targetsOf(db: Queryable, year: number, district: string | null): Promise<BuildingTarget[]> {
  const res = await db.query<BuildingTarget>(
    `SELECT ${TARGET_COLUMNS} FROM building_targets t WHERE t.year = $1 AND ($2::text IS NULL OR t.district_adcode = $2) ORDER BY t.district_adcode`,
    [year, district],
  );
  return res.rows;
}

export async function districtExists(db: Queryable, adcode: string): Promise<boolean> {
  const res = await db.query(`SELECT 1 FROM districts WHERE adcode = $1`, [adcode]);
  return res.rowCount === 1;
}

/** The target as it was (null if none), locked for the change. */
export async function targetForUpdate(db: Queryable, district: string, year: number): Promise<BuildingTarget | null> {
  const res = await db.query<BuildingTarget>(`SELECT ${TARGET_COLUMNS} FROM building_targets t WHERE t.district_adcode = $1 AND t.year = $2 FOR UPDATE`, [
    district,
    year,
  ]);
  return res.rows[0] ?? null;
}

export async function putTarget(db: Queryable, t: BuildingTarget): Promise<BuildingTarget> {
  const res = await db.query<BuildingTarget>(
    `INSERT INTO building_targets AS t (district_adcode, year, stock_demolish_m2, stock_demolish_count, new_max)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (district_adcode, year) DO UPDATE
       SET stock_demolish_m2 = EXCLUDED.stock_demolish_m2, stock_demolish_count = EXCLUDED.stock_demolish_count,
           new_max = EXCLUDED.new_max, updated_at = now()
     RETURNING ${TARGET_COLUMNS}`,
    [t.districtAdcode, t.year, t.stockDemolishM2, t.stockDemolishCount, t.newMax],
  );
  return res.rows[0]!;
}

/**
 * The group key of a demolition (d) and of a new building (b, its cell g) per grouping. A demolition
 * keeps the street and squad it was recorded with; a new building goes to its cell's squad.
 */
const KEYS: Record<ProgressGrouping, { demolition: string; found: string }> = {
  district: { demolition: `d.district_adcode::text`, found: `b.district_adcode::text` },
  street: { demolition: `coalesce(d.street_code::text, '')`, found: `coalesce(b.street_code::text, '')` },
  squad: { demolition: `coalesce(d.squad_id::text, '')`, found: `coalesce(g.squad_id::text, '')` },
  month: { demolition: `to_char(d.demolished_on, 'YYYY-MM')`, found: `to_char(b.discovered_on, 'YYYY-MM')` },
};

/**
 * The year's figures per group, summed in SQL from the demolitions fact table (building_demolitions,
 * its day index) and the new-building index: [from, to) are the year's first days as dates (a date
 * column is already a Beijing calendar day).
 */
export async function progressFigures(db: Queryable, by: ProgressGrouping, year: number, district: string | null): Promise<Map<string, Figures>> {
  const k = KEYS[by];
  const res = await db.query<{ key: string; m2: number; n: number; found: number; new_m2: number }>(
    `
    WITH dem AS (
      SELECT ${k.demolition} AS key,
             coalesce(sum(d.area_m2) FILTER (WHERE d.kind = 'stock'), 0)::float8 AS m2,
             (count(*) FILTER (WHERE d.kind = 'stock' AND d.first))::int AS n,
             coalesce(sum(d.area_m2) FILTER (WHERE d.kind = 'new'), 0)::float8 AS new_m2
      FROM building_demolitions d
      WHERE d.demolished_on >= $1::date AND d.demolished_on < $2::date AND ($3::text IS NULL OR d.district_adcode = $3)
      GROUP BY 1
    ),
    found AS (
      SELECT ${k.found} AS key, count(*)::int AS found
      FROM illegal_buildings b ${by === 'squad' ? 'LEFT JOIN grid_cells g ON g.id = b.grid_cell_id' : ''}
      WHERE b.kind = 'new' AND b.discovered_on >= $1::date AND b.discovered_on < $2::date AND ($3::text IS NULL OR b.district_adcode = $3)
        -- dismissed as not illegal: closed with nothing demolished and nothing rectified
        AND NOT (b.closed_on IS NOT NULL AND b.demolished_area_m2 = 0 AND b.rectified_on IS NULL)
      GROUP BY 1
    )
    SELECT coalesce(dem.key, found.key) AS key, coalesce(dem.m2, 0) AS m2, coalesce(dem.n, 0) AS n,
           coalesce(found.found, 0) AS found, coalesce(dem.new_m2, 0) AS new_m2
    FROM dem FULL JOIN found ON found.key = dem.key`,
    [`${year}-01-01`, `${year + 1}-01-01`, district],
  );
  return new Map(
    res.rows.map((r) => [r.key, { stockDemolishedM2: round2(r.m2), stockDemolishedCount: r.n, newFound: r.found, newDemolishedM2: round2(r.new_m2) }]),
  );
}

/** Names of the groups: every district (or the one) in scope, streets and squads by code / id. */
export async function groupNames(db: Queryable, by: ProgressGrouping, district: string | null, keys: string[]): Promise<Map<string, string>> {
  if (by === 'month') return new Map();
  if (by === 'district') {
    const res = await db.query<{ key: string; name: string }>(
      `SELECT adcode::text AS key, name FROM districts WHERE $1::text IS NULL OR adcode = $1 ORDER BY adcode`,
      [district],
    );
    return new Map(res.rows.map((r) => [r.key, r.name]));
  }
  const sql =
    by === 'street'
      ? `SELECT code::text AS key, name FROM streets WHERE code::text = ANY($1::text[])`
      : `SELECT id::text AS key, name FROM squads WHERE id::text = ANY($1::text[])`;
  const res = await db.query<{ key: string; name: string }>(sql, [keys.filter((x) => x !== '')]);
  return new Map(res.rows.map((r) => [r.key, r.name]));
}

/** The register now, per stage and kind: buildings and footprint m² (scoped). */
export async function stageBreakdown(db: Queryable, district: string | null): Promise<BuildingProgress['byStage']> {
  const res = await db.query<{ stage: BuildingStage; kind: BuildingKind; count: number; area: number }>(
    `SELECT stage, kind, count(*)::int AS count, coalesce(sum(area_m2), 0)::float8 AS area
     FROM illegal_buildings WHERE $1::text IS NULL OR district_adcode = $1 GROUP BY 1, 2`,
    [district],
  );
  return res.rows
    .map((r) => ({ stage: r.stage, kind: r.kind, count: r.count, areaM2: round2(r.area) }))
    .sort((a, b) => BUILDING_STAGES.indexOf(a.stage) - BUILDING_STAGES.indexOf(b.stage) || a.kind.localeCompare(b.kind) * -1);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

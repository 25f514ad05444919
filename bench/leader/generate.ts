import type pg from 'pg';

/**
 * Historical cases for the leader bench, in bulk SQL (generate_series): spread over the past year
 * across the current grid cells (12% in cells inside a key area listed today, which get its id in
 * key_area_ids), categories of the current catalogue, sources weighted like a city's channels.
 * Older than 3 days: 96% closed (7% of those late: overdue and escalated at the deadline, closed
 * after it), 4% voided; the last 3 days: every state of the loop, overdue when the deadline passed.
 * Step times are consistent (reported < registered < dispatched < … < closed ≤ now).
 */
export async function generateCases(
  pool: pg.Pool,
  total: number,
  log: (s: string) => void,
  /** the span reported over, ending `endDaysAgo` days before now (a second batch makes older years) and the first case number */
  span: { days: number; endDaysAgo: number; firstNumber: number } = { days: 365, endDaysAgo: 0, firstNumber: 1 },
): Promise<void> {
  await pool.query(`
    DROP TABLE IF EXISTS bench_cells, bench_area_cells, bench_cats;
    SET max_parallel_workers_per_gather = 2;
    CREATE UNLOGGED TABLE bench_cells AS
      SELECT row_number() OVER (ORDER BY g.id)::int AS n, g.id, g.code, g.district_adcode, g.label_point,
             array(SELECT k.id FROM key_areas k WHERE ST_Covers(k.geom, g.label_point)
                     AND k.listed_on <= current_date AND (k.delisted_on IS NULL OR k.delisted_on > current_date)
                   ORDER BY k.priority_boost DESC, k.id) AS kas
      FROM grid_cells g WHERE g.valid_to IS NULL;
    CREATE UNLOGGED TABLE bench_area_cells AS SELECT row_number() OVER (ORDER BY id)::int AS n, n AS cell_n FROM bench_cells WHERE kas <> '{}';
    CREATE UNLOGGED TABLE bench_cats AS
      SELECT row_number() OVER (ORDER BY c.id)::int AS n, c.id, c.catalog_version
      FROM categories c JOIN category_catalogs v ON v.version = c.catalog_version AND v.is_current;
    CREATE UNIQUE INDEX ON bench_cells (n); CREATE UNIQUE INDEX ON bench_cells (id);
    CREATE UNIQUE INDEX ON bench_area_cells (n); CREATE UNIQUE INDEX ON bench_cats (n);
    ANALYZE bench_cells; ANALYZE bench_area_cells; ANALYZE bench_cats;`);
  const counts = (
    await pool.query<{ cells: number; areaCells: number; cats: number }>(
      `SELECT (SELECT count(*) FROM bench_cells)::int AS cells, (SELECT count(*) FROM bench_area_cells)::int AS "areaCells", (SELECT count(*) FROM bench_cats)::int AS cats`,
    )
  ).rows[0]!;
  log(`  ${counts.cells} grid cells (${counts.areaCells} in key areas), ${counts.cats} categories`);
  const chunk = 100_000;
  const last = span.firstNumber + total - 1;
  for (let start = span.firstNumber; start <= last; start += chunk) {
    const end = Math.min(last, start + chunk - 1);
    const t = performance.now();
    await pool.query(
      `
      INSERT INTO incidents (code, category_id, catalog_version, source, description, position, grid_cell_id, district_adcode, street_code,
                             key_area_ids, priority, state, deadline, reported_at, registered_at, voided_at, dispatched_at, accepted_at,
                             on_scene_at, handled_at, closed_at, overdue_at, escalated_at, outcome, updated_at)
      SELECT x.code, x.cat_id, x.catalog_version, x.source, '历史案件 bench', x.label_point, x.cell_id, x.district_adcode, left(x.cell_code, 9),
             x.kas, x.priority, x.state, x.deadline, x.reported_at,
             CASE WHEN x.state NOT IN ('reported') THEN x.reported_at + interval '5 minutes' END,
             CASE WHEN x.state = 'voided' THEN x.reported_at + interval '10 minutes' END,
             CASE WHEN x.state IN ('dispatched', 'accepted', 'on_scene', 'handled', 'closed') THEN x.reported_at + interval '10 minutes' END,
             CASE WHEN x.state IN ('accepted', 'on_scene', 'handled', 'closed') THEN x.reported_at + interval '15 minutes' END,
             CASE WHEN x.state IN ('on_scene', 'handled', 'closed') THEN x.reported_at + interval '35 minutes' END,
             CASE WHEN x.state IN ('handled', 'closed') THEN x.reported_at + (x.closed_after - interval '20 minutes') END,
             CASE WHEN x.state = 'closed' THEN x.reported_at + x.closed_after END,
             CASE WHEN x.late OR (x.state IN ('registered', 'dispatched', 'accepted', 'on_scene') AND x.deadline < now()) THEN x.deadline END,
             CASE WHEN x.late OR (x.state IN ('registered', 'dispatched', 'accepted', 'on_scene') AND x.deadline < now()) THEN x.deadline END,
             CASE WHEN x.state IN ('handled', 'closed') THEN (ARRAY['service', 'service', 'service', 'service', 'service', 'service', 'service', 'management', 'management', 'enforcement'])[1 + floor(x.r5 * 10)::int] END,
             x.reported_at
      FROM (
        SELECT y.*, c.id AS cell_id, c.code AS cell_code, c.district_adcode, c.label_point, c.kas, k.id AS cat_id, k.catalog_version,
               y.reported_at + interval '24 hours' AS deadline,
               -- closed within the day, or (late) 1–24 h after the deadline; never after now
               CASE WHEN y.late THEN interval '24 hours' + (1 + y.r4 * 23) * interval '1 hour' ELSE (0.5 + y.r4 * 20) * interval '1 hour' END AS closed_after
        FROM (
          SELECT z.*, z.state = 'closed' AND z.r3 < 0.07 AS late FROM (
            SELECT w.*,
                   CASE WHEN now() - w.reported_at > interval '3 days'
                        THEN CASE WHEN w.r2 < 0.96 THEN 'closed' ELSE 'voided' END
                        ELSE CASE WHEN now() - w.reported_at < interval '20 minutes' THEN 'reported'
                                  ELSE (ARRAY['reported', 'registered', 'dispatched', 'accepted', 'on_scene', 'handled', 'closed', 'closed', 'closed', 'closed'])[1 + floor(w.r2 * 10)::int] END
                   END AS state
            FROM (
              SELECT s, 'BH' || lpad(s::text, 9, '0') AS code,
                     now() - $6::int * interval '1 day' - random() * $7::int * interval '1 day' AS reported_at,
                     random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS rc, random() AS rk,
                     (ARRAY['public', 'public', 'public', 'public', 'public', 'public', 'public', 'supervisor', 'supervisor', 'supervisor', 'supervisor', 'supervisor',
                            'patrol', 'patrol', 'patrol', 'video', 'video', 'dispatcher', 'department', 'media', 'inspection'])[1 + floor(random() * 21)::int] AS source,
                     floor(random() * 100)::int AS priority
              FROM generate_series($1::int, $2::int) AS s
            ) w
          ) z
        ) y
        JOIN bench_cats k ON k.n = 1 + floor(y.rk * $3)::int
        JOIN bench_area_cells a ON a.n = 1 + floor(y.rc * $4)::int
        JOIN bench_cells c ON c.n = CASE WHEN y.r1 < 0.12 THEN a.cell_n ELSE 1 + floor(y.rc * $5)::int END
      ) x`,
      [start, end, counts.cats, counts.areaCells, counts.cells, span.endDaysAgo, span.days],
    );
    log(`  cases ${start}–${end} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  // The clock only stamps reported..closed when they were before now: pull the few that overshot back.
  await pool.query(`UPDATE incidents SET handled_at = least(handled_at, now() - interval '2 seconds'), closed_at = least(closed_at, now() - interval '1 second')
                    WHERE handled_at > now() OR closed_at > now()`);
}

/**
 * The step events of the cases reported in the last `days` days (the indicators read arrived,
 * handled and reworked from the log): reported, registered, dispatched, accepted, arrived,
 * handled, closed / voided, escalated, as their times on the case row say.
 */
export async function generateEvents(pool: pg.Pool, days: number): Promise<number> {
  const res = await pool.query(
    `
    INSERT INTO incident_events (incident_id, type, payload, occurred_at, district_adcode)
    SELECT i.id, e.type, json_build_object('code', i.code)::jsonb, e.at, i.district_adcode
    FROM incidents i CROSS JOIN LATERAL (VALUES
      ('incident.reported', i.reported_at), ('incident.registered', i.registered_at), ('incident.voided', i.voided_at),
      ('incident.dispatched', i.dispatched_at), ('incident.accepted', i.accepted_at), ('incident.arrived', i.on_scene_at),
      ('incident.handled', i.handled_at), ('incident.overdue', i.overdue_at), ('incident.escalated', i.escalated_at), ('incident.closed', i.closed_at)
    ) AS e(type, at)
    WHERE i.code LIKE 'BH%' AND i.reported_at >= now() - $1 * interval '1 day' AND e.at IS NOT NULL
    ORDER BY e.at`,
    [days],
  );
  return res.rowCount ?? 0;
}

/**
 * The first arrival and handling of the cases older than the events written by generateEvents, into
 * case_facts straight from the case rows: the indicators read them from there, and writing the
 * millions of step events of a bench history would take far longer than the figures it measures.
 */
export async function backfillOldFacts(pool: pg.Pool, days: number): Promise<number> {
  const res = await pool.query(
    `UPDATE case_facts f SET arrived_at = i.on_scene_at, handled_at = i.handled_at
     FROM incidents i
     WHERE i.id = f.incident_id AND i.code LIKE 'BH%' AND i.reported_at < now() - $1 * interval '1 day'
       AND (i.on_scene_at IS NOT NULL OR i.handled_at IS NOT NULL)`,
    [days],
  );
  return res.rowCount ?? 0;
}

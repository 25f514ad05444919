// 控违拆违 progress over a big register: 50,000 illegal buildings (BENCH_BUILDINGS) with ~8,000
// demolitions a year over five years, and 1,000,000 cases (BENCH_CASES) in the database beside them;
// then GET /api/buildings/progress's work (BuildingProgressService.progress: figures, names,
// targets, stage breakdown) by district, street, squad and month for this year, city-wide and for one
// district, beside a baseline in the same run (a plain count of the register). Goal: p95 under 300 ms.
//   DATABASE_URL=postgres://… npm run bench -- building-progress   (a fresh database on that server)
//   BENCH_CASES=100000 npm run bench -- building-progress           (embedded)
import { BuildingProgressService } from '../server/buildings/progress/service.ts';
import { shanghaiDay } from '#shared/time/deadlines.ts';
import { PROGRESS_GROUPINGS } from '#shared/buildings/progress.ts';
import { generateCases } from './leader/generate.ts';
import { benchDatabase, type Stats, measure } from './support.ts';

const BUILDINGS = Number(process.env.BENCH_BUILDINGS ?? 50_000);
const CASES = Number(process.env.BENCH_CASES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const PER_YEAR = 8_000;
const YEARS = 5;
const GOAL_MS = 300;
const log = (s: string) => console.log(s);

const db = await benchDatabase();
log(`building-progress bench on the ${db.mode} database: ${BUILDINGS.toLocaleString('en')} buildings, ${CASES.toLocaleString('en')} cases`);
let t = performance.now();
await generateCases(db.pool, CASES, log);
log(`  ${CASES.toLocaleString('en')} cases in ${((performance.now() - t) / 1000).toFixed(1)} s`);

const year = Number(shanghaiDay(new Date()).slice(0, 4));
t = performance.now();
// Buildings on the current cells (small squares at their label points), 85% stock; demolitions of
// random stock buildings spread evenly over the last five years to today, a fifth of them in two goes.
await db.pool.query(`
  SELECT setseed(0.16);
  CREATE TEMP TABLE cells AS SELECT row_number() OVER (ORDER BY id)::int AS n, id, code, district_adcode, label_point, squad_id
    FROM grid_cells WHERE valid_to IS NULL;
  CREATE UNIQUE INDEX ON cells (n);`);
await db.pool.query(
  `
  WITH c AS (SELECT count(*)::int AS total FROM cells)
  INSERT INTO illegal_buildings (code, geom, area_m2, floors, kind, stage, district_adcode, discovered_on, grid_cell_id, street_code, stage_at,
                                 closed_on)
  SELECT 'BENCH-' || i, ST_Multi(ST_Expand(g.label_point, 0.00006)), 100 + (i % 400), 1 + i % 3, x.kind,
         CASE WHEN x.kind = 'new' THEN (ARRAY['discovered','verified','filed','ordered'])[1 + i % 4]
              ELSE (ARRAY['discovered','verified','filed','ordered','rectified'])[1 + i % 5] END,
         g.district_adcode, x.found, g.id, left(g.code, 9), now(), NULL
  FROM generate_series(1, $1::int) AS i CROSS JOIN c
    CROSS JOIN LATERAL (SELECT CASE WHEN i % 7 = 0 THEN 'new' ELSE 'stock' END AS kind,
                               make_date($2::int, 1, 1) - (CASE WHEN i % 7 = 0 THEN (i * 37) % 1800 ELSE 1900 + (i * 37) % 2000 END) AS found) x
    JOIN cells g ON g.n = 1 + (i * 7919) % c.total`,
  [BUILDINGS, year + 1],
);
await db.pool.query(
  `
  WITH picked AS (
    SELECT b.id, b.kind, b.district_adcode, b.street_code, b.grid_cell_id, b.area_m2, b.floors,
           current_date - (row_number() OVER (ORDER BY random()) % ($2::int * 365))::int AS first_on,
           random() < 0.2 AS two
    FROM illegal_buildings b WHERE b.code LIKE 'BENCH-%' AND b.kind = 'stock' ORDER BY random() LIMIT $1
  ),
  goes AS (
    SELECT p.*, p.first_on AS on_, true AS first, CASE WHEN p.two THEN 0.5 ELSE 0.8 END AS share FROM picked p
    UNION ALL
    SELECT p.*, least(current_date, p.first_on + 30), false, 0.3 FROM picked p WHERE p.two
  )
  INSERT INTO building_demolitions (building_id, demolished_on, area_m2, kind, first, district_adcode, street_code, squad_id)
  SELECT g.id, g.on_, round((g.area_m2 * g.floors * g.share)::numeric, 2), g.kind, g.first, g.district_adcode, g.street_code, c.squad_id
  FROM goes g JOIN grid_cells c ON c.id = g.grid_cell_id`,
  [Math.round((PER_YEAR * YEARS) / 1.2), YEARS],
);
await db.pool.query(`
  UPDATE illegal_buildings b SET stage = 'demolished', demolished_area_m2 = d.m2, demolished_on = d.first_on
  FROM (SELECT building_id, sum(area_m2) AS m2, min(demolished_on) AS first_on FROM building_demolitions GROUP BY 1) d
  WHERE d.building_id = b.id AND b.code LIKE 'BENCH-%'`);
await db.pool.query('VACUUM ANALYZE illegal_buildings');
await db.pool.query('VACUUM ANALYZE building_demolitions');
const sizes = (
  await db.pool.query<{ b: number; d: number; dy: number; i: number }>(
    `SELECT (SELECT count(*) FROM illegal_buildings)::int AS b, (SELECT count(*) FROM building_demolitions)::int AS d,
            (SELECT count(*) FROM building_demolitions WHERE demolished_on >= make_date($1, 1, 1))::int AS dy, (SELECT count(*) FROM incidents)::int AS i`,
    [year],
  )
).rows[0]!;
log(
  `  ${sizes.b.toLocaleString('en')} buildings, ${sizes.d.toLocaleString('en')} demolitions (${sizes.dy.toLocaleString('en')} in ${year}), ${sizes.i.toLocaleString('en')} cases, in ${((performance.now() - t) / 1000).toFixed(1)} s`,
);

const service = new BuildingProgressService(db.pool, db.pool, { warn: log, info: () => {} });
const city = { role: 'admin' as const, districtAdcode: null, officerId: null };
const rows: { query: string; scope: string; stats: Stats; size: string }[] = [];
const add = (query: string, scope: string, stats: Stats, size: string) => {
  rows.push({ query, scope, stats, size });
  log(`  ${query} ${scope}: p50 ${stats.p50.toFixed(1)} ms, p95 ${stats.p95.toFixed(1)} ms`);
};
add('baseline count(*)', 'city', await measure(RUNS, () => db.pool.query('SELECT count(*) FROM illegal_buildings')), `${sizes.b} rows`);
for (const [label, district] of [
  ['city', undefined],
  ['锦江区', '510104'],
] as const) {
  for (const by of PROGRESS_GROUPINGS) {
    let size = '';
    const stats = await measure(RUNS, async () => {
      const p = await service.progress(city, { year, by, district });
      size = `${p.rows.length} rows, ${p.totals.stockDemolishedM2.toFixed(0)} m², ${p.totals.stockDemolishedCount} stock, ${p.totals.newFound} new`;
    });
    add(`progress by ${by}`, label, stats, size);
  }
}

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - [...s].length - [...s].filter((c) => c.charCodeAt(0) > 0x2e80).length));
log(`\n${pad('query', 22)}${pad('scope', 8)}${pad('p50 ms', 9)}${pad('p95 ms', 9)}${pad('goal', 6)}answer`);
let over = 0;
for (const r of rows) {
  const ok = r.stats.p95 < GOAL_MS;
  over += ok ? 0 : 1;
  log(`${pad(r.query, 22)}${pad(r.scope, 8)}${pad(r.stats.p50.toFixed(1), 9)}${pad(r.stats.p95.toFixed(1), 9)}${pad(ok ? 'ok' : 'OVER', 6)}${r.size}`);
}
log(`\n${rows.length} timings (n=${RUNS} each after 3 warm-ups), ${over} over ${GOAL_MS} ms p95 on the ${db.mode} database, year ${year}`);
await db.close();

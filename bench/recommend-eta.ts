// Recommendation latency with the drive-time ETA: 5,000 officers spread over the demo road patch
// (south-central Chengdu, where the road network is loaded), beside the KNN-only recommendation and
// the bare KNN query of the same run. Target: p99 with ETA under 50 ms on PostgreSQL + pgRouting.
//   DATABASE_URL=postgres://… npm run bench -- recommend-eta   (routed where the server has pgRouting)
//   npm run bench -- recommend-eta                            (embedded: ETA is the estimate, no routing)
import { FRESH_POSITION_MINUTES, recommend, roadNetworkStatus, routingReady } from '../server/dispatch/repository.ts';
import { benchApp, benchDatabase, benchToken, fmt, measure } from './support.ts';

const OFFICERS = Number(process.env.BENCH_OFFICERS ?? 5000);
const N = Number(process.env.BENCH_N ?? 300);

const db = await benchDatabase();
const app = await benchApp(db);
const token = await benchToken(db, app, 'dispatcher');

const net = await roadNetworkStatus(db.pool);
const patch = (
  await db.pool.query<{ x0: number; y0: number; x1: number; y1: number }>(
    `SELECT ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_XMax(e) AS x1, ST_YMax(e) AS y1 FROM (SELECT ST_Extent(geom)::geometry AS e FROM road_edges) x`,
  )
).rows[0]!;

// Every officer of the demo off duty; OFFICERS new ones inside the road patch, in the squad of the
// grid cell they stand in, a third each by car, patrol bike and on foot, 80 % free with a fresh fix.
await db.pool.query(`UPDATE officers SET duty_status = 'off_duty'`);
await db.pool.query(
  `
  INSERT INTO officers (name, squad_id, kind, certificate_no, certificate_expires, duty_status, position, position_at, equipment)
  SELECT 'bench-eta-' || i, coalesce(g.squad_id, (SELECT min(id) FROM squads)), 'officer', 'BENCH-ETA-' || i, date '2030-01-01',
         CASE WHEN i % 10 < 8 THEN 'available' WHEN i % 10 = 8 THEN 'busy' ELSE 'off_duty' END,
         p.g, now() - make_interval(secs => (i % 1200)),
         CASE i % 3 WHEN 0 THEN ARRAY['执法记录仪', '执法车'] WHEN 1 THEN ARRAY['执法记录仪', '电动巡逻车'] ELSE ARRAY['对讲机'] END
  FROM generate_series(1, $1::int) i
  -- a deterministic scatter over the patch (golden-ratio steps)
  CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint($2::float8 + ($4::float8 - $2::float8) * ((i * 0.6180339887) % 1), $3::float8 + ($5::float8 - $3::float8) * ((i * 0.7548776662) % 1)), 4326) AS g) p
  LEFT JOIN LATERAL (SELECT squad_id FROM grid_cells c WHERE c.valid_to IS NULL AND ST_Covers(c.geom, p.g) LIMIT 1) g ON true`,
  [OFFICERS, patch.x0, patch.y0, patch.x1, patch.y1],
);
await db.pool.query('ANALYZE officers');
const total = (
  await db.pool.query<{ n: number; avail: number }>(`
  SELECT count(*)::int AS n, count(*) FILTER (WHERE duty_status = 'available' AND position_at > now() - interval '30 minutes')::int AS avail FROM officers
  WHERE name LIKE 'bench-eta-%'`)
).rows[0]!;

// 100 cases at grid-cell points inside the patch
const points = (
  await db.pool.query<{ lon: number; lat: number }>(
    `SELECT ST_X(c) AS lon, ST_Y(c) AS lat FROM (
       SELECT ST_PointOnSurface(geom) AS c FROM grid_cells
       WHERE valid_to IS NULL AND geom @ ST_MakeEnvelope($1, $2, $3, $4, 4326) ORDER BY md5(id::text) LIMIT 100) x`,
    [patch.x0, patch.y0, patch.x1, patch.y1],
  )
).rows;
const ids: number[] = [];
for (const { lon, lat } of points) {
  const r = await app.inject({
    method: 'POST',
    url: '/api/incidents',
    headers: { authorization: `Bearer ${token}` },
    payload: { category: '0501', source: 'public', description: 'bench', lon, lat, register: true },
  });
  if (r.statusCode !== 201) throw new Error(r.body);
  ids.push(r.json().incident.id);
}
const cases = (
  await db.pool.query<{ id: number; lon: number; lat: number; squad: number | null }>(
    `
  SELECT i.id, ST_X(i.position) AS lon, ST_Y(i.position) AS lat, g.squad_id AS squad FROM incidents i LEFT JOIN grid_cells g ON g.id = i.grid_cell_id WHERE i.id = ANY($1) ORDER BY i.id`,
    [ids],
  )
).rows;

const routed = await routingReady(db.pool);
const methods = new Map<string, number>();
for (const c of cases.slice(0, 20)) for (const x of await recommend(db.pool, c, c.squad, 10)) methods.set(x.etaMethod, (methods.get(x.etaMethod) ?? 0) + 1);

const bare = await measure(N, (i) => {
  const c = cases[i % cases.length]!;
  return db.pool.query(
    `
    SELECT id FROM officers WHERE duty_status = 'available' AND position_at > now() - make_interval(mins => $3)
    ORDER BY position <-> ST_SetSRID(ST_MakePoint($1, $2), 4326) LIMIT 20`,
    [c.lon, c.lat, FRESH_POSITION_MINUTES],
  );
});
const knn = await measure(N, (i) => {
  const c = cases[i % cases.length]!;
  return recommend(db.pool, c, c.squad, 10, null, false);
});
const eta = await measure(N, (i) => {
  const c = cases[i % cases.length]!;
  return recommend(db.pool, c, c.squad, 10);
});
const http = await measure(N, async (i) => {
  const r = await app.inject({
    method: 'GET',
    url: `/api/incidents/${cases[i % cases.length]!.id}/recommendations?limit=10`,
    headers: { authorization: `Bearer ${token}` },
  });
  if (r.statusCode !== 200) throw new Error(r.body);
});

console.log(
  `recommend with ETA on the ${db.mode} database: ${total.n} officers in the road patch, ${total.avail} available with a fresh position; ` +
    `network ${net.edges} edges / ${net.routableNodes} routable junctions; pgRouting ${net.pgrouting ?? 'absent'} → ETA ${routed ? 'routed' : 'estimated'}`,
);
console.log(`  methods in the first 20 cases' lists: ${[...methods].map(([m, n]) => `${m} ${n}`).join(', ')}`);
console.log(`  bare KNN SQL (20 ids)                             ${fmt(bare)}`);
console.log(`  recommend() KNN only (straight-line estimate)     ${fmt(knn)}`);
console.log(
  `  recommend() with ETA (${routed ? 'nearest 20 routed)         ' : 'no pgRouting: estimated)  '} ${fmt(eta)}   p99 ×${(eta.p99 / knn.p99).toFixed(2)} of KNN only; target p99 < 50 ms`,
);
console.log(`  GET /api/incidents/:id/recommendations            ${fmt(http)}`);
await app.close();
await db.close();

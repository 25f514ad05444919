// Recommendation latency with 5,000 officers on duty, beside the bare KNN query of the same work.
//   npm run bench -- recommend                       (a fresh embedded database)
//   DATABASE_URL=postgres://… npm run bench -- recommend
import { recommend, FRESH_POSITION_MINUTES } from '../server/dispatch/repository.ts';
import { benchApp, benchDatabase, benchToken, cityPoints, fmt, measure } from './support.ts';

const OFFICERS = Number(process.env.BENCH_OFFICERS ?? 5000);
const N = Number(process.env.BENCH_N ?? 300);

const db = await benchDatabase();
const app = await benchApp(db);
const token = await benchToken(db, app, 'dispatcher');

// Grow the force to OFFICERS: spread over every squad's area, most on duty with fresh positions.
const have = (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM officers`)).rows[0]!.n;
await db.pool.query(
  `
  INSERT INTO officers (name, squad_id, kind, certificate_no, certificate_expires, duty_status, position, position_at)
  SELECT 'bench-' || i, s.id, CASE WHEN i % 5 < 3 THEN 'officer' ELSE 'auxiliary' END,
         CASE WHEN i % 5 < 3 THEN 'BENCH-' || i END, CASE WHEN i % 5 < 3 THEN date '2030-01-01' END,
         CASE WHEN i % 10 < 8 THEN 'available' WHEN i % 10 = 8 THEN 'busy' ELSE 'off_duty' END,
         ST_PointOnSurface(g.geom), now() - make_interval(secs => (i % 2400))
  FROM generate_series(1, $1::int) i
  -- Spread over the city by stepping through the grid with a prime stride.
  JOIN (SELECT min(id) AS lo, count(*) AS n FROM grid_cells) b ON true
  JOIN grid_cells g ON g.id = b.lo + (i::bigint * 7919) % b.n
  JOIN squads s ON s.id = g.squad_id`,
  [Math.max(0, OFFICERS - have)],
);
await db.pool.query('ANALYZE officers');
const total = (
  await db.pool.query<{ n: number; avail: number }>(`
  SELECT count(*)::int AS n, count(*) FILTER (WHERE duty_status = 'available' AND position_at > now() - interval '30 minutes')::int AS avail FROM officers`)
).rows[0]!;

// Cases to recommend for, at random spots of the city.
const points = await cityPoints(db.pool, 100);
const ids: number[] = [];
for (const [lon, lat] of points) {
  const r = await app.inject({
    method: 'POST',
    url: '/api/incidents',
    headers: { authorization: `Bearer ${token}` },
    payload: { category: '0501', source: 'public', description: 'bench', lon, lat, register: true },
  });
  ids.push(r.json().incident.id);
}
const cases = (
  await db.pool.query<{ id: number; lon: number; lat: number; squad: number | null }>(
    `
  SELECT i.id, ST_X(i.position) AS lon, ST_Y(i.position) AS lat, g.squad_id AS squad FROM incidents i LEFT JOIN grid_cells g ON g.id = i.grid_cell_id WHERE i.id = ANY($1) ORDER BY i.id`,
    [ids],
  )
).rows;

const bare = await measure(N, (i) => {
  const c = cases[i % cases.length]!;
  return db.pool.query(
    `
    SELECT id FROM officers WHERE duty_status = 'available' AND position_at > now() - make_interval(mins => $3)
    ORDER BY position <-> ST_SetSRID(ST_MakePoint($1, $2), 4326) LIMIT 10`,
    [c.lon, c.lat, FRESH_POSITION_MINUTES],
  );
});
const repo = await measure(N, (i) => {
  const c = cases[i % cases.length]!;
  return recommend(db.pool, { lon: c.lon, lat: c.lat }, c.squad, 10);
});
const http = await measure(N, async (i) => {
  const r = await app.inject({
    method: 'GET',
    url: `/api/incidents/${cases[i % cases.length]!.id}/recommendations?limit=10`,
    headers: { authorization: `Bearer ${token}` },
  });
  if (r.statusCode !== 200) throw new Error(r.body);
});

console.log(`recommend on the ${db.mode} database: ${total.n} officers, ${total.avail} available with a fresh position`);
console.log(`  bare KNN SQL (ids only)                 ${fmt(bare)}`);
console.log(`  recommend() (squad first, distances)     ${fmt(repo)}   p99 ×${(repo.p99 / bare.p99).toFixed(2)} of bare`);
console.log(`  GET /api/incidents/:id/recommendations   ${fmt(http)}   p99 ×${(http.p99 / bare.p99).toFixed(2)} of bare`);
await app.close();
await db.close();

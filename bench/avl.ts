// AVL at fleet size: phones posting POST /api/officers/me/position (BENCH_PHONES phones, each every
// BENCH_PERIOD_MS: 2,200 every 1.1 s = 2,000 positions/s, the most one officer may send being one a
// second) from several processes, and BENCH_CONSOLES city-wide consoles receiving the `positions`
// batches; stored → console latency of every fix at every console, the phones' answer times, the
// server's RSS at the start and the end, and every process's CPU. Beside it, in the same run, the bare
// SQL of one second's fixes as the server writes them (one batched statement) and as one statement each.
//   BENCH_SECONDS=30 npm run bench -- avl      (default 600: the 10 minutes of issue 17)
//   DATABASE_URL=postgres://… BENCH_PHONES=2200 BENCH_PERIOD_MS=1100 BENCH_CONSOLES=50 BENCH_PROCS=3
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkforceRepository, type PositionFix } from '../server/workforce/repository.ts';
import { backendsCpu, backendsDelta, child, histStats, machineBusySeconds, shares } from './load/children.ts';
import { benchApp, benchDatabase, benchToken, fmt, stats } from './support.ts';

const PHONES = Number(process.env.BENCH_PHONES ?? 2200);
const PERIOD = Number(process.env.BENCH_PERIOD_MS ?? 1100);
const CONSOLES = Number(process.env.BENCH_CONSOLES ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 600);
const PROCS = Number(process.env.BENCH_PROCS ?? 3);

const db = await benchDatabase();
const app = await benchApp(db);
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const token = await benchToken(db, app, 'dispatcher');

// The fleet: PHONES officers on duty spread over the grid, each with an officer login and a session
// (written in bulk: logging 2,200 users in through argon2 would take minutes; nobody can log in with
// this hash) and its token signed as the login route signs it.
await db.pool.query(
  `
  WITH cells AS (SELECT g.geom, g.squad_id, row_number() OVER (ORDER BY g.id) AS rn FROM grid_cells g WHERE g.squad_id IS NOT NULL AND g.valid_to IS NULL),
  k AS (SELECT count(*) AS n FROM cells)
  INSERT INTO officers (name, squad_id, kind, duty_status, position, position_at, equipment)
  SELECT 'AVL压测' || lpad(i::text, 5, '0'), c.squad_id, 'auxiliary', 'available', ST_PointOnSurface(c.geom), now() - interval '1 minute', ARRAY['手持终端']
  FROM generate_series(1, $1::int) i CROSS JOIN k JOIN cells c ON c.rn = 1 + (i::bigint * 7919) % k.n`,
  [PHONES],
);
const fleet = await db.pool.query<{ officerId: number; userId: number; sid: string; lon: number; lat: number; login: string }>(
  `
  WITH o AS (SELECT id, position FROM officers WHERE name LIKE 'AVL压测%' ORDER BY id),
  u AS (
    INSERT INTO users (login, password_hash, display_name, role, officer_id)
    SELECT 'avl-' || o.id, '$argon2id$bench-no-login', 'AVL ' || o.id, 'officer', o.id FROM o RETURNING id, officer_id, login),
  s AS (INSERT INTO user_sessions (user_id, expires_at) SELECT id, now() + interval '1 day' FROM u RETURNING id, user_id)
  SELECT u.officer_id AS "officerId", u.id AS "userId", s.id AS sid, ST_X(o.position) AS lon, ST_Y(o.position) AS lat, u.login
  FROM u JOIN s ON s.user_id = u.id JOIN o ON o.id = u.officer_id ORDER BY u.officer_id`,
);
const phones = fleet.rows.map((r) => ({
  token: app.jwt.sign(
    { sid: r.sid, id: r.userId, login: r.login, role: 'officer' as const, districtAdcode: null, officerId: r.officerId },
    { expiresIn: 86_400 },
  ),
  lon: r.lon,
  lat: r.lat,
}));

// Baseline: one second's fixes written bare, batched (as the server does) and one statement each.
const repo = new WorkforceRepository(db.pool);
const fixes = (round: number): PositionFix[] =>
  fleet.rows.map((r, k) => ({ officerId: r.officerId, lon: r.lon + round * 1e-6, lat: r.lat, accuracy: 8 + (k % 3) }));
const batched: number[] = [];
for (let round = 0; round < 5; round++) {
  await new Promise((r) => setTimeout(r, 1_050)); // the once-a-second rule
  const t = performance.now();
  await repo.storePositions(fixes(round));
  batched.push(performance.now() - t);
}
await new Promise((r) => setTimeout(r, 1_050));
const single = performance.now();
for (const f of fixes(9)) await repo.storePositions([f]);
const singleMs = performance.now() - single;
await new Promise((r) => setTimeout(r, 1_050));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-avl-'));
const perPhoneProc = shares(phones.length, PROCS);
let from = 0;
const files = perPhoneProc.map((n, i) => {
  const file = path.join(dir, `phones-${i}.json`);
  fs.writeFileSync(file, JSON.stringify(phones.slice(from, (from += n))));
  return file;
});

const consoles = shares(CONSOLES, PROCS).map((n) => child('consoles.ts', [base, token, String(n), 'avl']));
await Promise.all(consoles.map((c) => c.ready));

const rss: { at: number; mb: number }[] = [];
const sampleRss = () => rss.push({ at: performance.now(), mb: process.memoryUsage().rss / 2 ** 20 });
const dbName = db.mode === 'external' ? new URL(db.url!).pathname.slice(1) : '';
const cpu0 = process.cpuUsage();
const machine0 = machineBusySeconds();
const backends0 = backendsCpu(dbName);
const t0 = performance.now();
for (const c of consoles) c.send('go');
const senders = files.map((f) => child('phones.ts', [base, f, String(PERIOD), String(SECONDS)]));
// the first sample once the load has run a few seconds (connections, caches and batches warm)
setTimeout(sampleRss, Math.min(5_000, SECONDS * 200)).unref();
const sampler = setInterval(sampleRss, 60_000);
const sent = (await Promise.all(senders.map((s) => s.result))) as {
  sent: number;
  skipped: number;
  accepted: number;
  refused: number;
  errors: number;
  hist: [number, number][];
  cpuSeconds: number;
}[];
clearInterval(sampler);
sampleRss();
for (const c of consoles) c.send('stop');
const got = (await Promise.all(consoles.map((c) => c.result))) as { batches: number; items: number; cpuSeconds: number; hist: [number, number][] }[];
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const serverCpu = (cpu.user + cpu.system) / 1e6;
const backendsSeconds = dbName ? backendsDelta(backends0, backendsCpu(dbName)) : 0;
const machineCpu = machineBusySeconds() - machine0;
const generatorCpu = sent.reduce((s, r) => s + r.cpuSeconds, 0) + got.reduce((s, r) => s + r.cpuSeconds, 0);

const total = (k: 'sent' | 'skipped' | 'accepted' | 'refused' | 'errors') => sent.reduce((s, r) => s + r[k], 0);
const toConsole = histStats(got.map((g) => g.hist));
const answers = histStats(sent.map((s) => s.hist));
const pct = (s: number) => `${((100 * s) / wall).toFixed(0)} %`;
const history = await db.pool.query<{ n: number; parts: number }>(
  `SELECT (SELECT count(*)::int FROM officer_positions) AS n,
          (SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'officer_positions'::regclass) AS parts`,
);
console.log(
  `avl on the ${db.mode} database: ${phones.length} phones every ${PERIOD} ms (${((phones.length * 1000) / PERIOD).toFixed(0)} positions/s asked) ` +
    `in ${senders.length} processes, ${CONSOLES} city-wide consoles in ${consoles.length} processes, ${SECONDS} s`,
);
console.log(`  bare SQL, one second's ${phones.length} fixes in one statement   ${fmt(stats(batched))}`);
console.log(`  bare SQL, the same fixes one statement each               ${singleMs.toFixed(0)} ms in all`);
console.log(
  `  positions: ${total('accepted')} stored of ${total('sent')} sent (${(total('accepted') / SECONDS).toFixed(0)}/s), ` +
    `${total('refused')} refused as too soon, ${total('errors')} errors, ${total('skipped')} not sent (the phone's previous fix unanswered); history ${history.rows[0]!.n} rows in ${history.rows[0]!.parts} partitions`,
);
console.log(`  phone POST → answer                         ${fmt(answers)}`);
console.log(`  position stored → every console             ${fmt(toConsole)}   (${got.reduce((s, g) => s + g.batches, 0)} batches)`);
console.log(`  position → console p99 (answer p99 + stored → console p99, an upper bound) ${(answers.p99 + toConsole.p99).toFixed(0)} ms (goal < 1500 ms)`);
console.log(
  `  server RSS: ${rss.map((r) => `${((r.at - t0) / 1000).toFixed(0)} s ${r.mb.toFixed(0)} MB`).join(', ')}` +
    (rss.length > 1 ? `  (start → end ${rss.at(-1)!.mb - rss[0]!.mb >= 0 ? '+' : ''}${(rss.at(-1)!.mb - rss[0]!.mb).toFixed(0)} MB)` : ''),
);
console.log(
  `  CPU over ${wall.toFixed(1)} s (of one core): server process ${pct(serverCpu)}` +
    (dbName ? `, its PostgreSQL backends ${pct(backendsSeconds)}` : ' (embedded database included)') +
    `, load generator ${pct(generatorCpu)}, whole machine ${pct(machineCpu)} of 200 % (the rest: other work on the machine)`,
);
fs.rmSync(dir, { recursive: true, force: true });
await app.close();
await db.close();

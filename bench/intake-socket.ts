// Intake-to-socket latency: cases POSTed at a steady rate while consoles are connected, from the POST
// leaving the client to the event reaching each socket; beside the bare SQL of the same work (locate +
// insert + append the event, one transaction) measured in the same run. The load generator is several
// processes (bench/load): one posts, the others hold the consoles' sockets and time arrivals without
// decoding the payload; their CPU, the server's and the machine's are printed beside the figure.
//   npm run bench -- intake-socket                    (fresh embedded database)
//   DATABASE_URL=postgres://… npm run bench -- intake-socket
//   BENCH_SOCKETS=300 BENCH_RATE=200 BENCH_SECONDS=10 BENCH_PROCS=3 to change the load
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { withTransaction } from '../server/db/transaction.ts';
import { appendEvents } from '../server/events/repository.ts';
import { currentCategories } from '../server/categories/repository.ts';
import { insertNewCase, locate } from '../server/cases/repository.ts';
import { probes } from '../server/metrics/probes.ts';
import { backendsCpu, backendsDelta, child, histStats, machineBusySeconds, shares } from './load/children.ts';
import { benchApp, benchDatabase, benchToken, cityPoints, fmt, measure, stats } from './support.ts';

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 50);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** console processes (the machine has 2 cores: more than a few only share them) */
const PROCS = Number(process.env.BENCH_PROCS ?? Math.min(4, Math.ceil(SOCKETS / 50)));

const db = await benchDatabase();
const app = await benchApp(db);
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const token = await benchToken(db, app, 'dispatcher');
const userId = (await db.pool.query<{ id: number }>(`SELECT id FROM users WHERE login = $1`, [`bench-dispatcher-${process.pid}`])).rows[0]!.id;

// Baseline: the same database work without HTTP, auth, validation or sockets.
const points = await cityPoints(db.pool, 200);
const category = (await currentCategories(db.pool)).find((c) => c.minorCode === '0102')!;
const bare = await measure(200, (i) =>
  withTransaction(db.pool, async (c) => {
    const [lon, lat] = points[i % points.length]!;
    const location = (await locate(c, lon, lat))!;
    const { id, code } = await insertNewCase(c, {
      category,
      source: 'public',
      sourceRef: null,
      description: 'baseline',
      lon,
      lat,
      address: null,
      location,
      priority: 20,
      deadline: new Date(Date.now() + 3_600_000),
      reporterName: null,
      reporterContact: null,
      reportedBy: userId,
      idempotencyKey: null,
      registered: false,
      landmark: null,
    });
    await appendEvents(c, [
      {
        incidentId: id,
        type: 'incident.reported',
        actorUserId: userId,
        districtAdcode: location.districtAdcode,
        payload: {
          code,
          category: category.minorCode,
          source: 'public',
          sourceRef: null,
          priority: 20,
          gridCode: location.gridCode,
          keyAreaIds: location.keyAreaIds,
          duplicates: [],
        },
      },
    ]);
  }),
);

const perProcess = shares(SOCKETS, PROCS);
const consoles = perProcess.map((n) => child('consoles.ts', [base, token, String(n), 'intake']));
await Promise.all(consoles.map((c) => c.ready));

// what the server process (HTTP, sockets; the embedded database too) and the machine spend meanwhile
const eld = monitorEventLoopDelay({ resolution: 10 });
const appendMs: number[] = [];
probes.on('event-append', (sec) => appendMs.push(sec * 1000));
let maxWaiting = 0;
const waiting = setInterval(() => (maxWaiting = Math.max(maxWaiting, db.pool.waitingCount)), 10);
const dbName = db.mode === 'external' ? new URL(db.url!).pathname.slice(1) : '';
const cpu0 = process.cpuUsage();
const machine0 = machineBusySeconds();
const backends0 = backendsCpu(dbName);
const t0 = performance.now();
eld.enable();
for (const c of consoles) c.send('go');
const poster = child('intake-client.ts', [base, token, String(RATE), String(SECONDS)]);
const posted = (await poster.result) as { total: number; achievedRate: number; httpErrors: number; http: [number, number][]; cpuSeconds: number };
// each process drains until its sockets have every case (or 10 s)
consoles.forEach((c, i) => c.send(`stop ${posted.total * perProcess[i]!}`));
const results = (await Promise.all(consoles.map((c) => c.result))) as {
  deliveries: number;
  cpuSeconds: number;
  hist: [number, number][];
  first: [string, number][];
}[];
eld.disable();
clearInterval(waiting);
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const serverCpu = (cpu.user + cpu.system) / 1e6;
const backendsSeconds = dbName ? backendsDelta(backends0, backendsCpu(dbName)) : 0;
const machineCpu = machineBusySeconds() - machine0;
const generatorCpu = posted.cpuSeconds + results.reduce((s, r) => s + r.cpuSeconds, 0);

const deliveries = results.reduce((s, r) => s + r.deliveries, 0);
const firstOf = new Map<string, number>();
for (const r of results) for (const [k, v] of r.first) firstOf.set(k, Math.min(v, firstOf.get(k) ?? Infinity));
const all = histStats(results.map((r) => r.hist));
const first = stats([...firstOf.values()]);
const httpStats = histStats([posted.http]);
const pct = (s: number) => `${((100 * s) / wall).toFixed(0)} %`;
console.log(
  `intake-socket on the ${db.mode} database: ${SOCKETS} sockets in ${consoles.length} processes, ${RATE} cases/s for ${SECONDS} s (achieved ${posted.achievedRate.toFixed(0)}/s)`,
);
console.log(`  bare SQL: locate + insert + event (1 tx)   ${fmt(bare)}`);
console.log(`  POST /api/incidents (response)             ${fmt(httpStats)}  errors ${posted.httpErrors}`);
console.log(`  intake → first socket                      ${fmt(first)}`);
console.log(
  `  intake → every socket (${deliveries}/${posted.total * SOCKETS} deliveries) ${fmt(all)}   p99 ×${(all.p99 / bare.p99).toFixed(1)} of bare SQL p99`,
);
console.log(
  `  CPU over ${wall.toFixed(1)} s (of one core): server process ${pct(serverCpu)}` +
    (dbName ? `, its PostgreSQL backends ${pct(backendsSeconds)}` : ' (embedded database included)') +
    `, load generator ${pct(generatorCpu)} (poster ${pct(posted.cpuSeconds)}, consoles ${results.map((r) => pct(r.cpuSeconds)).join(' + ')}), ` +
    `whole machine ${pct(machineCpu)} of 200 % (the rest: other work on the machine)`,
);
const append = stats(appendMs);
console.log(
  `  server: event-loop delay p99 ${(eld.percentile(99) / 1e6).toFixed(1)} ms, max ${(eld.max / 1e6).toFixed(1)} ms; ` +
    `event append (lock wait included) p99 ${append.p99.toFixed(1)} ms; most requests waiting for a connection ${maxWaiting}`,
);
await app.close();
await db.close();

// Intake-to-socket latency: cases POSTed at a steady rate while a few hundred consoles are connected,
// from the POST leaving the client to the event reaching each socket; beside the bare SQL of the same
// work (locate + insert + append the event, one transaction) measured in the same run.
//   npm run bench -- intake-socket                    (fresh embedded database)
//   DATABASE_URL=postgres://… npm run bench -- intake-socket
//   BENCH_SOCKETS=300 BENCH_RATE=200 BENCH_SECONDS=10 to change the load
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withTransaction } from '../server/db/transaction.ts';
import { appendEvents } from '../server/events/repository.ts';
import { currentCategories } from '../server/categories/repository.ts';
import { insertNewCase, locate } from '../server/cases/repository.ts';
import { benchApp, benchDatabase, benchToken, cityPoints, fmt, measure, type Stats } from './support.ts';

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 300);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

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

const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    path.join(path.dirname(fileURLToPath(import.meta.url)), 'load', 'intake-client.ts'),
    base,
    token,
    String(SOCKETS),
    String(RATE),
    String(SECONDS),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let out = '';
child.stdout.on('data', (d) => (out += d));
await new Promise((r) => child.on('exit', r));
const result = JSON.parse(out) as {
  total: number;
  achievedRate: number;
  deliveries: number;
  expected: number;
  httpErrors: number;
  every: Stats;
  first: Stats;
  http: Stats;
};
const all = result.every;
console.log(`intake-socket on the ${db.mode} database: ${SOCKETS} sockets, ${RATE} cases/s for ${SECONDS} s (achieved ${result.achievedRate.toFixed(0)}/s)`);
console.log(`  bare SQL: locate + insert + event (1 tx)   ${fmt(bare)}`);
console.log(`  POST /api/incidents (response)             ${fmt(result.http)}  errors ${result.httpErrors}`);
console.log(`  intake → first socket                      ${fmt(result.first)}`);
console.log(
  `  intake → every socket (${result.deliveries}/${result.expected} deliveries) ${fmt(all)}   p99 ×${(all.p99 / bare.p99).toFixed(1)} of bare SQL p99`,
);
await app.close();
await db.close();

// What /metrics shows an operator under load: cases POSTed at a steady rate with consoles connected
// (bench/load/intake-client.ts), then one scrape; quantiles are read off the Prometheus histograms
// the way a dashboard's histogram_quantile() would. Beside them, the bare SQL of one intake's event
// append, measured in the same run.
//   npm run bench -- metrics-under-load
//   DATABASE_URL=postgres://… npm run bench -- metrics-under-load
//   BENCH_SOCKETS=100 BENCH_RATE=50 BENCH_SECONDS=20 to change the load
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../server/app.ts';
import { withTransaction } from '../server/db/transaction.ts';
import { appendEvents, type NewEvent } from '../server/events/repository.ts';
import { benchDatabase, benchToken, measure } from './support.ts';

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 100);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const TOKEN = 'bench-scrape-token';

const db = await benchDatabase();
const app = await buildApp({
  db,
  clocks: true,
  logger: false,
  config: { mapStyleUrl: null, rateLimitPerMinute: 10_000_000, loginPerMinute: 1000, logLevel: 'warn', dataDir: db.dataDir, metricsToken: TOKEN },
});
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const token = await benchToken(db, app, 'dispatcher');

// baseline: one event appended in its own transaction, no HTTP, nobody else writing; a type of its own
// outside the contract (shared/cases/events.ts), which no reader acts on
const BASELINE_EVENT = { incidentId: null, type: 'bench.baseline', actorUserId: null, districtAdcode: null, payload: {} } as unknown as NewEvent;
const bare = await measure(200, () => withTransaction(db.pool, (c) => appendEvents(c, [BASELINE_EVENT])));

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
const load = JSON.parse(out) as { total: number; achievedRate: number; httpErrors: number };

const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();

/** histogram_quantile over one series' cumulative buckets (linear inside a bucket), in ms */
function quantile(name: string, q: number, labels = ''): number {
  // prom-client writes `le` first: name_bucket{le="0.005",method="POST",…} 3
  const re = new RegExp(`^${name}_bucket\\{le="([^"]+)"${labels ? `,${labels}` : ''}\\} (\\d+)`, 'gm');
  const buckets = [...text.matchAll(re)].map((m) => ({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), n: Number(m[2]) }));
  const total = buckets.at(-1)?.n ?? 0;
  if (!total) return NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevN = 0;
  for (const b of buckets) {
    if (b.n >= rank) {
      if (b.le === Infinity) return prevLe * 1000;
      return (prevLe + ((b.le - prevLe) * (rank - prevN)) / Math.max(1, b.n - prevN)) * 1000;
    }
    prevLe = b.le;
    prevN = b.n;
  }
  return NaN;
}
const line = (name: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .join('  ');
const ms = (v: number) => `${v.toFixed(1)} ms`;

console.log(
  `metrics under load on the ${db.mode} database: ${SOCKETS} sockets, ${RATE} cases/s for ${SECONDS} s (achieved ${load.achievedRate.toFixed(0)}/s, ${load.httpErrors} errors)`,
);
console.log(`  baseline: one event appended in its own transaction   p50 ${ms(bare.p50)}  p99 ${ms(bare.p99)}`);
const post = 'method="POST",route="/api/incidents",status="201"';
console.log(
  `  POST /api/incidents (zhihui_http_request_duration_seconds)  p50 ${ms(quantile('zhihui_http_request_duration_seconds', 0.5, post))}  p99 ${ms(quantile('zhihui_http_request_duration_seconds', 0.99, post))}`,
);
const appendP99 = quantile('zhihui_event_append_seconds', 0.99);
console.log(
  `  event append, lock wait included (zhihui_event_append_seconds)  p50 ${ms(quantile('zhihui_event_append_seconds', 0.5))}  p99 ${ms(appendP99)}  ×${(appendP99 / bare.p99).toFixed(1)} of the baseline's p99`,
);
console.log(
  `  commit → emit (zhihui_event_emit_lag_seconds)  p50 ${ms(quantile('zhihui_event_emit_lag_seconds', 0.5))}  p99 ${ms(quantile('zhihui_event_emit_lag_seconds', 0.99))}`,
);
console.log(`  ${line('zhihui_db_pool_clients')}`);
console.log(`  ${line('zhihui_live_room_sockets')}`);
console.log(`  ${line('zhihui_event_log_delivered_seq')}  ${line('zhihui_events_published_total{type="incident.reported"}')}`);
await app.close();
await db.close();
process.exit(0);

// What district leaders watch, over a year of history: 1,000,000 cases (BENCH_CASES) over the past
// 365 days, then the heatmap, the key-area board (and the indicators, when server/indicators is
// there) over 30 and 365 days, city-wide and for one district. Goal: each under 300 ms (p95).
//   DATABASE_URL=postgres://… npm run bench -- leader   (a fresh database on that server; the figure that counts)
//   npm run bench -- leader                              (embedded; set BENCH_CASES lower, e.g. 100000)
//   BENCH_CASES=200000 BENCH_RUNS=10 BENCH_EVENT_DAYS=30 …
import { keyAreaBoard, heatmap, statsTrend, statsCategories, escalations } from '../server/leader/repository.ts';
import { generateCases, generateEvents } from './leader/generate.ts';
import { benchDatabase, type Stats, measure } from './support.ts';

const CASES = Number(process.env.BENCH_CASES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const EVENT_DAYS = Number(process.env.BENCH_EVENT_DAYS ?? 30);
const GOAL_MS = 300;
const DAY = 86_400_000;
const log = (s: string) => console.log(s);

const db = await benchDatabase();
log(`leader bench on the ${db.mode} database: ${CASES.toLocaleString('en')} cases over the past year`);
let t = performance.now();
await generateCases(db.pool, CASES, log);
log(`  ${CASES.toLocaleString('en')} cases in ${((performance.now() - t) / 1000).toFixed(1)} s`);
t = performance.now();
const events = await generateEvents(db.pool, EVENT_DAYS);
log(
  `  ${events.toLocaleString('en')} events for the cases of the last ${EVENT_DAYS} days in ${((performance.now() - t) / 1000).toFixed(1)} s (older cases have none)`,
);
t = performance.now();
await db.pool.query('VACUUM ANALYZE incidents');
await db.pool.query('VACUUM ANALYZE incident_events');
await db.pool.query('ANALYZE grid_cells');
log(`  VACUUM ANALYZE in ${((performance.now() - t) / 1000).toFixed(1)} s`);

// Indicators, if that module is there (another part of issue 6): imported, never edited.
type IndicatorRepo = { figures(by: 'district' | 'squad', p: { from: Date; to: Date; district: string | null }): Promise<unknown> };
let indicators: IndicatorRepo | null = null;
try {
  const mod = (await import('../server/indicators/repository.ts')) as {
    IndicatorRepository?: new (pool: typeof db.pool, dialect: typeof db.dialect) => IndicatorRepo;
  };
  if (mod.IndicatorRepository) indicators = new mod.IndicatorRepository(db.pool, db.dialect);
} catch {
  log('  (server/indicators/repository.ts not loadable: indicators not timed)');
}

const now = Date.now();
const windows = [
  ['30 days', 30],
  ['365 days', 365],
] as const;
const scopes = [
  ['city', null],
  ['锦江区', '510104'],
] as const;
const rows: { query: string; window: string; scope: string; stats: Stats; size: string }[] = [];
for (const [wLabel, days] of windows) {
  const p = { from: new Date(now - days * DAY), to: new Date(now) };
  for (const [sLabel, district] of scopes) {
    let size = '';
    const add = (query: string, stats: Stats) => {
      rows.push({ query, window: wLabel, scope: sLabel, stats, size });
      log(`  ${query} ${wLabel} ${sLabel}: p50 ${stats.p50.toFixed(1)} ms, p95 ${stats.p95.toFixed(1)} ms`);
    };
    add(
      'heatmap',
      await measure(RUNS, async () => {
        const text = await heatmap(db.pool, p, { district, categoryIds: null, source: null });
        const h = JSON.parse(text.slice(0, text.indexOf(',"cells"')) + '}') as { total: number };
        size = `${h.total} cases, ${(text.length / 1e6).toFixed(2)} MB`;
      }),
    );
    add(
      'heatmap source=public',
      await measure(RUNS, async () => {
        const text = await heatmap(db.pool, p, { district, categoryIds: null, source: 'public' });
        size = `${(text.length / 1e6).toFixed(2)} MB`;
      }),
    );
    add(
      'key-area board',
      await measure(RUNS, async () => {
        const b = await keyAreaBoard(db.pool, p, district);
        size = `${b.areas.length} areas, ${b.areas.reduce((s, a) => s + a.complaints, 0)} complaints`;
      }),
    );
    size = '';
    add('stats/trend', await measure(RUNS, () => statsTrend(db.pool, p, district)));
    add('stats/categories', await measure(RUNS, () => statsCategories(db.pool, p, district)));
    if (days === 30) add('escalations', await measure(RUNS, () => escalations(db.pool, district, 200)));
    if (indicators) {
      const repo = indicators;
      add('indicators by district', await measure(RUNS, () => repo.figures('district', { ...p, district })));
    }
  }
}

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - [...s].length - [...s].filter((c) => c.charCodeAt(0) > 0x2e80).length));
log(`\n${pad('query', 24)}${pad('window', 10)}${pad('scope', 8)}${pad('p50 ms', 9)}${pad('p95 ms', 9)}${pad('goal', 6)}answer`);
let over = 0;
for (const r of rows) {
  const ok = r.stats.p95 < GOAL_MS;
  over += ok ? 0 : 1;
  log(
    `${pad(r.query, 24)}${pad(r.window, 10)}${pad(r.scope, 8)}${pad(r.stats.p50.toFixed(1), 9)}${pad(r.stats.p95.toFixed(1), 9)}${pad(ok ? 'ok' : 'OVER', 6)}${r.size}`,
  );
}
log(`\n${rows.length} timings (n=${RUNS} each after 3 warm-ups), ${over} over ${GOAL_MS} ms p95 on the ${db.mode} database`);
await db.close();

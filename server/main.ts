import { buildApp } from './app.ts';
import { ensureDemoBasemap } from './basemap/demo.ts';
import { loadConfig } from './config.ts';
import { isDatabaseUnavailable } from './db/availability.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { ensureClientBuild } from './http/client-static.ts';
import { printCredentials } from './seed/credentials-banner.ts';
import { ensureCategoryCatalogue } from './seed/categories.ts';
import { seedDemoCity } from './seed/demo-city.ts';
import { ensureAreaGazetteer } from './seed/gazetteer.ts';
import { seedDemoHistory } from './seed/history.ts';
import { Simulator } from './simulator/simulator.ts';

const started = performance.now();
const since = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const say = (msg: string) => console.log(`[zhihui] ${msg}`);

/** Started while the database is down (a reboot of both, a failover): wait for it, with backoff. */
async function untilDatabaseAnswers<T>(fn: () => Promise<T>): Promise<T> {
  for (let wait = 500; ; wait = Math.min(wait * 2, 10_000)) {
    try {
      return await fn();
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      say(`waiting for the database (${(err as Error).message || (err as { code?: string }).code}); next try in ${wait / 1000} s`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

const config = loadConfig();
say(config.databaseUrl ? 'database: external PostgreSQL (DATABASE_URL)' : `database: embedded PostGIS in ${config.dataDir}`);
const db = await openDatabase({ databaseUrl: config.databaseUrl, readUrl: config.databaseReadUrl, dataDir: config.dataDir, embeddedPort: config.embeddedPort });
if (config.databaseReadUrl) say('leader and indicator reads: the streaming replica in DATABASE_READ_URL (the primary while it is away)');
try {
  const ran = await untilDatabaseAnswers(() => migrate(db.pool));
  say(`migrations: ${ran.length ? `applied ${ran.join(', ')}` : 'up to date'} (${since()})`);
  if (config.seedDemo) {
    const seed = await seedDemoCity(db.pool, { password: config.demoPassword, log: (m) => say(m) });
    if (seed.seeded) {
      say(`demo city seeded in ${(seed.ms / 1000).toFixed(1)} s: ${JSON.stringify(seed.counts)}`);
      printCredentials(seed.credentials, config.demoPassword !== null);
    } else {
      say('demo city already present');
    }
    const history = await seedDemoHistory(db.pool, { days: config.seedHistoryDays, log: (m) => say(m) });
    if (history.seeded) say(`demo history: ${config.seedHistoryDays} days in ${(history.ms / 1000).toFixed(1)} s: ${JSON.stringify(history.counts)}`);
    // the demo city's streets (OpenStreetMap, south-central Chengdu) as the offline basemap, once per DATA_DIR;
    // without it (no CJK font, say) the console keeps its plain offline style
    try {
      const basemap = await ensureDemoBasemap(config.dataDir);
      if (basemap)
        say(
          `demo basemap built in ${(basemap.ms / 1000).toFixed(1)} s: ${basemap.tiles} tiles, ${Math.round(basemap.bytes / 1024)} KiB, ${basemap.glyphRanges} glyph ranges`,
        );
    } catch (err) {
      say(`demo basemap not built (${(err as Error).message}); the map draws without streets`);
    }
  } else {
    const n = await ensureCategoryCatalogue(db.pool);
    if (n) say(`no demo city (SEED_DEMO=false); the shipped category catalogue installed: ${n} categories`);
    const places = await ensureAreaGazetteer(db.pool);
    if (places) say(`gazetteer: the city's areas entered for place search ${JSON.stringify(places)}`);
  }
  await ensureClientBuild(say);
} catch (err) {
  await db.close();
  throw err;
}

const app = await buildApp({ db, config, serveClient: true });
await app.listen({ port: config.port, host: config.host });
let simulator: Simulator | null = null;
if (config.simulate) {
  simulator = new Simulator(db.pool, app.zhihui.cases, app.zhihui.positions, app.log, {
    newCaseEveryMs: 5_000,
    tickMs: 2_000,
    autopilot: config.simulateAutopilot,
  });
  await simulator.start();
  say(
    config.simulateAutopilot
      ? 'simulator on (autopilot): reports appear every few seconds, are dispatched, and officers answer them — all but the officer a human holds'
      : 'simulator on: reports appear every few seconds at the hotspots of the hour and officers patrol; dispatching is yours (SIMULATE=autopilot does it too)',
  );
}
say(`console ready at http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}/ (API docs /docs) in ${since()}`);

// Graceful shutdown (a rolling restart, a redeploy): stop taking connections (a balancer sends the next
// requests to another instance), let requests and their transactions finish, tell the live clients to
// reconnect (they catch up from the log wherever they land), let a clock tick finish, then exit. Past
// the deadline the process exits anyway: a transaction cut short rolls back, nothing half-written stays.
let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    const began = performance.now();
    say(`${signal}: closing (in-flight work may take up to ${config.shutdownTimeoutMs / 1000} s)`);
    setTimeout(() => {
      say(`shutdown deadline of ${config.shutdownTimeoutMs / 1000} s passed: exiting with work unfinished`);
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    try {
      await simulator?.stop();
      await app.close();
      await db.close();
    } catch (err) {
      say(`error while closing: ${(err as Error).message}`);
      process.exit(1);
    }
    say(`closed in ${Math.round(performance.now() - began)} ms`);
    process.exit(0);
  });
}

import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { isDatabaseUnavailable } from './db/availability.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { ensureClientBuild } from './http/client-static.ts';
import { printCredentials } from './seed/credentials-banner.ts';
import { seedDemoCity } from './seed/demo-city.ts';
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
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, embeddedPort: config.embeddedPort });
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
  simulator = new Simulator(db.pool, app.zhihui.incidents, app.zhihui.positions, app.log);
  await simulator.start();
  say('simulator on: cases appear every few seconds and officers answer them (SIMULATE=true)');
}
say(`console ready at http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}/ (API docs /docs) in ${since()}`);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    say(`${signal}: closing`);
    await simulator?.stop();
    await app.close();
    await db.close();
    process.exit(0);
  });
}

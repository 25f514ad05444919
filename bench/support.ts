import { loadConfig } from '../server/config.ts';
import { type Database, openDatabase } from '../server/db/database.ts';
import { migrate } from '../server/db/migrate.ts';
import { seedDemoCity } from '../server/seed/demo-city.ts';

/**
 * The database `npm start` uses (DATABASE_URL, or the embedded one under DATA_DIR), migrated and
 * seeded if empty. Stop a running server first when it uses the embedded database.
 */
export async function benchDatabase(): Promise<Database> {
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrate(db.pool);
  await seedDemoCity(db.pool, { password: config.demoPassword });
  return db;
}

export interface Stats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { n: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

/** Runs `fn` `warmup` times unmeasured, then `n` times measured, one after another. */
export async function measure(n: number, fn: () => Promise<unknown>, warmup = 3): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return stats(samples);
}

export const fmt = (s: Stats) => `p50 ${s.p50.toFixed(1)} ms  p95 ${s.p95.toFixed(1)} ms  (n=${s.n})`;

/** The bbox a 1920×1080 map shows at `zoom` around `center` (512 px tiles, Web Mercator). */
export function viewportBbox(center: [number, number], zoom: number, width = 1920, height = 1080): [number, number, number, number] {
  const degPerPx = 360 / (512 * 2 ** zoom);
  const halfW = (width / 2) * degPerPx;
  const halfH = (height / 2) * degPerPx * Math.cos((center[1] * Math.PI) / 180);
  return [center[0] - halfW, center[1] - halfH, center[0] + halfW, center[1] + halfH];
}

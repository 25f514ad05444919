import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildApp } from '../server/app.ts';
import { type Database, embeddedPool } from '../server/db/database.ts';
import { startEmbeddedPostgis } from '../server/db/embedded.ts';
import { migrate } from '../server/db/migrate.ts';
import { seedDemoCity } from '../server/seed/demo-city.ts';
import { UserRepository } from '../server/users/repository.ts';
import { dialectFor } from '../server/db/dialect.ts';

/**
 * A fresh, seeded database just for this bench, so figures never pollute the one `npm start` uses:
 * with DATABASE_URL a new database on that server (dropped at the end), otherwise an embedded one
 * in a temporary directory.
 */
export async function benchDatabase(): Promise<Database & { dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-bench-'));
  const admin = process.env.DATABASE_URL;
  let db: Database;
  if (admin) {
    const name = `zhihui_bench_${process.pid}`;
    const run = async (sql: string) => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(sql).finally(() => c.end());
    };
    await run(`CREATE DATABASE ${name}`);
    const u = new URL(admin);
    u.pathname = `/${name}`;
    const pool = new pg.Pool({ connectionString: u.toString(), max: 10 });
    // Dropping the database at the end ends idle connections; that is expected, not a crash.
    pool.on('error', () => {});
    db = {
      pool,
      mode: 'external',
      dialect: dialectFor('external'),
      url: u.toString(),
      close: async () => {
        await pool.end();
        await run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  } else {
    const embedded = await startEmbeddedPostgis(dataDir);
    const pool = embeddedPool(embedded.url);
    db = {
      pool,
      mode: 'embedded',
      dialect: dialectFor('embedded'),
      url: embedded.url,
      close: async () => {
        await pool.end();
        await embedded.stop();
      },
    };
  }
  await migrate(db.pool);
  await seedDemoCity(db.pool, { password: null });
  return {
    ...db,
    dataDir,
    close: async () => {
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function benchApp(db: Database & { dataDir: string }) {
  return buildApp({
    db,
    config: { mapStyleUrl: null, rateLimitPerMinute: 10_000_000, loginPerMinute: 1000, logLevel: 'warn', dataDir: db.dataDir },
    clocks: false,
    logger: false,
  });
}

/** A user of `role` with a random password, and its token. */
export async function benchToken(db: Database, app: Awaited<ReturnType<typeof benchApp>>, role: 'dispatcher' | 'admin'): Promise<string> {
  const login = `bench-${role}-${process.pid}`;
  const password = crypto.randomBytes(16).toString('hex');
  await new UserRepository(db.pool).create(db.pool, { login, password, displayName: login, role, districtAdcode: null, officerId: null });
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { login, password } });
  return res.json().token as string;
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
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { n: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

/** Runs `fn` `warmup` times unmeasured, then `n` times measured, one after another. */
export async function measure(n: number, fn: (i: number) => Promise<unknown>, warmup = 3): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  return stats(samples);
}

export const fmt = (s: Stats) => `p50 ${s.p50.toFixed(1)} ms  p95 ${s.p95.toFixed(1)} ms  p99 ${s.p99.toFixed(1)} ms  (n=${s.n})`;

/** The bbox a 1920×1080 map shows at `zoom` around `center` (512 px tiles, Web Mercator). */
export function viewportBbox(center: [number, number], zoom: number, width = 1920, height = 1080): [number, number, number, number] {
  const degPerPx = 360 / (512 * 2 ** zoom);
  const halfW = (width / 2) * degPerPx;
  const halfH = (height / 2) * degPerPx * Math.cos((center[1] * Math.PI) / 180);
  return [center[0] - halfW, center[1] - halfH, center[0] + halfW, center[1] + halfH];
}

/** Random points inside the demo city's grid cells (deterministic by seed). */
export async function cityPoints(pool: pg.Pool, n: number, seed = 7): Promise<[number, number][]> {
  const res = await pool.query<{ lon: number; lat: number }>(
    `
    SELECT ST_X(c) AS lon, ST_Y(c) AS lat FROM (
      SELECT ST_PointOnSurface(geom) AS c FROM grid_cells ORDER BY md5(id::text || $2::text) LIMIT $1
    ) x`,
    [n, seed],
  );
  return res.rows.map((r) => [r.lon, r.lat]);
}

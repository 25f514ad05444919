// How long the README's `npm start` takes on a fresh embedded database (fresh DATA_DIR) until the
// console is ready: with the demo history (SEED_HISTORY_DAYS: 30 embedded, 90 on PostgreSQL by default) and without it (0). With
// DATABASE_URL, the same on a new database of that server each time.
//   npm run bench -- first-start
//   DATABASE_URL=postgres://… npm run bench -- first-start
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const external = process.env.DATABASE_URL || null;
const days = process.env.SEED_HISTORY_DAYS ?? (external ? '90' : '30'); // the defaults of server/config.ts

/** One first start, timed from the spawn to "console ready at", then a SIGINT. */
async function firstStart(historyDays: string): Promise<{ ms: number; history: string }> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    SEED_HISTORY_DAYS: historyDays,
    PORT: '0',
    ZHIHUI_DEMO_PASSWORD: 'bench-demo-pass-1',
  };
  let drop: () => Promise<void>;
  if (external) {
    const name = `zhihui_bench_first_${process.pid}_${historyDays}`;
    const admin = new pg.Client({ connectionString: external });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    env.DATABASE_URL = Object.assign(new URL(external), { pathname: `/${name}` }).toString();
    drop = async () => {
      const c = new pg.Client({ connectionString: external });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  } else {
    env.DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-bench-first-'));
    drop = async () => fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
  }
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env });
  let out = '';
  const ready = new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('console ready at')) resolve(performance.now() - started);
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before it was ready:\n${out}`)));
  });
  try {
    const ms = await ready;
    return { ms, history: /demo history: .*/.exec(out)?.[0] ?? '(no history)' };
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
    await drop();
  }
}

const mode = external ? 'external PostgreSQL' : 'embedded';
for (const d of ['0', days]) {
  const r = await firstStart(d);
  console.log(`first start, ${mode}, SEED_HISTORY_DAYS=${d}: ${(r.ms / 1000).toFixed(1)} s to "console ready"  ${d === '0' ? '' : r.history}`);
}

// How long `npm run backup` and `npm run restore` take for the demo city, run as an operator runs them
// (each its own process, the server's database running), beside what any backup or restore costs at
// least on the same database in the same run: reading every table once (count(*) over all of them),
// and, embedded, a new process creating an empty PGlite with PostGIS (where every restore starts).
//   npm run bench -- restore-time
//   DATABASE_URL=postgres://… npm run bench -- restore-time
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { mb } from '../server/backup/backup.ts';
import { appTables, ident } from '../server/backup/manifest.ts';
import { benchDatabase } from './support.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const db = await benchDatabase();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-bench-backup-'));
const restoredName = `zhihui_bench_restored_${process.pid}`;
const target = db.mode === 'external' ? Object.assign(new URL(db.url), { pathname: `/${restoredName}` }).toString() : path.join(work, 'restored');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * A command as the operator types it, timed from start to exit. Not spawnSync: the embedded database
 * is served from this process, which must keep answering while the command runs.
 */
function run(args: string[], env: Record<string, string> = {}): Promise<{ ms: number; out: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      if (code === 0) resolve({ ms: performance.now() - started, out });
      else reject(new Error(`${args.join(' ')} failed (${code}):\n${out}\n${err}`));
    }),
  );
}

try {
  const tables = await appTables(db.pool);
  let rows = 0;
  const scanStarted = performance.now();
  for (const t of tables) rows += Number((await db.pool.query(`SELECT count(*)::text AS n FROM ${ident(t)}`)).rows[0].n);
  const scanMs = performance.now() - scanStarted;
  console.log(`backup and restore on the ${db.mode} database: the demo city, ${rows} rows in ${tables.length} tables`);
  console.log(`baseline  count(*) over every table                         ${seconds(scanMs)}`);
  if (db.mode === 'embedded') {
    const empty = await run([
      '--input-type=module',
      '-e',
      `
      import { PGlite } from '@electric-sql/pglite';
      import { postgis } from '@electric-sql/pglite-postgis';
      const db = await PGlite.create({ dataDir: ${JSON.stringify(path.join(work, 'empty'))}, extensions: { postgis } });
      await db.exec('CREATE EXTENSION postgis');
      await db.close();`,
    ]);
    console.log(`baseline  new process: empty PGlite + CREATE EXTENSION postgis ${seconds(empty.ms)}`);
  }
  // the server's database stays open, as when the server runs: the embedded one is reached on its loopback port
  const env = { DATABASE_URL: db.url, DATA_DIR: db.dataDir };
  const taken = await run(['--import', 'tsx', 'server/backup/cli.ts', 'backup', '--out', path.join(work, 'backups')], env);
  const dir = /backup written to (.+)/.exec(taken.out)![1]!;
  const size = fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((sum, e) => sum + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
  console.log(`backup    npm run backup                                    ${seconds(taken.ms)}  (${mb(size)})`);
  const restored = await run(
    ['--import', 'tsx', 'server/backup/cli.ts', 'restore', dir, '--to', target, '--evidence-to', path.join(work, 'restored-evidence')],
    env,
  );
  console.log(`restore   npm run restore (new ${db.mode === 'external' ? 'database' : 'data directory'}, load, verify)    ${seconds(restored.ms)}`);
  for (const line of restored.out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('[backup]')))
    console.log(`          ${line}`);
} finally {
  if (db.mode === 'external') {
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${restoredName} WITH (FORCE)`).finally(() => admin.end());
  }
  await db.close();
  fs.rmSync(work, { recursive: true, force: true });
}

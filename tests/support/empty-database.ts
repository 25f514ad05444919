import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * The environment of a server (or the user CLI) on a database with nothing in it, as a newcomer's
 * first `npm start` has: a fresh embedded data directory, or a new database on the DATABASE_URL server.
 * `cleanups` gets what removes it again.
 */
export async function emptyDatabaseEnv(mode: 'embedded' | 'external', cleanups: (() => Promise<void>)[], tag: string): Promise<Record<string, string>> {
  if (mode === 'embedded') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `zhihui-${tag}-`));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    return { DATA_DIR: dir, DATABASE_URL: '' };
  }
  const admin = process.env.DATABASE_URL!;
  const name = `zhihui_${tag}_${process.pid}`;
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  await run(`CREATE DATABASE ${name}`);
  cleanups.push(() => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `zhihui-${tag}-`));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return { DATABASE_URL: u.toString(), DATA_DIR: dir };
}

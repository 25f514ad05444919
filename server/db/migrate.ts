import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { runner } from 'node-pg-migrate';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');
const MIGRATIONS_TABLE = 'pgmigrations';

export interface MigrationStatus {
  applied: string[];
  pending: string[];
  latest: string | null;
}

/** Applies every pending migration; a second run finds nothing to do. */
export async function migrate(pool: pg.Pool, log: (msg: string) => void = () => {}): Promise<string[]> {
  const client = await pool.connect();
  try {
    const ran = await runner({
      dbClient: client,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      migrationsTable: MIGRATIONS_TABLE,
      count: Infinity,
      checkOrder: true,
      log,
      logger: { debug: () => {}, info: log, warn: log, error: log },
    });
    return ran.map((m) => m.name);
  } finally {
    client.release();
  }
}

export function migrationFiles(): string[] {
  return fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => f.replace(/\.sql$/, ''));
}

export async function migrationStatus(pool: pg.Pool): Promise<MigrationStatus> {
  const exists = await pool.query<{ t: string | null }>(`SELECT to_regclass($1) AS t`, [MIGRATIONS_TABLE]);
  const applied = exists.rows[0]?.t
    ? (await pool.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY run_on, id`)).rows.map((r) => r.name)
    : [];
  const done = new Set(applied);
  return { applied, pending: migrationFiles().filter((f) => !done.has(f)), latest: applied.at(-1) ?? null };
}

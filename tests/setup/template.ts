import type pg from 'pg';
import { migrate } from '../../server/db/migrate.ts';
import { seedDemoCity } from '../../server/seed/demo-city.ts';
import { TEST_PASSWORD } from '../support/constants.ts';

/** What every test file's database starts from: migrated and seeded exactly as `npm start` does it. */
export interface Seeded {
  counts: Record<string, number>;
  ms: number;
}

/** A database (or data directory) each test file gets a fresh copy of. */
export interface DatabaseTemplate {
  /** A new database with the template's contents; `id` names it for `drop`. */
  clone(): Promise<{ id: string; url: string }>;
  drop(id: string): Promise<void>;
  /** Drops every clone still there, then the template. */
  dispose(): Promise<void>;
}

export async function migrateAndSeed(pool: pg.Pool): Promise<Seeded> {
  await migrate(pool);
  const seed = await seedDemoCity(pool, { password: TEST_PASSWORD });
  return { counts: seed.counts, ms: seed.ms };
}

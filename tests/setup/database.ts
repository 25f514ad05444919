import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { embeddedPool } from '../../server/db/database.ts';
import { startEmbeddedPostgis } from '../../server/db/embedded.ts';
import { migrate } from '../../server/db/migrate.ts';
import { seedDemoCity } from '../../server/seed/demo-city.ts';
import { TEST_PASSWORD } from '../support/constants.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    databaseMode: 'embedded' | 'external';
    seedCounts: Record<string, number>;
    seedMs: number;
  }
}

/**
 * One database for the run, migrated and seeded exactly as `npm start` does it: with DATABASE_URL,
 * a fresh database on that server (dropped afterwards); without it, the embedded PostGIS in a
 * temporary directory. Test files connect to it over loopback like the app does.
 */
export default async function setup(project: TestProject) {
  let url: string;
  let teardown: () => Promise<void>;
  const external = process.env.DATABASE_URL;
  if (external) {
    const name = `zhihui_test_${process.pid}_${Date.now().toString(36)}`;
    await adminQuery(external, `CREATE DATABASE ${name}`);
    const u = new URL(external);
    u.pathname = `/${name}`;
    url = u.toString();
    teardown = () => adminQuery(external, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } else {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-test-'));
    const embedded = await startEmbeddedPostgis(dataDir);
    url = embedded.url;
    teardown = async () => {
      await embedded.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    };
  }
  const pool = external ? new pg.Pool({ connectionString: url, max: 1 }) : embeddedPool(url);
  const started = performance.now();
  try {
    await migrate(pool);
    const seed = await seedDemoCity(pool, { password: TEST_PASSWORD });
    project.provide('seedCounts', seed.counts);
    project.provide('seedMs', seed.ms);
  } finally {
    // The embedded server takes one connection at a time: free it for the test files.
    await pool.end();
  }
  console.log(`[tests] ${external ? 'external' : 'embedded'} PostGIS migrated and seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  project.provide('databaseUrl', url);
  project.provide('databaseMode', external ? 'external' : 'embedded');
  return teardown;
}

export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

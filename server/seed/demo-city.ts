import type pg from 'pg';
import { insertCategoryCatalogue } from './categories.ts';
import { insertDistricts } from './districts.ts';
import { gazetteerEmpty, insertGazetteer } from './gazetteer.ts';
import { insertGridCells, insertStreetsAndCommunities } from './grid.ts';
import { insertIllegalBuildings } from './illegal-buildings.ts';
import { insertKeyAreas } from './key-areas.ts';
import { insertRoadNetwork } from './road-network.ts';
import { insertOfficers, insertSquads } from './squads.ts';
import { type DemoCredential, insertDemoUsers } from './users.ts';

export const DEMO_SEED_NAME = 'demo-city-chengdu';

export interface SeedResult {
  seeded: boolean;
  counts: Record<string, number>;
  credentials: DemoCredential[];
  ms: number;
}

/**
 * Seeds the demo city in one transaction, once: an advisory lock keeps two starting instances from
 * seeding together, and the seed_runs row makes every later start a no-op.
 */
export async function seedDemoCity(pool: pg.Pool, opts: { password: string | null; log?: (msg: string) => void; now?: Date }): Promise<SeedResult> {
  const log = opts.log ?? (() => {});
  const now = opts.now ?? new Date();
  const started = performance.now();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('zhihui-demo-seed'))`);
    const done = await client.query(`SELECT 1 FROM seed_runs WHERE name = $1`, [DEMO_SEED_NAME]);
    if (done.rowCount) {
      // a demo city seeded before the gazetteer existed (migration 019) gets it on its next start
      if (await gazetteerEmpty(client)) {
        const counts = await insertGazetteer(client);
        await client.query('COMMIT');
        await client.query('ANALYZE gazetteer');
        log(`seed gazetteer (demo city seeded before it): ${JSON.stringify(counts)}`);
        return { seeded: false, counts, credentials: [], ms: performance.now() - started };
      }
      await client.query('ROLLBACK');
      return { seeded: false, counts: {}, credentials: [], ms: performance.now() - started };
    }
    const counts: Record<string, number> = {};
    const step = async (name: string, fn: () => Promise<number | Record<string, number>>) => {
      const t = performance.now();
      const r = await fn();
      Object.assign(counts, typeof r === 'number' ? { [name]: r } : r);
      log(`seed ${name}: ${JSON.stringify(r)} in ${Math.round(performance.now() - t)} ms`);
    };
    const today = now.toISOString().slice(0, 10);
    await step('districts', () => insertDistricts(client));
    await step('streets', () => insertStreetsAndCommunities(client));
    await step('gridCells', () => insertGridCells(client, '2026-01-01'));
    await step('squads', () => insertSquads(client));
    await step('officers', () => insertOfficers(client, now));
    await step('keyAreas', () => insertKeyAreas(client));
    await step('illegalBuildings', () => insertIllegalBuildings(client, 60, now));
    await step('categories', () => insertCategoryCatalogue(client));
    await step('roadNetwork', () => insertRoadNetwork(client));
    await step('gazetteer', () => insertGazetteer(client));
    let credentials: DemoCredential[] = [];
    await step('users', async () => (credentials = await insertDemoUsers(client, opts.password)).length);
    await client.query(`INSERT INTO seed_runs (name, summary) VALUES ($1, $2)`, [DEMO_SEED_NAME, JSON.stringify({ counts, today })]);
    await client.query('COMMIT');
    // Planner statistics for the freshly filled tables: the embedded database has no autovacuum to
    // gather them, and without them PostGIS queries pick poor plans.
    const t = performance.now();
    await client.query('ANALYZE');
    log(`seed analyze in ${Math.round(performance.now() - t)} ms`);
    return { seeded: true, counts, credentials, ms: performance.now() - started };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

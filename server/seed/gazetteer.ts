import type pg from 'pg';
import { withTransaction } from '../db/transaction.ts';
import { AREA_SOURCES, OSM_DEMO_SOURCE, rebuildAreaEntries, replaceNetworkEntries } from '../geocode/repository.ts';
import { loadOsmIntersections, loadOsmRoads } from './osm-roads.ts';

/** OSM's placeholder names ("nameless alley") name nothing a caller would say. */
const PLACEHOLDER = /^无名/u;

/**
 * The demo city's gazetteer: the OSM patch's named roads (one entry per name; the reverse-direction
 * twins, ids starting with '-', are the same way and are left out) and intersections, then the
 * districts, streets, communities, grid cells and key areas already seeded.
 */
export async function insertGazetteer(client: pg.PoolClient): Promise<Record<string, number>> {
  const roads = loadOsmRoads();
  const ids = new Set(roads.map((r) => r.id));
  const forward = roads.filter((r) => r.name && !PLACEHOLDER.test(r.name) && !(r.id.startsWith('-') && ids.has(r.id.slice(1))));
  const intersections = loadOsmIntersections().filter((i) => i.name && !i.roads.some((r) => PLACEHOLDER.test(r)));
  const network = await replaceNetworkEntries(client, OSM_DEMO_SOURCE, forward, intersections);
  const areas = await rebuildAreaEntries(client);
  return { gazetteerRoads: network.roads, gazetteerIntersections: network.intersections, gazetteerAreas: Object.values(areas).reduce((a, b) => a + b, 0) };
}

export async function gazetteerEmpty(client: pg.PoolClient): Promise<boolean> {
  return (await client.query(`SELECT 1 FROM gazetteer LIMIT 1`)).rowCount === 0;
}

/**
 * A city's own geography (SEED_DEMO=false) imported before the gazetteer existed: its districts,
 * streets, communities, grid codes and key areas are entered once, on the first start that finds
 * none. Later imports rebuild them as they commit (server/gis/service.ts).
 */
export async function ensureAreaGazetteer(pool: pg.Pool): Promise<Record<string, number> | null> {
  return withTransaction(pool, async (c) => {
    const r = await c.query<{ missing: boolean }>(
      `SELECT NOT EXISTS (SELECT 1 FROM gazetteer WHERE source = ANY($1)) AND EXISTS (SELECT 1 FROM districts) AS missing`,
      [AREA_SOURCES],
    );
    return r.rows[0]!.missing ? rebuildAreaEntries(c) : null;
  });
}

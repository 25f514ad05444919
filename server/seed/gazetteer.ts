import type pg from 'pg';
import { OSM_DEMO_SOURCE, rebuildAreaEntries, replaceNetworkEntries } from '../geocode/repository.ts';
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

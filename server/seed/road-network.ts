// The demo city's road network for travel times: the OSM roads of the demo patch (osm-roads.ts),
// snapped into junctions and edges by the loader a deployment's roads use too (`npm run roads`).
import type pg from 'pg';
import { DEMO_SNAP, loadRoadNetwork } from '../dispatch/road-network.ts';
import { loadOsmRoads } from './osm-roads.ts';

export async function insertRoadNetwork(client: pg.PoolClient): Promise<Record<string, number>> {
  return loadRoadNetwork(client, loadOsmRoads(), DEMO_SNAP);
}

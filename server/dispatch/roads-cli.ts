// `npm run roads -- <command>`: the road network the recommendation's ETA routes on.
//   import <roads.geojson> [--snap <m>] [--junction <m>]   replace the loaded network with these roads
//   status                                                  what is loaded, and whether pgRouting is here
// The file has the shape of the demo's server/seed/data/chengdu-roads-south-central.osm.geojson
// (LineStrings with id, name, highway, lanes; a two-way road as `<id>` and its reverse `-<id>`), or
// an OSM export's `oneway` tags. Segment ends within --snap metres are one junction (default 30, what
// the demo's SUMO-cut data needs; use 0 or 1 for data that shares exact junction coordinates).
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { withTransaction } from '../db/transaction.ts';
import { analyzeRoadNetwork, roadNetworkStatus } from './repository.ts';
import { DEMO_SNAP, loadRoadNetwork, readRoadsGeoJson } from './road-network.ts';

const USAGE = `usage: npm run roads -- import <roads.geojson> [--snap <metres>] [--junction <metres>]
       npm run roads -- status
With the embedded database, stop the server first (or use DATABASE_URL=postgres://postgres@127.0.0.1:$EMBEDDED_PG_PORT/postgres while it runs).`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { snap: { type: 'string' }, junction: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
const [command, file] = positionals;
if (values.help || !command || !['import', 'status'].includes(command) || (command === 'import' && !file)) {
  console.error(USAGE);
  process.exit(2);
}
const num = (v: string | undefined, d: number) => {
  if (v === undefined) return d;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 200) {
    console.error(`not a distance in metres (0–200): ${v}`);
    process.exit(2);
  }
  return n;
};

const config = loadConfig();
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  await migrate(db.pool);
  if (command === 'import') {
    const segments = readRoadsGeoJson(file!);
    const snapMeters = num(values.snap, DEMO_SNAP.snapMeters);
    const opts = { snapMeters, maxJunctionMeters: num(values.junction, Math.max(snapMeters, snapMeters * 1.5)) };
    const loaded = await withTransaction(db.pool, (client) => loadRoadNetwork(client, segments, opts));
    await analyzeRoadNetwork(db.pool);
    console.log(`${segments.length} segments → ${loaded.roadNodes} junctions (${loaded.routableNodes} routable), ${loaded.roadEdges} edges`);
  }
  const s = await roadNetworkStatus(db.pool);
  console.log(
    `${db.mode} database: ${s.nodes} junctions (${s.routableNodes} routable), ${s.edges} edges (${s.onewayEdges} one-way), ${s.kilometres} km; ` +
      (s.pgrouting ? `pgRouting ${s.pgrouting}: ETAs are routed on this network` : 'no pgRouting: ETAs are straight-line estimates'),
  );
} finally {
  await db.close();
}

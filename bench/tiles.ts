// Vector tiles around 天府广场 at z13, z14 and z16: the endpoint against the bare SQL of the same tile, same run.
//   npm run bench -- tiles          (a fresh embedded database: the bare SQL is the fallback's, Node encodes)
//   DATABASE_URL=postgres://… npm run bench -- tiles   (a fresh database on that server: ST_AsMVT)
// BENCH_SECONDS (default 5): how long each throughput run lasts; BENCH_CONCURRENCY (8): requests in flight.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { TileRepository, tileQuery } from '../server/tiles/repository.ts';
import { benchApp, benchDatabase, benchToken, type Stats, measure } from './support.ts';
import { confirmDialect } from '../server/db/dialect.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const TIANFU: [number, number] = [104.0657, 30.6598];

function tileAt([lon, lat]: [number, number], z: number): [number, number] {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)];
}

/** Every tile of a side × side block around the square. */
function block(z: number, side: number): [number, number, number][] {
  const [cx, cy] = tileAt(TIANFU, z);
  const lo = -Math.floor((side - 1) / 2);
  const out: [number, number, number][] = [];
  for (let dy = lo; dy < lo + side; dy++) for (let dx = lo; dx < lo + side; dx++) out.push([z, cx + dx, cy + dy]);
  return out;
}

/** Runs `fn` from `CONCURRENCY` loops for `SECONDS`; answers completed calls per second. */
async function throughput(fn: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  let done = 0;
  const until = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        await fn(next++);
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

const db = await benchDatabase();
const repo = new TileRepository(db.pool, await confirmDialect(db.pool, db.dialect));
const app = await benchApp(db);
await app.listen({ port: 0, host: '127.0.0.1' });
const port = (app.server.address() as AddressInfo).port;
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
// tiles need a login, like every map layer (each request checks its session, as the console's do)
const headers = { authorization: `Bearer ${await benchToken(db, app, 'dispatcher')}` };

function fetchTile([z, x, y]: [number, number, number]): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: `/api/tiles/grid-cells/${z}/${x}/${y}.pbf`, agent, headers }, (res) => {
        let bytes = 0;
        res.on('data', (d: Buffer) => (bytes += d.length));
        res.on('end', () => (res.statusCode === 200 || res.statusCode === 204 ? resolve(bytes) : reject(new Error(`HTTP ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

const bareQuery = (t: [number, number, number]) => db.pool.query({ ...tileQuery('grid-cells', db.dialect, repo.encoder), values: t });
const bareLabel =
  repo.encoder === 'postgis'
    ? 'bare = the ST_AsMVT statement alone'
    : 'bare = the fallback statement alone (tile-space GeoJSON rows; PostGIS here has no ST_AsMVT, the endpoint encodes in Node)';
console.log(`tiles (grid-cells) on the ${db.mode} database, encoder ${repo.encoder}; ${bareLabel}`);
console.log(`latency: each tile of the block in turn, one at a time; throughput: ${CONCURRENCY} in flight for ${SECONDS} s; HTTP over keep-alive`);

const ms = (s: Stats) => `${s.p50.toFixed(1).padStart(6)} ${s.p99.toFixed(1).padStart(6)}`;
const rows: string[] = [];
for (const [z, side, rounds] of [
  [13, 3, 3],
  [14, 4, 3],
  [16, 4, 5],
] as const) {
  const tiles = block(z, side);
  const n = tiles.length * rounds;
  let features = 0;
  let bytes = 0;
  for (const t of tiles) {
    features += new VectorTile(new PbfReader(await repo.tile('grid-cells', ...t))).layers.grid_cells?.length ?? 0;
    bytes += await fetchTile(t);
  }
  const bare = await measure(n, (i) => bareQuery(tiles[i % tiles.length]!));
  const endpoint = await measure(n, (i) => fetchTile(tiles[i % tiles.length]!));
  const bareRate = await throughput((i) => bareQuery(tiles[i % tiles.length]!));
  const endpointRate = await throughput((i) => fetchTile(tiles[i % tiles.length]!));
  rows.push(
    `z${z}  ${String(tiles.length).padStart(5)} ${String(Math.round(features / tiles.length)).padStart(10)} ${(bytes / tiles.length / 1024).toFixed(1).padStart(7)} ` +
      `${ms(bare)}  ${ms(endpoint)}  ${(endpoint.p50 / bare.p50).toFixed(2).padStart(5)} ${(endpoint.p99 / bare.p99).toFixed(2).padStart(5)}  ` +
      `${bareRate.toFixed(0).padStart(6)} ${endpointRate.toFixed(0).padStart(6)} ${(endpointRate / bareRate).toFixed(2).padStart(5)}`,
  );
}
console.log('                                   bare ms        HTTP ms       HTTP/bare     tiles/s    HTTP/bare');
console.log('zoom tiles cells/tile KB/tile    p50    p99     p50    p99    p50   p99     bare   HTTP     ×');
for (const r of rows) console.log(r);
agent.destroy();
await app.close();
await db.close();

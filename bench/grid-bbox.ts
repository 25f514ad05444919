// Grid cells in a bounding box: the endpoint against the bare SQL of the same work, same run.
//   npm run bench -- grid-bbox          (a fresh embedded database)
//   DATABASE_URL=postgres://… npm run bench -- grid-bbox   (a fresh database on that server)
import { GeoRepository } from '../server/geo/repository.ts';
import { benchApp, benchDatabase, benchToken, fmt, measure, viewportBbox } from './support.ts';

const db = await benchDatabase();
const repo = new GeoRepository(db.pool);
const app = await benchApp(db);
const authorization = `Bearer ${await benchToken(db, app, 'dispatcher')}`;
const center: [number, number] = [104.07, 30.66];
console.log(`grid-bbox on the ${db.mode} database`);
for (const [label, zoom, n] of [
  ['city zoom 12', 12, 15],
  ['district zoom 14', 14, 40],
  ['street zoom 16', 16, 100],
] as const) {
  const bbox = viewportBbox(center, zoom);
  const limit = 50_000;
  const sqlBare = await measure(n, () =>
    db.pool.query(`SELECT id, code, ST_AsGeoJSON(geom, 6) FROM grid_cells WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4326) AND valid_to IS NULL LIMIT $5`, [
      ...bbox,
      limit,
    ]),
  );
  const repoStats = await measure(n, () => repo.gridCells(bbox, limit));
  let bytes = 0;
  let features = 0;
  const http = await measure(n, async () => {
    const res = await app.inject({ method: 'GET', url: `/api/grid-cells?bbox=${bbox.join(',')}&limit=${limit}`, headers: { authorization } });
    bytes = res.rawPayload.length;
    features = (res.body.match(/"Feature"/g) ?? []).length;
  });
  console.log(`${label.padEnd(17)} ${features} cells, ${(bytes / 1e6).toFixed(2)} MB`);
  console.log(`  bare SQL (rows + ST_AsGeoJSON)  ${fmt(sqlBare)}`);
  console.log(`  repository (FeatureCollection)  ${fmt(repoStats)}   ×${(repoStats.p50 / sqlBare.p50).toFixed(2)} of bare SQL`);
  console.log(`  HTTP GET /api/grid-cells        ${fmt(http)}   ×${(http.p50 / sqlBare.p50).toFixed(2)} of bare SQL`);
}
await app.close();
await db.close();

import { VectorTile, type VectorTileLayer } from '@mapbox/vector-tile';
import { booleanPointInPolygon, point } from '@turf/turf';
import type { FastifyInstance } from 'fastify';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TileRepository } from '../../server/tiles/repository.ts';
import { testApp } from '../support/app.ts';
import { login } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';
import { confirmDialect } from '../../server/db/dialect.ts';

const db = testDatabase();
// The capability probe the app runs at start, run here too so the comparison can be skipped where it cannot run.
const repo = new TileRepository(db.pool, await confirmDialect(db.pool, db.dialect));
let app: FastifyInstance;
let token = '';
beforeAll(async () => {
  app = await testApp(db);
  token = (await login(app, 'dispatcher')).token;
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const MODE = inject('databaseMode');
const TIANFU: [number, number] = [104.0657, 30.6598];
const EXTENT = 4096;
const BUFFER = 64;

/** The slippy-map tile holding a point. */
function tileAt([lon, lat]: [number, number], z: number): [number, number, number] {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return [z, Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)];
}

/** The tile's lon/lat bounds grown by `units` tile units on every side. */
function tileBbox(z: number, x: number, y: number, units = 0): [number, number, number, number] {
  const n = 2 ** z;
  const lon = (tx: number) => (tx / n) * 360 - 180;
  const lat = (ty: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * ty) / n))) * 180) / Math.PI;
  const g = units / EXTENT;
  return [lon(x - g), lat(y + 1 + g), lon(x + 1 + g), lat(y - g)];
}

const get = (url: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, ...headers } });
const decode = (bytes: Buffer) => new VectorTile(new PbfReader(bytes));

/** Shoelace area of a ring in tile units, positive for an exterior ring (MVT 2.1 §4.3.4.4). */
function ringArea(ring: { x: number; y: number }[]): number {
  let a = 0;
  for (let i = 0; i < ring.length; i++) {
    const p = ring[i]!;
    const q = ring[(i + 1) % ring.length]!;
    a += p.x * q.y - q.x * p.y;
  }
  return a / 2;
}

interface Shape {
  area: number;
  vertices: number;
  firstRingArea: number;
  props: Record<string, unknown>;
}
function shapes(layer: VectorTileLayer): Map<number, Shape> {
  const out = new Map<number, Shape>();
  for (let i = 0; i < layer.length; i++) {
    const f = layer.feature(i);
    const rings = f.loadGeometry();
    out.set(f.id!, {
      area: rings.reduce((s, r) => s + ringArea(r), 0),
      vertices: rings.reduce((s, r) => s + r.length, 0),
      firstRingArea: ringArea(rings[0]!),
      props: f.properties,
    });
  }
  return out;
}

/** The properties of the GeoJSON endpoint for the features meeting a tile (and its buffer), without nulls (MVT has no null). */
async function geojsonProps(path: string, z: number, x: number, y: number): Promise<Map<number, Record<string, unknown>>> {
  const fc = (await get(`${path}?bbox=${tileBbox(z, x, y, BUFFER).join(',')}&limit=50000`)).json() as {
    truncated: boolean;
    features: { id: number; properties: Record<string, unknown> }[];
  };
  expect(fc.truncated).toBe(false);
  return new Map(fc.features.map((f) => [f.id, Object.fromEntries(Object.entries(f.properties).filter(([, v]) => v !== null))]));
}

describe(`vector tiles on the ${MODE} database`, () => {
  it('uses the encoder the database supports: PostGIS ST_AsMVT on external, Node on embedded (no protobuf-c)', async () => {
    expect(repo.encoder).toBe(MODE === 'external' ? 'postgis' : 'node');
    // The app probed the same way: its bytes are those of that encoder.
    const [z, x, y] = tileAt(TIANFU, 16);
    const res = await get(`/api/tiles/grid-cells/${z}/${x}/${y}.pbf`);
    expect(res.rawPayload.equals(await repo.tile('grid-cells', z, x, y, repo.encoder))).toBe(true);
  });

  it.each([14, 16])('serves the grid cells over 天府广场 at z%i with row ids and the GeoJSON properties', async (zoom) => {
    const [z, x, y] = tileAt(TIANFU, zoom);
    const res = await get(`/api/tiles/grid-cells/${z}/${x}/${y}.pbf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    expect(res.headers['cache-control']).toBe('private, max-age=60');
    const layer = decode(res.rawPayload).layers.grid_cells!;
    expect(layer).toBeDefined();
    expect(layer.version).toBe(2);
    expect(layer.extent).toBe(EXTENT);
    expect(layer.length).toBeGreaterThan(zoom === 14 ? 400 : 30);

    const ids: number[] = [];
    const expected = await geojsonProps('/api/grid-cells', z, x, y);
    let square: ReturnType<typeof layer.feature> | undefined;
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      expect(Number.isInteger(f.id)).toBe(true);
      expect(f.type).toBe(3);
      expect(f.properties, `cell ${f.id}`).toEqual(expected.get(f.id!));
      ids.push(f.id!);
      if (booleanPointInPolygon(point(TIANFU), f.toGeoJSON(x, y, z) as never)) square = f;
    }
    const known = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM grid_cells WHERE id = ANY($1) AND valid_to IS NULL', [ids]);
    expect(known.rows[0]!.n).toBe(ids.length);
    // The cell under the square, decoded back to lon/lat, still holds the square's point.
    const under = await db.pool.query<{ id: number }>(
      'SELECT id FROM grid_cells WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) AND valid_to IS NULL',
      TIANFU,
    );
    expect(square?.id).toBe(under.rows[0]!.id);
  });

  it('puts in a z16 tile exactly the current cells meeting the tile plus its buffer, whatever their bounding box', async () => {
    const [z, x, y] = tileAt(TIANFU, 16);
    const layer = decode((await get(`/api/tiles/grid-cells/${z}/${x}/${y}.pbf`)).rawPayload).layers.grid_cells!;
    const inTile = new Set(Array.from({ length: layer.length }, (_, i) => layer.feature(i).id!));
    const res = await db.pool.query<{ id: number; core: boolean; units2: number }>(
      `
      WITH t AS (SELECT ST_TileEnvelope($1, $2, $3) AS env, ST_TileEnvelope($1, $2, $3, margin => ${BUFFER / EXTENT}) AS buffered),
      c AS (SELECT g.id, ST_Transform(g.geom, 3857) AS geom FROM grid_cells g WHERE g.valid_to IS NULL)
      SELECT c.id, ST_Intersects(c.geom, t.env) AND NOT ST_Touches(c.geom, t.env) AS core,
             ST_Area(ST_Intersection(c.geom, t.buffered)) * (${EXTENT} / (ST_XMax(t.env) - ST_XMin(t.env)))^2 AS units2
      FROM t, c WHERE ST_Intersects(c.geom, t.buffered) AND NOT ST_Touches(c.geom, t.buffered)`,
      [z, x, y],
    );
    const core = res.rows.filter((r) => r.core);
    expect(core.length).toBeGreaterThan(30);
    for (const r of core) expect(inTile.has(r.id), `cell ${r.id} meets the tile`).toBe(true);
    const meeting = new Set(res.rows.map((r) => r.id));
    for (const id of inTile) expect(meeting.has(id), `cell ${id} is in the tile but meets neither it nor its buffer`).toBe(true);
    // Only a sliver inside the buffer (under a square tile unit, where rounding decides) may be left out.
    const left = res.rows.filter((r) => !inTile.has(r.id));
    for (const r of left) expect(r.units2, `cell ${r.id} left out`).toBeLessThan(2);
    expect(inTile.size).toBe(res.rows.length - left.length);
  });

  it('serves illegal buildings at z14 where there are some, with the GeoJSON properties', async () => {
    const b = (
      await db.pool.query<{ id: number; lon: number; lat: number }>(
        'SELECT id, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM illegal_buildings ORDER BY id LIMIT 1',
      )
    ).rows[0]!;
    const [z, x, y] = tileAt([b.lon, b.lat], 14);
    const res = await get(`/api/tiles/illegal-buildings/${z}/${x}/${y}.pbf`);
    expect(res.statusCode).toBe(200);
    const layer = decode(res.rawPayload).layers.illegal_buildings!;
    const expected = await geojsonProps('/api/illegal-buildings', z, x, y);
    const got = shapes(layer);
    expect(got.has(b.id)).toBe(true);
    for (const [id, s] of got) expect(s.props, `building ${id}`).toEqual(expected.get(id));
    expect(Object.keys(got.get(b.id)!.props).sort()).toEqual(
      expect.arrayContaining(['areaM2', 'code', 'demolishedAreaM2', 'discoveredOn', 'districtName', 'floors', 'kind', 'stage']),
    );
    // z10 is the first zoom served for buildings.
    const [z10, x10, y10] = tileAt([b.lon, b.lat], 10);
    expect((await get(`/api/tiles/illegal-buildings/${z10}/${x10}/${y10}.pbf`)).statusCode).toBe(200);
  });

  it('answers 204 No Content for a tile without features, and 304 to a matching If-None-Match', async () => {
    const empty = await get('/api/tiles/grid-cells/14/0/0.pbf');
    expect(empty.statusCode).toBe(204);
    expect(empty.rawPayload.length).toBe(0);
    expect(empty.headers['cache-control']).toBe('private, max-age=60');
    const [z, x, y] = tileAt(TIANFU, 16);
    const first = await get(`/api/tiles/grid-cells/${z}/${x}/${y}.pbf`);
    expect(first.headers.etag).toMatch(/^"[\w-]{20,}"$/);
    const again = await get(`/api/tiles/grid-cells/${z}/${x}/${y}.pbf`, { 'if-none-match': first.headers.etag as string });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
  });

  it.each([
    ['/api/tiles/grid-cells/11/1616/840.pbf', 400, /z 11 is below the minimum zoom 12 of layer grid-cells/],
    ['/api/tiles/illegal-buildings/9/404/210.pbf', 400, /z 9 is below the minimum zoom 10 of layer illegal-buildings/],
    ['/api/tiles/grid-cells/23/1/1.pbf', 400, /params\.z must be <= 22/],
    ['/api/tiles/grid-cells/14/16384/6724.pbf', 400, /x 16384 is out of range at z 14: x must be from 0 to 16383/],
    ['/api/tiles/grid-cells/14/12928/20000.pbf', 400, /y 20000 is out of range at z 14: y must be from 0 to 16383/],
    ['/api/tiles/grid-cells/14/-1/6724.pbf', 400, /params\.x must be >= 0/],
    ['/api/tiles/grid-cells/14.5/12928/6724.pbf', 400, /params\.z must be integer/],
    ['/api/tiles/grid-cells/14/12928/abc.pbf', 400, /params\.y must be integer/],
    ['/api/tiles/roads/14/12928/6724.pbf', 400, /params\.layer must be one of \["grid-cells","illegal-buildings"\]/],
    ['/api/tiles/grid-cells/14/12928/6724.mvt', 404, /no route GET/],
  ])('answers %s with %i and a message that says what to fix', async (url, status, message) => {
    const res = await get(url);
    expect(res.statusCode).toBe(status);
    expect(res.json().message).toMatch(message);
  });

  it('documents the tile route in the OpenAPI document', async () => {
    const doc = (await get('/docs/json')).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/api/tiles/{layer}/{z}/{x}/{y}.pbf');
  });

  it.skipIf(repo.encoder !== 'postgis')('writes the same tiles with ST_AsMVT and with the Node fallback (needs ST_AsMVT: external PostGIS only)', async () => {
    const building = (
      await db.pool.query<{ lon: number; lat: number }>(
        'SELECT ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM illegal_buildings ORDER BY id LIMIT 1',
      )
    ).rows[0]!;
    const cases = [
      ['grid-cells', ...tileAt(TIANFU, 13)],
      ['grid-cells', ...tileAt(TIANFU, 14)],
      ['grid-cells', ...tileAt(TIANFU, 16)],
      ['illegal-buildings', ...tileAt([building.lon, building.lat], 14)],
    ] as const;
    for (const [name, z, x, y] of cases) {
      const label = `${name} ${z}/${x}/${y}`;
      const sourceLayer = name === 'grid-cells' ? 'grid_cells' : 'illegal_buildings';
      const fast = shapes(decode(await repo.tile(name, z, x, y, 'postgis')).layers[sourceLayer]!);
      const slow = shapes(decode(await repo.tile(name, z, x, y, 'node')).layers[sourceLayer]!);
      expect(fast.size, label).toBeGreaterThan(0);
      // The two round clipped slivers differently: a feature only one of them keeps is under two square units.
      for (const [id, s] of fast) if (!slow.has(id)) expect(s.area, `${label}: ${id} only in ST_AsMVT`).toBeLessThan(2);
      for (const [id, s] of slow) if (!fast.has(id)) expect(s.area, `${label}: ${id} only in the fallback`).toBeLessThan(2);
      let fastTotal = 0;
      let slowTotal = 0;
      for (const [id, f] of fast) {
        const s = slow.get(id);
        if (!s) continue;
        expect(s.props, `${label}: ${id}`).toEqual(f.props);
        expect(f.firstRingArea, `${label}: ${id} exterior first, positive`).toBeGreaterThan(0);
        expect(s.firstRingArea, `${label}: ${id} exterior first, positive`).toBeGreaterThan(0);
        // Within a unit or so of the same outline: area off by at most one unit along its edge, a few vertices more or fewer.
        expect(Math.abs(s.area - f.area), `${label}: ${id} area`).toBeLessThanOrEqual(Math.max(4, 4 * Math.sqrt(f.area)));
        expect(Math.abs(s.vertices - f.vertices), `${label}: ${id} vertices`).toBeLessThanOrEqual(4);
        fastTotal += f.area;
        slowTotal += s.area;
      }
      expect(Math.abs(slowTotal - fastTotal) / fastTotal, label).toBeLessThan(0.01);
    }
  });
});

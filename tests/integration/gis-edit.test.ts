// Editing on the map (scope=features): a key area drawn or reshaped in the browser reaches the server as a
// GeoJSON file of just that feature, is checked exactly like an import (the same reader, the same rules) and
// a commit upserts it without touching the layer's other features. Districts refuse the option.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testApp } from '../support/app.ts';
import { call, login, multipart, type Session } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
let app: FastifyInstance;
let admin: Session;

beforeAll(async () => {
  app = await testApp(db);
  admin = await login(app, 'admin');
});
afterAll(async () => {
  await app.close();
  await db.close();
});

interface Preview {
  import: { id: number; state: string; counts: Record<string, number>; reading: Record<string, unknown>; versionId: number | null };
  problems: { n: number | null; kind: string; severity: string; message: string }[];
}

type Polygon = { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };

/** What the editor sends: a FeatureCollection of the drawn features with the layer's attributes, as a file. */
async function sendEdit(layer: string, features: { geometry: Polygon; properties: Record<string, unknown> }[], scope = 'features') {
  const fc = { type: 'FeatureCollection', features: features.map((f) => ({ type: 'Feature', ...f })) };
  const { body, contentType } = multipart([{ name: '地图编辑.geojson', type: 'application/geo+json', bytes: Buffer.from(JSON.stringify(fc)) }]);
  const res = await app.inject({
    method: 'POST',
    url: `/api/gis/imports?${new URLSearchParams({ layer, scope })}`,
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': contentType },
    payload: body,
  });
  return { status: res.statusCode, body: res.body, json: res.json() as Preview & { message: string } };
}

async function step(id: number, action: 'commit' | 'discard'): Promise<Preview> {
  const r = await call(app, admin, { url: `/api/gis/imports/${id}/${action}`, body: {} });
  expect(r.status, r.body).toBe(200);
  return r.json as Preview;
}

/** Every key area as it is stored, by id: name, level, kind and the shape as text. */
async function keyAreas(): Promise<Map<number, string>> {
  const r = await db.pool.query<{ id: number; row: string }>(
    `SELECT id, name || '|' || level || '|' || kind || '|' || ST_AsText(geom) || '|' || coalesce(delisted_on::text, '') AS row FROM key_areas ORDER BY id`,
  );
  return new Map(r.rows.map((x) => [x.id, x.row]));
}

/** A square of `half` degrees around a point well inside a district of the demo city. */
async function squareInDistrict(half = 0.001): Promise<Polygon> {
  const r = await db.pool.query<{ x: number; y: number }>(
    `SELECT ST_X(p) AS x, ST_Y(p) AS y FROM (SELECT ST_PointOnSurface(boundary) AS p FROM districts ORDER BY adcode LIMIT 1) s`,
  );
  const { x, y } = r.rows[0]!;
  return {
    type: 'Polygon',
    coordinates: [
      [
        [x - half, y - half],
        [x + half, y - half],
        [x + half, y + half],
        [x - half, y + half],
        [x - half, y - half],
      ],
    ],
  };
}

describe(`editing key areas on the map (${inject('databaseMode')} database)`, () => {
  it('previews a drawn key area as one added, commits it, and leaves every other key area as it was', async () => {
    const before = await keyAreas();
    expect(before.size).toBeGreaterThan(0);
    const drawn = await sendEdit('key_areas', [
      { geometry: await squareInDistrict(), properties: { name: '地图编辑测试区', level: 'district', kind: 'market' } },
    ]);
    expect(drawn.status, drawn.body).toBe(201);
    expect(drawn.json.import.reading.scope).toBe('features');
    expect(drawn.json.import.counts).toMatchObject({ rows: 1, add: 1, change: 0, keep: 0, skip: 0 });
    expect(drawn.json.problems).toEqual([]);
    // nothing is written until the commit
    expect(await keyAreas()).toEqual(before);

    const done = await step(drawn.json.import.id, 'commit');
    expect(done.import.state).toBe('committed');
    const after = await keyAreas();
    expect(after.size).toBe(before.size + 1);
    for (const [id, row] of before) expect(after.get(id), `key area ${id}`).toBe(row);
    const added = [...after].find(([id]) => !before.has(id))!;
    expect(added[1]).toMatch(/^地图编辑测试区\|district\|market\|MULTIPOLYGON/);
  });

  it('previews a reshaped key area as one changed, and the commit changes only its shape', async () => {
    const r = await db.pool.query<{ id: number; name: string; level: string; kind: string; g: string }>(
      `SELECT id, name, level, kind, ST_AsGeoJSON(ST_Multi(ST_Buffer(geom, 0.0003, 'quad_segs=2'))) AS g FROM key_areas
       WHERE delisted_on IS NULL AND name <> '地图编辑测试区' ORDER BY id LIMIT 1`,
    );
    const area = r.rows[0]!;
    const before = await keyAreas();
    const reshaped = await sendEdit('key_areas', [
      { geometry: JSON.parse(area.g) as Polygon, properties: { name: area.name, level: area.level, kind: area.kind } },
    ]);
    expect(reshaped.status, reshaped.body).toBe(201);
    expect(reshaped.json.import.counts).toMatchObject({ rows: 1, add: 0, change: 1, keep: 0, skip: 0 });
    expect(await keyAreas()).toEqual(before);

    await step(reshaped.json.import.id, 'commit');
    const after = await keyAreas();
    expect(after.size).toBe(before.size);
    for (const [id, row] of before) if (id !== area.id) expect(after.get(id), `key area ${id}`).toBe(row);
    expect(after.get(area.id)).not.toBe(before.get(area.id));
    expect(after.get(area.id)).toMatch(new RegExp(`^${area.name}\\|${area.level}\\|${area.kind}\\|`));
  });

  it('reports a self-intersecting drawing as invalid_geometry and writes nothing', async () => {
    const sq = (await squareInDistrict()).coordinates as number[][][];
    const [a, b, c, d] = sq[0]!;
    // a bow tie: the ring crosses itself
    const bowTie: Polygon = { type: 'Polygon', coordinates: [[a, c, b, d, a]] };
    const before = await keyAreas();
    const r = await sendEdit('key_areas', [{ geometry: bowTie, properties: { name: '自相交测试区' } }]);
    expect(r.status, r.body).toBe(201);
    expect(r.json.import.counts).toMatchObject({ rows: 1, add: 0, change: 0, skip: 1 });
    expect(r.json.problems.map((p) => [p.kind, p.severity])).toEqual([['invalid_geometry', 'error']]);
    expect(r.json.problems[0]!.message).toMatch(/Self-intersection/i);
    expect(await keyAreas()).toEqual(before);
    await step(r.json.import.id, 'discard');
    expect(await keyAreas()).toEqual(before);
  });

  it('checks a drawn feature by the layer rules: missing name, outside every district', async () => {
    const far: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [90, 40],
          [90.001, 40],
          [90.001, 40.001],
          [90, 40],
        ],
      ],
    };
    const r = await sendEdit('key_areas', [
      { geometry: await squareInDistrict(0.0005), properties: { level: 'district' } },
      { geometry: far, properties: { name: '远方测试区' } },
    ]);
    expect(r.status, r.body).toBe(201);
    expect(r.json.import.counts).toMatchObject({ rows: 2, add: 0, skip: 2 });
    expect(r.json.problems.map((p) => [p.n, p.kind])).toEqual([
      [1, 'missing_field'],
      [2, 'outside_district'],
    ]);
    await step(r.json.import.id, 'discard');
  });

  it('refuses scope=features for districts with a 400 that says why, and writes nothing', async () => {
    const imports = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM gis_imports`);
    // the grid takes it since cells are split and merged on the map (tests/integration/grid-edit.test.ts)
    for (const layer of ['districts']) {
      const r = await sendEdit(layer, [{ geometry: await squareInDistrict(), properties: { code: '110101001001001', name: 'x' } }]);
      expect(r.status, r.body).toBe(400);
      expect(r.json.message).toMatch(/scope=features.*key_areas/);
    }
    const after = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM gis_imports`);
    expect(after.rows[0]!.n).toBe(imports.rows[0]!.n);
  });
});

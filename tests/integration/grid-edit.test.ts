// Splitting and merging grid cells on the map: the server proposes the new cells (ST_Split / ST_Union) with
// new codes, and the administrator commits them as an edit of the grid (scope=features) that retires the old
// codes. The preview counts the retired cells as removed; the commit closes exactly those, the new cells keep
// the squad, and a case filed before keeps the cell it was located in. Refusals say why and write nothing.
import * as turf from '@turf/turf';
import type { FastifyInstance } from 'fastify';
import type { MultiPolygon, Polygon } from 'geojson';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testApp } from '../support/app.ts';
import { call, login, multipart, type Session } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
let app: FastifyInstance;
let admin: Session;
let dispatcher: Session;

beforeAll(async () => {
  app = await testApp(db);
  admin = await login(app, 'admin');
  dispatcher = await login(app, 'dispatcher');
});
afterAll(async () => {
  await app.close();
  await db.close();
});

interface Preview {
  import: { id: number; state: string; counts: Record<string, number>; reading: Record<string, unknown>; versionId: number | null };
  problems: { n: number | null; code: string | null; kind: string; severity: string; message: string }[];
  removed: string[];
}

interface Proposal {
  type: 'FeatureCollection';
  features: { type: 'Feature'; geometry: Polygon | MultiPolygon; properties: Record<string, string | number> & { code: string; area_m2: number } }[];
  retire: string[];
}

/** What the editor sends: the proposed cells (their codes as edited) as a GeoJSON file, retiring the old codes. */
async function sendEdit(proposal: Proposal, retire = proposal.retire.join(',')) {
  const features = proposal.features.map((f) => {
    const { area_m2: _area, ...properties } = f.properties;
    return { type: 'Feature', geometry: f.geometry, properties };
  });
  const { body, contentType } = multipart([
    { name: '网格编辑.geojson', type: 'application/geo+json', bytes: Buffer.from(JSON.stringify({ type: 'FeatureCollection', features })) },
  ]);
  const res = await app.inject({
    method: 'POST',
    url: `/api/gis/imports?${new URLSearchParams({ layer: 'grid_cells', scope: 'features', retire })}`,
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

/** What a refusal must leave as it was: imports, versions, every cell row. */
async function written() {
  const r = await db.pool.query<{ imports: number; versions: number; cells: number; closed: number }>(
    `SELECT (SELECT count(*)::int FROM gis_imports) AS imports, (SELECT count(*)::int FROM gis_versions) AS versions,
            (SELECT count(*)::int FROM grid_cells) AS cells, (SELECT count(*)::int FROM grid_cells WHERE valid_to IS NOT NULL) AS closed`,
  );
  return r.rows[0]!;
}

interface Square {
  id: number;
  code: string;
  squad: number | null;
  area: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** Whole 100 m squares of the demo grid (5 points, not clipped by a community boundary), with a squad. */
async function squares(extraWhere = '', limit = 1): Promise<Square[]> {
  const r = await db.pool.query<Square>(
    `SELECT id, code::text AS code, squad_id AS squad, area_m2 AS area, ST_XMin(geom) AS x0, ST_XMax(geom) AS x1, ST_YMin(geom) AS y0, ST_YMax(geom) AS y1
     FROM grid_cells g WHERE valid_to IS NULL AND squad_id IS NOT NULL AND ST_NPoints(geom) = 5 AND area_m2 > 9000 ${extraWhere}
     ORDER BY code LIMIT $1`,
    [limit],
  );
  return r.rows;
}

const inside = (lon: number, lat: number, f: Proposal['features'][number]) => turf.booleanPointInPolygon(turf.point([lon, lat]), f.geometry);

async function cellAt(lon: number, lat: number) {
  const r = await call(app, admin, { method: 'GET', url: `/api/gis/cell?lon=${lon}&lat=${lat}` });
  expect(r.status, r.body).toBe(200);
  return r.json as { id: number; code: string; validTo: string | null };
}

describe(`splitting and merging grid cells (${inject('databaseMode')} database)`, () => {
  it('splits a cell by a line across it: two new codes, add 2 remove 1, the old row closed, cases and squad kept', async () => {
    const [cell] = await squares();
    expect(cell, 'a whole square cell of the demo grid').toBeDefined();
    const { code, x0, x1, y0, y1 } = cell!;
    const xm = (x0 + x1) / 2;
    const ym = (y0 + y1) / 2;
    const west = [(x0 + xm) / 2, ym] as const;
    const east = [(xm + x1) / 2, ym] as const;

    // a case filed before the split, in the east half
    const reported = await call(app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0102', source: 'dispatcher', description: '网格分割测试 before the split', lon: east[0], lat: east[1] },
    });
    expect(reported.status, reported.body).toBe(201);
    expect(reported.json.incident.gridCode).toBe(code);
    const caseId = reported.json.incident.id as number;

    const before = await written();
    const line = {
      type: 'LineString',
      coordinates: [
        [xm, y0 - 0.0003],
        [xm, y1 + 0.0003],
      ],
    };
    const split = await call(app, admin, { url: '/api/gis/grid/split', body: { code, line } });
    expect(split.status, split.body).toBe(200);
    const proposal = split.json as Proposal;
    expect(proposal.retire).toEqual([code]);
    expect(proposal.features).toHaveLength(2);
    const codes = proposal.features.map((f) => f.properties.code);
    expect(new Set(codes).size).toBe(2);
    for (const c of codes) {
      expect(c).toMatch(/^[0-9]{15}$/);
      expect(c.slice(0, 12)).toBe(code.slice(0, 12));
      expect(c).not.toMatch(/000$/);
      const used = await db.pool.query(`SELECT 1 FROM grid_cells WHERE code = $1`, [c]);
      expect(used.rowCount, `${c} is a code no grid version has had`).toBe(0);
    }
    const sum = proposal.features.reduce((s, f) => s + f.properties.area_m2, 0);
    expect(Math.abs(sum - cell!.area) / cell!.area).toBeLessThan(0.005);
    // proposing writes nothing
    expect(await written()).toEqual(before);

    const preview = await sendEdit(proposal);
    expect(preview.status, preview.body).toBe(201);
    expect(preview.json.import.counts).toMatchObject({ rows: 2, add: 2, change: 0, keep: 0, skip: 0, remove: 1 });
    expect(preview.json.problems).toEqual([]);
    expect(preview.json.removed).toEqual([code]);
    expect(preview.json.import.reading).toMatchObject({ scope: 'features', retire: [code] });
    expect(await cellAt(east[0], east[1])).toMatchObject({ code, validTo: null });

    const done = await step(preview.json.import.id, 'commit');
    expect(done.import.state).toBe('committed');
    const after = await written();
    expect(after.cells).toBe(before.cells + 2);
    expect(after.closed).toBe(before.closed + 1);
    const old = await db.pool.query<{ valid_to: Date | null }>(`SELECT valid_to FROM grid_cells WHERE id = $1`, [cell!.id]);
    expect(old.rows[0]!.valid_to).not.toBeNull();

    // each half locates to its new code
    const westPart = proposal.features.find((f) => inside(west[0], west[1], f))!;
    const eastPart = proposal.features.find((f) => inside(east[0], east[1], f))!;
    expect(westPart.properties.code).not.toBe(eastPart.properties.code);
    expect(await cellAt(west[0], west[1])).toMatchObject({ code: westPart.properties.code, validTo: null });
    expect(await cellAt(east[0], east[1])).toMatchObject({ code: eastPart.properties.code, validTo: null });

    // the squad is kept; the case keeps the old cell row
    const squads = await db.pool.query<{ squad_id: number | null }>(`SELECT squad_id FROM grid_cells WHERE code = ANY($1::bpchar[]) AND valid_to IS NULL`, [
      codes,
    ]);
    expect(squads.rows.map((r) => r.squad_id)).toEqual([cell!.squad, cell!.squad]);
    const stored = await db.pool.query<{ grid_cell_id: number }>(`SELECT grid_cell_id FROM incidents WHERE id = $1`, [caseId]);
    expect(stored.rows[0]!.grid_cell_id).toBe(cell!.id);
    const kept = await call(app, dispatcher, { method: 'GET', url: `/api/incidents/${caseId}` });
    expect(kept.json.gridCode ?? kept.json.incident?.gridCode).toBe(code);
  });

  it('merges two touching cells of one community into one new code, removing both', async () => {
    const pair = await db.pool.query<{ a: string; b: string; squad: number; area: number; ax: number; ay: number; bx: number; by: number }>(
      `SELECT a.code::text AS a, b.code::text AS b, a.squad_id AS squad, a.area_m2 + b.area_m2 AS area,
              ST_X(ST_PointOnSurface(a.geom)) AS ax, ST_Y(ST_PointOnSurface(a.geom)) AS ay, ST_X(ST_PointOnSurface(b.geom)) AS bx, ST_Y(ST_PointOnSurface(b.geom)) AS by
       FROM grid_cells a JOIN grid_cells b ON b.community_code = a.community_code AND b.code > a.code AND b.valid_to IS NULL AND a.geom && b.geom
         AND ST_Relate(a.geom, b.geom, 'F***1****')
       WHERE a.valid_to IS NULL AND a.squad_id IS NOT NULL AND a.version_id IS NULL AND b.version_id IS NULL
         AND a.community_code = (SELECT max(community_code) FROM grid_cells WHERE valid_to IS NULL AND squad_id IS NOT NULL)
       ORDER BY a.code DESC LIMIT 1`,
    );
    const p = pair.rows[0]!;
    expect(p).toBeDefined();
    const before = await written();
    const merge = await call(app, admin, { url: '/api/gis/grid/merge', body: { codes: [p.a, p.b] } });
    expect(merge.status, merge.body).toBe(200);
    const proposal = merge.json as Proposal;
    expect(proposal.retire).toEqual([p.a, p.b]);
    expect(proposal.features).toHaveLength(1);
    const merged = proposal.features[0]!;
    expect(merged.properties.code.slice(0, 12)).toBe(p.a.slice(0, 12));
    expect([p.a, p.b]).not.toContain(merged.properties.code);
    expect(Math.abs(merged.properties.area_m2 - p.area) / p.area).toBeLessThan(0.005);
    expect(await written()).toEqual(before);

    const preview = await sendEdit(proposal);
    expect(preview.status, preview.body).toBe(201);
    expect(preview.json.import.counts).toMatchObject({ rows: 1, add: 1, change: 0, skip: 0, remove: 2 });
    expect(preview.json.problems).toEqual([]);
    expect(preview.json.removed).toEqual([p.a, p.b]);
    await step(preview.json.import.id, 'commit');

    const after = await written();
    expect(after.cells).toBe(before.cells + 1);
    expect(after.closed).toBe(before.closed + 2);
    expect(await cellAt(p.ax, p.ay)).toMatchObject({ code: merged.properties.code, validTo: null });
    expect(await cellAt(p.bx, p.by)).toMatchObject({ code: merged.properties.code, validTo: null });
    const squad = await db.pool.query<{ squad_id: number }>(`SELECT squad_id FROM grid_cells WHERE code = $1 AND valid_to IS NULL`, [merged.properties.code]);
    expect(squad.rows[0]!.squad_id).toBe(p.squad);
  });

  it('refuses a line that does not cut the cell in two, and cells that do not touch or are of two communities, with a message and nothing written', async () => {
    const [cell] = await squares();
    const { code, x0, x1, y0, y1 } = cell!;
    const before = await written();
    const lines: [string, number[][]][] = [
      [
        'inside only',
        [
          [x0 + (x1 - x0) * 0.3, (y0 + y1) / 2],
          [x0 + (x1 - x0) * 0.7, (y0 + y1) / 2],
        ],
      ],
      [
        'beside the cell',
        [
          [x1 + 0.001, y0 - 0.001],
          [x1 + 0.001, y1 + 0.001],
        ],
      ],
      [
        'one point twice',
        [
          [x0, y0],
          [x0, y0],
        ],
      ],
    ];
    for (const [what, coordinates] of lines) {
      const r = await call(app, admin, { url: '/api/gis/grid/split', body: { code, line: { type: 'LineString', coordinates } } });
      expect(r.status, `${what}: ${r.body}`).toBe(422);
      expect(r.json.message, what).toMatch(/edge to edge/);
    }
    const unknown = await call(app, admin, {
      url: '/api/gis/grid/split',
      body: {
        code: '999999999999001',
        line: {
          type: 'LineString',
          coordinates: [
            [x0, y0],
            [x1, y1],
          ],
        },
      },
    });
    expect(unknown.status, unknown.body).toBe(404);
    expect(unknown.json.message).toMatch(/999999999999001/);

    // two cells of one community that do not touch
    const apart = await db.pool.query<{ a: string; b: string }>(
      `SELECT a.code::text AS a, b.code::text AS b FROM grid_cells a JOIN grid_cells b ON b.community_code = a.community_code AND b.code > a.code AND b.valid_to IS NULL
       WHERE a.valid_to IS NULL AND NOT ST_DWithin(a.geom, b.geom, 0.0005) ORDER BY a.code LIMIT 1`,
    );
    const far = await call(app, admin, { url: '/api/gis/grid/merge', body: { codes: [apart.rows[0]!.a, apart.rows[0]!.b] } });
    expect(far.status, far.body).toBe(422);
    expect(far.json.message).toMatch(/touch/);
    // two communities
    const across = await db.pool.query<{ a: string; b: string }>(
      `SELECT a.code::text AS a, b.code::text AS b FROM grid_cells a JOIN grid_cells b ON b.community_code <> a.community_code AND b.valid_to IS NULL AND a.geom && b.geom
       WHERE a.valid_to IS NULL AND ST_Intersects(a.geom, b.geom) LIMIT 1`,
    );
    const two = await call(app, admin, { url: '/api/gis/grid/merge', body: { codes: [across.rows[0]!.a, across.rows[0]!.b] } });
    expect(two.status, two.body).toBe(422);
    expect(two.json.message).toMatch(/one community/);
    const twice = await call(app, admin, { url: '/api/gis/grid/merge', body: { codes: [code, code] } });
    expect(twice.status, twice.body).toBe(400);
    expect(twice.json.message).toMatch(/codes/);

    // retire: only a cell in force, only for a grid edit
    const proposal: Proposal = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [x0, y0],
                [x1, y0],
                [x1, y1],
                [x0, y1],
                [x0, y0],
              ],
            ],
          },
          properties: { code, area_m2: 0 },
        },
      ],
      retire: [],
    };
    const gone = await sendEdit(proposal, '999999999999001');
    expect(gone.status, gone.body).toBe(400);
    expect(gone.json.message).toMatch(/retire/);
    const { body, contentType } = multipart([{ name: 'x.geojson', type: 'application/geo+json', bytes: Buffer.from('{}') }]);
    const wrongLayer = await app.inject({
      method: 'POST',
      url: `/api/gis/imports?${new URLSearchParams({ layer: 'key_areas', scope: 'features', retire: code })}`,
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': contentType },
      payload: body,
    });
    expect(wrongLayer.statusCode, wrongLayer.body).toBe(400);
    expect(wrongLayer.json().message).toMatch(/retire/);
    expect(await written()).toEqual(before);
  });

  it('reports a part given a retired code or overlapping a cell in force, and commits nothing of it', async () => {
    const [cell] = await squares();
    const { code, x0, x1, y0, y1 } = cell!;
    const xm = (x0 + x1) / 2;
    const split = await call(app, admin, {
      url: '/api/gis/grid/split',
      body: {
        code,
        line: {
          type: 'LineString',
          coordinates: [
            [xm, y0 - 0.0003],
            [xm, y1 + 0.0003],
          ],
        },
      },
    });
    expect(split.status, split.body).toBe(200);
    const proposal = structuredClone(split.json) as Proposal;
    // the administrator edits the first part's code back to the retired one
    proposal.features[0]!.properties.code = code;
    const reused = await sendEdit(proposal);
    expect(reused.status, reused.body).toBe(201);
    expect(reused.json.import.counts).toMatchObject({ rows: 2, add: 1, skip: 1, remove: 1 });
    expect(reused.json.problems.filter((p) => p.severity === 'error').map((p) => [p.n, p.kind])).toEqual([[1, 'bad_code']]);
    await step(reused.json.import.id, 'discard');

    // without retiring the cell, both parts overlap it
    const { body, contentType } = multipart([
      {
        name: '网格编辑.geojson',
        type: 'application/geo+json',
        bytes: Buffer.from(JSON.stringify({ type: 'FeatureCollection', features: (split.json as Proposal).features })),
      },
    ]);
    const res = await app.inject({
      method: 'POST',
      url: `/api/gis/imports?${new URLSearchParams({ layer: 'grid_cells', scope: 'features' })}`,
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': contentType },
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(201);
    const overlapping = res.json() as Preview;
    expect(overlapping.import.counts).toMatchObject({ rows: 2, add: 0, skip: 2, remove: 0 });
    expect(overlapping.problems.map((p) => p.kind)).toEqual(['overlap', 'overlap']);
    expect(overlapping.problems[0]!.message).toContain(code);
    await step(overlapping.import.id, 'discard');
  });
});

// A second city moves in through the API (issue 13): Beijing's 东城区 as its bureau would hand it over (the
// district in GCJ-02 GeoJSON, the unit grid as a GBK zipped Shapefile in Gauss-Krüger zone 39) with defects
// planted on known rows. The preview must report exactly those, the commit import the rest, points locate
// to the right cells, and a later grid version must leave earlier cases in the cells they were filed in.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as turf from '@turf/turf';
import type { FastifyInstance } from 'fastify';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import iconv from 'iconv-lite';
import writeXlsxFile from 'write-excel-file/node';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testApp } from '../support/app.ts';
import { call, login, multipart, type Session } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';
import { ADCODE, buildSecondCity, type SecondCity } from '../support/second-city.ts';

const db = testDatabase();
const MAX_BYTES = 3 * 1024 * 1024;
let app: FastifyInstance;
let admin: Session;
let dispatcher: Session;
let city: SecondCity;
let dir: string;

beforeAll(async () => {
  app = await testApp(db, { config: { gisImportMaxBytes: MAX_BYTES } });
  admin = await login(app, 'admin');
  dispatcher = await login(app, 'dispatcher');
  dir = await mkdtemp(path.join(os.tmpdir(), 'zhihui-second-city-'));
  city = await buildSecondCity(dir);
});
afterAll(async () => {
  await app.close();
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

interface Preview {
  import: { id: number; state: string; format: string; counts: Record<string, number>; reading: Record<string, unknown>; versionId: number | null };
  problems: { n: number | null; otherN: number | null; code: string | null; kind: string; severity: string; message: string }[];
  problemCounts: { kind: string; severity: string; count: number }[];
  removed: string[];
}

async function upload(bytes: Buffer, name: string, query: Record<string, string>, session: Session = admin) {
  const { body, contentType } = multipart([{ name, type: 'application/octet-stream', bytes }]);
  const res = await app.inject({
    method: 'POST',
    url: `/api/gis/imports?${new URLSearchParams(query)}`,
    headers: { authorization: `Bearer ${session.token}`, 'content-type': contentType },
    payload: body,
  });
  return { status: res.statusCode, body: res.body, json: res.json() as Preview & { message: string } };
}

async function commit(id: number): Promise<Preview> {
  const r = await call(app, admin, { url: `/api/gis/imports/${id}/commit`, body: {} });
  expect(r.status, r.body).toBe(200);
  return r.json as Preview;
}

async function allProblems(id: number): Promise<Preview['problems']> {
  const r = await call(app, admin, { method: 'GET', url: `/api/gis/imports/${id}/problems?limit=5000` });
  expect(r.status, r.body).toBe(200);
  return r.json as Preview['problems'];
}

function zip(files: Record<string, Buffer>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, bytes] of Object.entries(files)) z.addBuffer(bytes, name);
  z.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    z.outputStream
      .on('data', (c: Buffer) => chunks.push(c))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
}

/** The grid zip's members, to take apart for the bad-file cases. */
async function gridParts(): Promise<Record<string, Buffer>> {
  const yauzl = await import('yauzl');
  const zipBytes = await readFile(city.files.grid);
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zipBytes, { lazyEntries: true }, (err, z) => {
      if (err) return reject(err);
      const out: Record<string, Buffer> = {};
      z.on('entry', (entry: import('yauzl').Entry) => {
        z.openReadStream(entry, (e, s) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          s.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
            out[path.extname(entry.fileName).slice(1)] = Buffer.concat(chunks);
            z.readEntry();
          });
        });
      });
      z.on('end', () => resolve(out));
      z.readEntry();
    });
  });
}

async function counts() {
  const r = await db.pool.query<{ imports: number; cells: number; districts: number; versions: number }>(
    `SELECT (SELECT count(*)::int FROM gis_imports) AS imports, (SELECT count(*)::int FROM grid_cells) AS cells,
            (SELECT count(*)::int FROM districts) AS districts, (SELECT count(*)::int FROM gis_versions) AS versions`,
  );
  return r.rows[0]!;
}

describe(`GIS import of a second city (${inject('databaseMode')} database)`, () => {
  it('refuses bad files with a 4xx that says what to fix, and writes nothing', async () => {
    const before = await counts();
    const parts = await gridParts();
    const layer = '东城区单元网格';
    const withParts = (names: string[], replace: Record<string, Buffer> = {}) =>
      zip(Object.fromEntries(names.map((ext) => [`${layer}.${ext}`, replace[ext] ?? parts[ext]!])));
    const pointShp = Buffer.from(parts.shp!);
    pointShp.writeInt32LE(1, 32); // the header says points; the records then disagree too
    const cases: [string, Promise<Buffer> | Buffer, string, Record<string, string>, number, RegExp][] = [
      ['an empty zip', zip({}), 'grid.zip', {}, 422, /\.shp/],
      ['a Shapefile without .prj', withParts(['shp', 'shx', 'dbf', 'cpg']), 'grid.zip', {}, 422, /\.prj.*crs=EPSG/],
      [
        'a .dbf whose row count disagrees with the .shp',
        withParts(['shp', 'shx', 'dbf', 'prj'], { dbf: truncatedDbf(parts.dbf!) }),
        'grid.zip',
        {},
        422,
        /\.dbf/,
      ],
      ['a point layer offered as grid', withParts(['shp', 'shx', 'dbf', 'prj', 'cpg'], { shp: pointShp }), 'grid.zip', {}, 422, /shape type|point/i],
      [
        'bytes that are not GBK in a GBK register',
        Buffer.concat([iconv.encode('网格编码,wkt\n', 'gbk'), Buffer.from([0x81, 0x20, 0x2c]), Buffer.from('POINT(116.4 39.9)\n')]),
        'register.csv',
        { encoding: 'gbk' },
        422,
        /row 1/,
      ],
      ['a file over the size limit', Buffer.alloc(MAX_BYTES + 1024, 0x20), 'grid.geojson', {}, 413, /MB/],
      ['a file we do not read', Buffer.from('hello'), 'grid.dwg', {}, 400, /Shapefile|GeoJSON|CSV/],
    ];
    for (const [what, bytes, name, query, status, message] of cases) {
      const r = await upload(await bytes, name, { layer: 'grid_cells', ...query });
      expect(r.status, `${what}: ${r.body}`).toBe(status);
      expect(r.json.message, what).toMatch(message);
    }
    // only administrators import
    const r = await upload(await readFile(city.files.grid), 'grid.zip', { layer: 'grid_cells' }, dispatcher);
    expect(r.status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it('imports the district, then previews the grid with exactly the planted defects, and commits the rest', async () => {
    const district = await upload(await readFile(city.files.district), 'district.geojson', { layer: 'districts', coords: 'gcj02' });
    expect(district.status, district.body).toBe(201);
    expect(district.json.import.counts).toMatchObject({ rows: 1, add: 1, skip: 0 });
    await commit(district.json.import.id);
    const d = await db.pool.query(`SELECT name, ST_Area(boundary::geography) AS m2 FROM districts WHERE adcode = $1`, [ADCODE]);
    expect(d.rows[0].name).toBe('东城区');
    expect(d.rows[0].m2 / 1e6).toBeGreaterThan(35); // 东城区 is about 42 km²

    const grid = await upload(await readFile(city.files.grid), 'grid.zip', { layer: 'grid_cells' });
    expect(grid.status, grid.body).toBe(201);
    const { reading, counts: c, id } = { ...grid.json.import };
    expect(reading).toMatchObject({ encoding: 'gbk', encodingSource: 'cpg', mapping: { code: '网格编码', community_code: '社区编码', street_name: '街道' } });
    expect(String(reading.crs)).toMatch(/Zone_39|4527/);
    const problems = await allProblems(id);
    const errors = problems.filter((p) => p.severity === 'error');
    const overlapRow = city.grid.defects.find((x) => x.kind === 'overlap')!.row;
    // every planted defect is reported on its row, as its kind
    const found = new Set(errors.map((p) => `${p.n} ${p.kind}`));
    for (const defect of city.grid.defects) expect(found, `${defect.kind} on row ${defect.row}`).toContain(`${defect.row} ${defect.kind}`);
    // and nothing else: an overlap is a pair, so its neighbour is named too, and only in that pair
    for (const p of errors) {
      if (p.kind === 'overlap') expect([p.n, p.otherN]).toContain(overlapRow);
      else expect(city.grid.defects.map((x) => `${x.row} ${x.kind}`)).toContain(`${p.n} ${p.kind}`);
    }
    const partners = new Set(errors.filter((p) => p.kind === 'overlap' && p.n !== overlapRow).map((p) => p.n!));
    expect(partners.size).toBeGreaterThanOrEqual(1);
    // messages say what to fix
    expect(errors.find((p) => p.kind === 'duplicate_code')!.message).toMatch(/also on row \d+/);
    expect(errors.find((p) => p.kind === 'invalid_geometry')!.message).toMatch(/repair=true/);
    // gaps are warnings with their place, e.g. where the moved cell should be
    expect(problems.some((p) => p.kind === 'gap' && p.severity === 'warning')).toBe(true);
    const skipped = city.grid.defects.length + partners.size;
    expect(c).toMatchObject({ rows: city.grid.rows, add: city.grid.rows - skipped, change: 0, keep: 0, skip: skipped, remove: 0 });

    const map = await call(app, admin, { method: 'GET', url: `/api/gis/imports/${id}/map` });
    expect(map.status).toBe(200);
    expect((map.json as { features: unknown[] }).features.length).toBeGreaterThanOrEqual(city.grid.rows - 1);

    const done = await commit(id);
    expect(done.import.state).toBe('committed');
    // consoles hear of it on the live feed (the event log carries it to every instance)
    const told = await db.pool.query(`SELECT payload FROM incident_events WHERE type = 'map.updated' ORDER BY seq DESC LIMIT 1`);
    expect(told.rows[0].payload).toMatchObject({ layer: 'grid_cells', versionId: done.import.versionId, added: c.add, changed: 0, removed: 0 });
    const stored = await db.pool.query<{ code: string }>(`SELECT code FROM grid_cells WHERE district_adcode = $1 AND valid_to IS NULL ORDER BY code`, [ADCODE]);
    const partnerCodes = errors.filter((p) => partners.has(p.n!)).map((p) => p.code);
    const expected = city.grid.clean.map((r) => r.code).filter((code) => !partnerCodes.includes(code));
    expect(stored.rows.map((r) => r.code)).toEqual([...expected].sort());
    // streets and communities came with the codes, named from the file
    const streets = await db.pool.query(`SELECT name FROM streets WHERE district_adcode = $1 ORDER BY code`, [ADCODE]);
    expect(streets.rows.map((r) => r.name)).toEqual(expect.arrayContaining(['东华门街道']));
    // points locate to the right cells
    for (const probe of city.grid.probes) {
      const r = await call(app, dispatcher, { method: 'GET', url: `/api/gis/cell?lon=${probe.lon}&lat=${probe.lat}` });
      expect(r.status, r.body).toBe(200);
      expect(r.json.code).toBe(probe.code);
    }
    // committing twice is refused, saying why
    const again = await call(app, admin, { url: `/api/gis/imports/${id}/commit`, body: {} });
    expect(again.status).toBe(409);
    expect(again.json.message).toMatch(/committed/);
  });

  it('imports key areas (GCJ-02 GeoJSON) and the illegal-building register (GBK CSV with WKT), reporting exactly the planted defects', async () => {
    // the fixture's names for the defects, and ours
    const ours: Record<string, string> = {
      missing_name: 'missing_field',
      unclosed_ring: 'invalid_geometry',
      not_polygon: 'wrong_geometry_type',
      invalid_wkt: 'invalid_geometry',
      duplicate_code: 'duplicate_code',
      outside_district: 'outside_district',
    };
    for (const [layer, file, name, query, planted] of [
      ['key_areas', city.files.keyAreas, 'key-areas.geojson', { coords: 'gcj02' }, city.keyAreas],
      ['illegal_buildings', city.files.illegalBuildings, 'illegal-buildings.csv', {}, city.illegalBuildings],
    ] as const) {
      const r = await upload(await readFile(file), name, { layer, ...query });
      expect(r.status, r.body).toBe(201);
      const problems = (await allProblems(r.json.import.id)).filter((p) => p.severity === 'error');
      expect(problems.map((p) => `${p.n} ${p.kind}`).sort(), layer).toEqual(planted.defects.map((d) => `${d.row} ${ours[d.kind]}`).sort());
      expect(r.json.import.counts, layer).toMatchObject({ rows: planted.rows, add: planted.clean.length, skip: planted.defects.length });
      await commit(r.json.import.id);
    }
    const areas = await db.pool.query<{ name: string; level: string; kind: string }>(
      `SELECT name, level, kind FROM key_areas k WHERE EXISTS (SELECT 1 FROM districts d WHERE d.adcode = $1 AND ST_Within(k.geom, d.boundary)) ORDER BY name`,
      [ADCODE],
    );
    expect(areas.rows.map((a) => a.name).sort()).toEqual(city.keyAreas.clean.map((c) => c.code).sort());
    expect(areas.rows.find((a) => a.name === '王府井商业街')).toMatchObject({ level: 'city', kind: 'commercial' });
    const buildings = await db.pool.query<{ code: string; district_adcode: string }>(
      `SELECT code, district_adcode FROM illegal_buildings WHERE code LIKE 'DCWJ%' ORDER BY code`,
    );
    expect(buildings.rows.map((b) => b.code)).toEqual([...new Set(city.illegalBuildings.clean.map((c) => c.code))].sort());
    expect(new Set(buildings.rows.map((b) => b.district_adcode))).toEqual(new Set([ADCODE]));
    // a case in 王府井 is located in the key area, which was given in GCJ-02 and stored in WGS84
    const wfj = await db.pool.query<{ lon: number; lat: number }>(
      `SELECT ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM key_areas WHERE name = '王府井商业街'`,
    );
    const located = await call(app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0102', source: 'dispatcher', description: '王府井 key area', lon: wfj.rows[0]!.lon, lat: wfj.rows[0]!.lat },
    });
    expect(located.status, located.body).toBe(201);
    expect(located.json.incident.keyAreas.map((a: { name: string }) => a.name)).toContain('王府井商业街');
  });

  it('takes a register that gives points (经度/纬度) as footprints of their area, with a warning each', async () => {
    const [a, b] = city.grid.probes;
    const csv = [
      '编号,经度,纬度,面积,层数,类型,阶段,发现日期',
      `DCPT-0001,${a!.lon},${a!.lat},250,2,新增,立案,2025/3/5`,
      `DCPT-0002,${b!.lon},${b!.lat},,1,存量,核查,20250306`,
    ].join('\r\n');
    const r = await upload(Buffer.from('\uFEFF' + csv, 'utf8'), '点位登记.csv', { layer: 'illegal_buildings' });
    expect(r.status, r.body).toBe(201);
    expect(r.json.import.counts).toMatchObject({ rows: 2, add: 2, skip: 0 });
    expect(r.json.problems.map((p) => [p.n, p.kind, p.severity])).toEqual([
      [1, 'point_footprint', 'warning'],
      [2, 'point_footprint', 'warning'],
    ]);
    await commit(r.json.import.id);
    const stored = await db.pool.query<{ code: string; m2: number; area_m2: number; discovered_on: string; stage: string }>(
      `SELECT code, ST_Area(geom::geography) AS m2, area_m2, to_char(discovered_on, 'YYYY-MM-DD') AS discovered_on, stage FROM illegal_buildings WHERE code LIKE 'DCPT%' ORDER BY code`,
    );
    expect(stored.rows.map((x) => [x.code, x.discovered_on, x.stage])).toEqual([
      ['DCPT-0001', '2025-03-05', 'filed'],
      ['DCPT-0002', '2025-03-06', 'verified'],
    ]);
    // placed like a case at the footprint: the grid cell and street of the probe point
    const placed = await db.pool.query(`SELECT grid_cell_id, street_code FROM illegal_buildings WHERE code LIKE 'DCPT%' ORDER BY code`);
    expect(placed.rows.every((x) => x.grid_cell_id !== null && x.street_code !== null)).toBe(true);
    expect(stored.rows[0]!.m2 / 250).toBeCloseTo(1, 1);
    expect(stored.rows[1]!.m2 / 100).toBeCloseTo(1, 1);

    // the same register as Excel saves it: numbers and a real date cell
    const c = city.grid.probes[2]!;
    const xlsx = await writeXlsxFile([
      ['编号', '经度', '纬度', '面积', '类型', '发现日期'].map((value) => ({ value })),
      [
        { value: 'DCXL-0001' },
        { value: c.lon },
        { value: c.lat },
        { value: 80 },
        { value: '存量' },
        { value: new Date(Date.UTC(2025, 3, 1)), format: 'yyyy-mm-dd' },
      ],
    ]).toBuffer();
    const x = await upload(xlsx, '违建登记.xlsx', { layer: 'illegal_buildings' });
    expect(x.status, x.body).toBe(201);
    expect(x.json.import.format).toBe('xlsx');
    expect(x.json.import.counts).toMatchObject({ rows: 1, add: 1, skip: 0 });
    await commit(x.json.import.id);
    const fromExcel = await db.pool.query(`SELECT to_char(discovered_on, 'YYYY-MM-DD') AS d, kind FROM illegal_buildings WHERE code = 'DCXL-0001'`);
    expect(fromExcel.rows[0]).toEqual({ d: '2025-04-01', kind: 'stock' });
  });

  it('keeps a case in the cell it was filed in when a new grid version splits that cell', async () => {
    const probe = city.grid.probes[0]!;
    const reported = await call(app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0102', source: 'dispatcher', description: '版本测试 before the split', lon: probe.lon, lat: probe.lat },
    });
    expect(reported.status, reported.body).toBe(201);
    const first = reported.json.incident;
    expect(first.gridCode).toBe(probe.code);
    const before = new Date().toISOString();

    // the bureau's next grid: every current cell as it is, except the probe's, split in two: the west
    // part keeps the code, the east part (with the probe) is a new cell
    const cells = await db.pool.query<{ code: string; attrs: Record<string, string>; g: string }>(
      `SELECT code, attrs, ST_AsGeoJSON(geom, 9) AS g FROM grid_cells WHERE district_adcode = $1 AND valid_to IS NULL ORDER BY code`,
      [ADCODE],
    );
    const newCode = probe.code.slice(0, 12) + '999';
    const features: Feature<Polygon | MultiPolygon>[] = [];
    for (const row of cells.rows) {
      const props = {
        网格编码: row.code,
        街道: row.attrs.street_name,
        街道编码: row.attrs.street_code,
        社区: row.attrs.community_name,
        社区编码: row.attrs.community_code,
      };
      const geometry = JSON.parse(row.g) as MultiPolygon;
      if (row.code !== probe.code) {
        features.push(turf.feature(geometry, props));
        continue;
      }
      const [w, s, e, n] = turf.bbox(geometry);
      const cut = (w + probe.lon) / 2;
      features.push(turf.bboxClip(turf.feature(geometry), [w, s, cut, n]) as Feature<MultiPolygon>);
      features.at(-1)!.properties = props;
      features.push(turf.bboxClip(turf.feature(geometry), [cut, s, e, n]) as Feature<MultiPolygon>);
      features.at(-1)!.properties = { ...props, 网格编码: newCode };
    }
    const file = path.join(dir, 'grid-v2.geojson');
    await writeFile(file, JSON.stringify(turf.featureCollection(features)));
    const v2 = await upload(await readFile(file), 'grid-v2.geojson', { layer: 'grid_cells' });
    expect(v2.status, v2.body).toBe(201);
    expect(v2.json.import.counts).toMatchObject({ add: 1, change: 1, keep: cells.rows.length - 1, skip: 0, remove: 0 });
    await commit(v2.json.import.id);

    // the case keeps its cell; the cell in force then is still found at that instant; now the point is in the new cell
    const kept = await call(app, dispatcher, { method: 'GET', url: `/api/incidents/${first.id}` });
    expect(kept.json.gridCode ?? kept.json.incident?.gridCode).toBe(probe.code);
    const then = await call(app, dispatcher, { method: 'GET', url: `/api/gis/cell?lon=${probe.lon}&lat=${probe.lat}&at=${encodeURIComponent(before)}` });
    expect(then.json).toMatchObject({ code: probe.code });
    expect(then.json.validTo).not.toBeNull();
    const now = await call(app, dispatcher, { method: 'GET', url: `/api/gis/cell?lon=${probe.lon}&lat=${probe.lat}` });
    expect(now.json).toMatchObject({ code: newCode, validTo: null });
    const after = await call(app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0102', source: 'dispatcher', description: '版本测试 after the split', lon: probe.lon, lat: probe.lat },
    });
    expect(after.json.incident.gridCode).toBe(newCode);
    const stored = await db.pool.query(`SELECT grid_cell_id FROM incidents WHERE id = $1`, [first.id]);
    expect(stored.rows[0].grid_cell_id).toBe(then.json.id);

    // the heatmap still counts both cases, each in its own cell, and its cells add up to its total
    const heat = await call(app, admin, { method: 'GET', url: `/api/heatmap?from=${encodeURIComponent(new Date(Date.now() - 3600e3).toISOString())}` });
    expect(heat.status, heat.body).toBe(200);
    const cellsCounted = heat.json.cells.features as { properties: { code: string; count: number } }[];
    expect(cellsCounted.reduce((sum, f) => sum + f.properties.count, 0)).toBe(heat.json.total);
    expect(cellsCounted.filter((f) => [probe.code, newCode].includes(f.properties.code)).map((f) => f.properties.count)).toEqual([1, 1]);

    // the commit is in the audit log, before → after
    const audit = await db.pool.query(`SELECT action, after FROM admin_audit WHERE action = 'gis.version_committed' ORDER BY id`);
    expect(audit.rows.length).toBe(7);
    expect(audit.rows.at(-1).after).toMatchObject({ layer: 'grid_cells', added: 1, changed: 1, removed: 0 });
  });

  it('exports the grid as a GBK Shapefile in Gauss-Krüger, as CSV and as GeoJSON, and the Shapefile imports again unchanged', async () => {
    const current = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_cells WHERE district_adcode = $1 AND valid_to IS NULL`, [ADCODE]);
    const shp = await app.inject({
      method: 'GET',
      url: `/api/gis/layers/grid_cells/export?format=shapefile&crs=EPSG:4527&district=${ADCODE}`,
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(shp.statusCode, shp.body).toBe(200);
    expect(shp.headers['content-type']).toBe('application/zip');
    expect(String(shp.headers['content-disposition'])).toContain(encodeURIComponent('单元网格-110101.zip'));
    const again = await upload(shp.rawPayload, '单元网格-110101.zip', { layer: 'grid_cells' });
    expect(again.status, again.body).toBe(201);
    expect(again.json.import.reading).toMatchObject({ encoding: 'gbk', crs: expect.stringMatching(/Zone_39/) });
    expect(again.json.import.counts).toMatchObject({ rows: current.rows[0]!.n, keep: current.rows[0]!.n, add: 0, change: 0, skip: 0, remove: 0 });
    const discarded = await call(app, admin, { url: `/api/gis/imports/${again.json.import.id}/discard`, body: {} });
    expect(discarded.status).toBe(200);

    const csv = await app.inject({
      method: 'GET',
      url: `/api/gis/layers/grid_cells/export?format=csv&district=${ADCODE}`,
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(csv.statusCode).toBe(200);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines[0]).toContain('网格编码');
    expect(lines.length).toBe(current.rows[0]!.n + 1);
    const geojson = await call(app, admin, { method: 'GET', url: `/api/gis/layers/districts/export?format=geojson&district=${ADCODE}` });
    expect(geojson.status).toBe(200);
    expect(geojson.json.features[0].properties).toMatchObject({ adcode: ADCODE, name: '东城区' });
    const refused = await call(app, admin, { method: 'GET', url: `/api/gis/layers/districts/export?format=geojson&crs=4527` });
    expect(refused.status).toBe(400);
    expect(refused.json.message).toMatch(/RFC 7946/);
  });
});

/** The .dbf with its last record cut off and the header's count lowered to match: one row fewer than the .shp. */
function truncatedDbf(dbf: Buffer): Buffer {
  const out = Buffer.from(dbf);
  const count = out.readUInt32LE(4);
  const recordLength = out.readUInt16LE(10);
  out.writeUInt32LE(count - 1, 4);
  return out.subarray(0, out.length - recordLength - 1);
}

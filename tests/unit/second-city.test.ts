// The second-city fixture (东城区) checked on its own: that its files read back, that its clean rows are clean
// and that each planted defect is on the row it says, so that import tests can trust its list.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as turf from '@turf/turf';
import { parse } from 'csv-parse/sync';
import gcoord from 'gcoord';
import iconv from 'iconv-lite';
import proj4 from 'proj4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGridCode } from '#shared/grid-code.ts';
import { openShapefile, type ShapefileFeature } from '../../server/gis/formats/shapefile.ts';
import { extractShapefile } from '../../server/gis/formats/zip.ts';
import {
  ADCODE,
  buildSecondCity,
  CELL_METRES,
  districtGcj02,
  districtWgs84,
  GRID_LAYER,
  ILLEGAL_BUILDING_ROWS,
  ILLEGAL_BUILDINGS_HEADER,
  KEY_AREAS,
  ringArea,
  STREETS,
  ZONE_39,
  type PlantedDefect,
  type SecondCity,
} from '../support/second-city.ts';

type Ring = number[][];

let dir: string;
let city: SecondCity;
let grid: { features: ShapefileFeature[]; fieldNames: string[]; encoding: string; prj?: string; layer: string; count: number };
const toZone = proj4('WGS84', ZONE_39);
const CELL = CELL_METRES * CELL_METRES;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'second-city-test-'));
  city = await buildSecondCity(path.join(dir, 'city'));
  const extracted = await extractShapefile(city.files.grid, { tmpDir: dir });
  try {
    const layer = await openShapefile(extracted.files);
    const features: ShapefileFeature[] = [];
    for await (const f of layer.features()) features.push(f);
    await layer.close();
    grid = { features, fieldNames: layer.fieldNames, encoding: layer.encoding, prj: layer.prj, layer: extracted.layer, count: layer.count };
  } finally {
    await extracted.cleanup();
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const defectsOf = (layer: PlantedDefect['layer']) => city.defects.filter((d) => d.layer === layer);
const only = (layer: PlantedDefect['layer'], kind: PlantedDefect['kind']) => {
  const found = defectsOf(layer).filter((d) => d.kind === kind);
  expect(found, `${layer} ${kind}`).toHaveLength(1);
  return found[0]!;
};
const ringOf = (f: ShapefileFeature) => {
  expect(f.geometry!.type).toBe('Polygon');
  return (f.geometry!.coordinates as Ring[])[0]!;
};
/** Area of a ∩ b in m² (planar: both in zone 39). */
const overlapArea = (a: Ring, b: Ring) => {
  const i = turf.intersect(turf.featureCollection([turf.polygon([a]), turf.polygon([b])]));
  if (!i) return 0;
  const polygons = i.geometry.type === 'Polygon' ? [i.geometry.coordinates] : i.geometry.coordinates;
  return polygons.reduce((s, p) => s + ringArea(p[0]!) - p.slice(1).reduce((h, r) => h + ringArea(r), 0), 0);
};
const boxesMeet = (a: number[], b: number[]) => a[0]! <= b[2]! && b[0]! <= a[2]! && a[1]! <= b[3]! && b[1]! <= a[3]!;

describe('the district', () => {
  it('is 东城区 in GCJ-02 as the data file has it, about 42 km²', async () => {
    const file = JSON.parse(await readFile(city.files.district, 'utf8'));
    expect(file.features).toHaveLength(1);
    expect(file.features[0].properties).toEqual({ adcode: 110101, name: '东城区' });
    expect(file.features[0].geometry).toEqual(districtGcj02().geometry);
    const km2 = turf.area(districtWgs84()) / 1e6;
    expect(km2).toBeGreaterThan(40);
    expect(km2).toBeLessThan(44);
  });
});

describe('grid.zip', () => {
  it('reads back: one GBK layer in zone 39 with the six fields, 150–400 cells', () => {
    expect(grid.layer).toBe(GRID_LAYER);
    expect(grid.encoding).toBe('gbk');
    expect(grid.fieldNames).toEqual(['网格编码', '街道', '社区', '街道编码', '社区编码', '面积']);
    expect(grid.prj).toContain('CGCS2000_3_Degree_GK_Zone_39');
    expect(grid.count).toBe(city.grid.rows);
    expect(grid.features).toHaveLength(city.grid.rows);
    expect(city.grid.rows).toBeGreaterThanOrEqual(150);
    expect(city.grid.rows).toBeLessThanOrEqual(400);
    // every row is either clean or a planted defect, once
    const rows = [...city.grid.clean.map((c) => c.row), ...defectsOf('grid').map((d) => d.row)].sort((a, b) => a - b);
    expect(rows).toEqual(Array.from({ length: city.grid.rows }, (_, i) => i + 1));
    expect(
      defectsOf('grid')
        .map((d) => d.kind)
        .sort(),
    ).toEqual(['bad_code', 'code_mismatch', 'duplicate_code', 'invalid_geometry', 'outside_district', 'overlap']);
  });

  it('clean rows: valid unique codes that agree with their street and community, in the district, no kinks', () => {
    const district = districtWgs84().geometry.coordinates.map((p) => p.map((r) => r.map((q) => toZone.forward(q))));
    const districtRing = district[0]![0]!;
    const codes = new Set<string>();
    const communities = new Map(STREETS.flatMap((s) => s.communities.map((c) => [c.code, { street: s, community: c }])));
    for (const { row, code } of city.grid.clean) {
      const { properties: p } = grid.features[row - 1]!;
      expect(p['网格编码'], `row ${row}`).toBe(code);
      const parts = parseGridCode(code)!;
      expect(parts, code).not.toBeNull();
      expect(parts.district).toBe(ADCODE);
      expect(code.slice(0, 12)).toBe(p['社区编码']);
      const known = communities.get(p['社区编码'] as string)!;
      expect(known, code).toBeDefined();
      expect(p['社区']).toBe(known.community.name);
      expect(p['街道']).toBe(known.street.name);
      expect(p['街道编码']).toBe(known.street.code);
      expect(codes.has(code), `${code} twice among clean rows`).toBe(false);
      codes.add(code);
      const ring = ringOf(grid.features[row - 1]!);
      expect(turf.kinks(turf.polygon([ring])).features, code).toHaveLength(0);
      const area = ringArea(ring);
      expect(Math.abs((p['面积'] as number) - area)).toBeLessThan(0.01);
      expect(area).toBeGreaterThanOrEqual(0.05 * CELL);
      expect(area).toBeLessThanOrEqual(CELL * 1.000001);
      // inside the district (clipped to it): all but a trace of its area
      expect(overlapArea(ring, districtRing) / area, code).toBeGreaterThan(0.999);
    }
    // the four streets and their twelve communities all have cells
    expect(new Set(city.grid.clean.map((c) => c.code.slice(0, 12))).size).toBe(12);
  });

  it('clean cells do not overlap each other', () => {
    const cells = city.grid.clean.map(({ row }) => {
      const ring = ringOf(grid.features[row - 1]!);
      return { row, ring, box: turf.bbox(turf.polygon([ring])) };
    });
    let pairs = 0;
    for (let i = 0; i < cells.length; i++) {
      for (let j = i + 1; j < cells.length; j++) {
        if (!boxesMeet(cells[i]!.box, cells[j]!.box)) continue;
        pairs++;
        expect(overlapArea(cells[i]!.ring, cells[j]!.ring), `rows ${cells[i]!.row} and ${cells[j]!.row}`).toBeLessThan(0.01);
      }
    }
    // neighbours touch: the check did look at them
    expect(pairs).toBeGreaterThan(city.grid.clean.length);
  });

  it('each planted defect is on the row it says', () => {
    const code = (row: number) => grid.features[row - 1]!.properties['网格编码'] as string;
    for (const d of defectsOf('grid')) expect(code(d.row), `${d.kind} row ${d.row}`).toBe(d.code);

    const dup = only('grid', 'duplicate_code');
    const first = grid.features.findIndex((f) => f.properties['网格编码'] === dup.code) + 1;
    expect(first).toBeLessThan(dup.row);
    expect(city.grid.clean).toContainEqual({ row: first, code: dup.code });

    const bad = only('grid', 'bad_code');
    expect(bad.code).toMatch(/^\d{14}$/);
    expect(parseGridCode(bad.code!)).toBeNull();

    const mismatch = only('grid', 'code_mismatch');
    expect(parseGridCode(mismatch.code!)).not.toBeNull();
    expect(mismatch.code!.slice(0, 12)).not.toBe(grid.features[mismatch.row - 1]!.properties['社区编码']);
    expect(grid.features.filter((f) => f.properties['网格编码'] === mismatch.code)).toHaveLength(1);

    const bowTie = turf.polygon([ringOf(grid.features[only('grid', 'invalid_geometry').row - 1]!)]);
    expect(turf.kinks(bowTie).features.length).toBeGreaterThan(0);

    const shifted = ringOf(grid.features[only('grid', 'overlap').row - 1]!);
    const overlaps = city.grid.clean.map(({ row }) => overlapArea(shifted, ringOf(grid.features[row - 1]!)) / CELL).filter((share) => share > 0.001);
    expect(overlaps).toHaveLength(1);
    expect(overlaps[0]).toBeCloseTo(0.3, 3);

    const toWgs = (ring: Ring) => turf.polygon([ring.map((p) => toZone.inverse(p))]);
    const outside = toWgs(ringOf(grid.features[only('grid', 'outside_district').row - 1]!));
    expect(turf.booleanDisjoint(outside, districtWgs84())).toBe(true);
    const km = turf.pointToPolygonDistance(turf.centroid(outside), turf.polygon(districtWgs84().geometry.coordinates[0]!), { units: 'kilometers' });
    expect(km).toBeGreaterThan(10);
    // the other defects are in the district
    for (const d of defectsOf('grid').filter((d) => d.kind !== 'outside_district')) {
      expect(turf.booleanPointInPolygon(turf.centroid(toWgs(ringOf(grid.features[d.row - 1]!))), districtWgs84()), d.kind).toBe(true);
    }
  });

  it('probes: each WGS84 point lies in the one clean cell of its code', () => {
    expect(city.grid.probes.length).toBeGreaterThanOrEqual(3);
    for (const probe of city.grid.probes) {
      const xy = toZone.forward([probe.lon, probe.lat]);
      const hits = grid.features.filter((f) => f.geometry && turf.booleanPointInPolygon(xy, turf.polygon(f.geometry.coordinates as Ring[])));
      expect(hits.map((f) => f.properties['网格编码'])).toEqual([probe.code]);
    }
  });
});

describe('key-areas.geojson', () => {
  it('has 5–8 areas in GCJ-02 inside the district, with the planted defects where they say', async () => {
    const file = JSON.parse(await readFile(city.files.keyAreas, 'utf8'));
    expect(file.crs).toBeUndefined();
    const features = file.features as { properties: Record<string, string>; geometry: { type: string; coordinates: any } }[];
    expect(features).toHaveLength(city.keyAreas.rows);
    expect(features.length).toBeGreaterThanOrEqual(5);
    expect(features.length).toBeLessThanOrEqual(8);
    const gcj = districtGcj02();
    const wgs = districtWgs84();
    for (const { row, code } of city.keyAreas.clean) {
      const f = features[row - 1]!;
      expect(f.properties).toEqual({
        名称: code,
        级别: expect.stringMatching(/^(市级|区级)$/),
        类型: expect.any(String),
        挂账日期: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      });
      expect(['商圈', '景区', '交通枢纽', '市场', '夜市']).toContain(f.properties['类型']);
      expect(f.geometry.type).toBe('Polygon');
      expect(turf.booleanWithin(turf.polygon(f.geometry.coordinates), gcj), code).toBe(true);
      // and, converted as GCJ-02 should be, inside the WGS84 district too
      const converted = turf.polygon((f.geometry.coordinates as Ring[]).map((r) => r.map((p) => gcoord.transform([p[0]!, p[1]!], gcoord.GCJ02, gcoord.WGS84))));
      expect(turf.booleanWithin(converted, wgs), code).toBe(true);
    }
    const missing = only('key-areas', 'missing_name');
    expect(features[missing.row - 1]!.properties).not.toHaveProperty('名称');
    expect(features[missing.row - 1]!.geometry.type).toBe('Polygon');
    const unclosed = features[only('key-areas', 'unclosed_ring').row - 1]!;
    const ring = unclosed.geometry.coordinates[0] as number[][];
    expect(ring[0]).not.toEqual(ring[ring.length - 1]);
    expect(features[only('key-areas', 'not_polygon').row - 1]!.geometry.type).toBe('Point');
    expect(KEY_AREAS.map((a) => a.name)).toContain('王府井商业街');
  });
});

/** POLYGON ((x y, …)) with one ring, or null when the text is not that. */
function parsePolygonWkt(text: string): Ring | null {
  const m = /^POLYGON \(\(([-\d. ,]+)\)\)$/.exec(text.trim());
  if (!m) return null;
  const ring = m[1]!.split(',').map((p) => p.trim().split(' ').map(Number));
  if (ring.some((p) => p.length !== 2 || p.some((v) => !Number.isFinite(v)))) return null;
  return ring;
}

describe('illegal-buildings.csv', () => {
  it('is GBK with the expected header, footprints of 10–30 m inside the district, the planted defects where they say', async () => {
    const bytes = await readFile(city.files.illegalBuildings);
    expect([...bytes.subarray(0, 3)]).not.toEqual([0xef, 0xbb, 0xbf]);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const rows = parse(iconv.decode(bytes, 'gbk'), { relaxColumnCount: false }) as string[][];
    expect(rows[0]).toEqual(ILLEGAL_BUILDINGS_HEADER);
    const data = rows.slice(1);
    expect(data).toHaveLength(ILLEGAL_BUILDING_ROWS);
    expect(city.illegalBuildings.rows).toBe(ILLEGAL_BUILDING_ROWS);
    const district = districtWgs84();

    const seen = new Set<string>();
    for (const { row, code } of city.illegalBuildings.clean) {
      const [编号, wkt, 面积, 层数, 类型, 阶段, , 发现日期] = data[row - 1]!;
      expect(编号).toBe(code);
      expect(seen.has(code)).toBe(false);
      seen.add(code);
      const ring = parsePolygonWkt(wkt!)!;
      expect(ring, `row ${row}`).not.toBeNull();
      const polygon = turf.polygon([ring]);
      expect(turf.booleanWithin(polygon, district), `row ${row}`).toBe(true);
      for (let k = 1; k < 3; k++) {
        const side = turf.distance(ring[k - 1]!, ring[k]!, { units: 'meters' });
        expect(side).toBeGreaterThan(9.5);
        expect(side).toBeLessThan(30.5);
      }
      expect(Math.abs(turf.area(polygon) - Number(面积))).toBeLessThan(0.1);
      expect(['1', '2', '3']).toContain(层数);
      expect(['存量', '新增']).toContain(类型);
      expect(['发现', '立案', '责令', '拆除', '结案']).toContain(阶段);
      expect(发现日期).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    // quoting: a party with a comma and quotes
    expect(data.some((r) => r[6] === '北京"老字号"食品有限公司, 李某')).toBe(true);

    for (const d of defectsOf('illegal-buildings')) expect(data[d.row - 1]![0], d.kind).toBe(d.code);
    expect(parsePolygonWkt(data[only('illegal-buildings', 'invalid_wkt').row - 1]![1]!)).toBeNull();
    const dup = only('illegal-buildings', 'duplicate_code');
    const firstRow = data.findIndex((r) => r[0] === dup.code) + 1;
    expect(firstRow).toBeLessThan(dup.row);
    expect(city.illegalBuildings.clean).toContainEqual({ row: firstRow, code: dup.code });
    const outside = parsePolygonWkt(data[only('illegal-buildings', 'outside_district').row - 1]![1]!)!;
    expect(turf.booleanDisjoint(turf.polygon([outside]), district)).toBe(true);
  });
});

describe('determinism', () => {
  it('writes the same files every time', async () => {
    const again = await buildSecondCity(path.join(dir, 'again'));
    expect(again.defects).toEqual(city.defects);
    for (const key of ['district', 'grid', 'keyAreas', 'illegalBuildings'] as const) {
      expect((await readFile(again.files[key])).equals(await readFile(city.files[key])), key).toBe(true);
    }
  });
});

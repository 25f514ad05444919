// The writing side of the GIS formats (exports): the .shp/.shx writer read back by the `shapefile` package
// and by our readers, the .prj texts read back by proj4, GeoJSON, CSV and zipped-Shapefile exports.
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import iconv from 'iconv-lite';
import proj4 from 'proj4';
import { openShp } from 'shapefile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { converterForEpsg, converterForPrj, converterFromWgs84, prjFor, type Geometry } from '../../server/gis/formats/crs.ts';
import {
  csvCell,
  dbfFieldNames,
  toWkt,
  writeCsv,
  writeGeoJson,
  writeShapefileZip,
  type ExportFeature,
  type ExportField,
} from '../../server/gis/formats/export.ts';
import { orientRing, ringClockwiseArea, ShpWriter, type ShapeKind } from '../../server/gis/formats/shp-writer.ts';
import { gisError, readShapefileZip } from '../support/gis-files.ts';

let dir: string;
let seq = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gis-writers-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
const tmp = (ext: string) => path.join(dir, `f${++seq}.${ext}`);

/** Writes the geometries with ShpWriter and reads them back with the `shapefile` package. */
async function roundTrip(kind: ShapeKind | undefined, geometries: (Geometry | null)[]) {
  const shp = tmp('shp');
  const shx = tmp('shx');
  const writer = await ShpWriter.create(shp, shx, kind);
  for (const g of geometries) await writer.write(g);
  const result = await writer.close();
  const source = await openShp(shp);
  const read: ({ type: string; coordinates: unknown } | null)[] = [];
  for (let r = await source.read(); !r.done; r = await source.read()) read.push(r.value);
  return { result, read, shp: await readFile(shp), shx: await readFile(shx), bbox: source.bbox };
}

// GeoJSON (RFC 7946) winding: outer counter-clockwise, hole clockwise
const OUTER = [
  [0, 0],
  [10, 0],
  [10, 10],
  [0, 10],
  [0, 0],
];
const HOLE = [
  [2, 2],
  [2, 4],
  [4, 4],
  [4, 2],
  [2, 2],
];
const reversed = (ring: number[][]) => [...ring].reverse();

describe('ShpWriter', () => {
  it('writes polygons with the outer ring clockwise and holes counter-clockwise, whatever the GeoJSON winding', async () => {
    const far = OUTER.map(([x, y]) => [x! + 100, y! + 50]);
    const { result, read, shp, shx, bbox } = await roundTrip('polygon', [
      { type: 'Polygon', coordinates: [OUTER, HOLE] },
      // the same wound the other way round: the file must be the same
      { type: 'Polygon', coordinates: [reversed(OUTER), reversed(HOLE)] },
      null,
      { type: 'MultiPolygon', coordinates: [[OUTER], [far]] },
    ]);
    expect(result).toEqual({ count: 4, bbox: [0, 0, 110, 60], shapeType: 5 });
    expect(bbox).toEqual([0, 0, 110, 60]);
    // the shapefile package tells outer rings from holes by their winding alone
    expect(read[0]).toEqual({ type: 'Polygon', coordinates: [reversed(OUTER), reversed(HOLE)] });
    expect(read[1]).toEqual(read[0]);
    expect(read[2]).toBeNull();
    expect(read[3]).toEqual({ type: 'MultiPolygon', coordinates: [[reversed(OUTER)], [reversed(far)]] });
    // headers: file code, length in 16-bit words, version, shape type
    expect(shp.readInt32BE(0)).toBe(9994);
    expect(shp.readInt32BE(24) * 2).toBe(shp.length);
    expect(shp.readInt32LE(28)).toBe(1000);
    expect(shp.readInt32LE(32)).toBe(5);
    expect(shx.readInt32BE(24) * 2).toBe(shx.length);
    expect(shx.length).toBe(100 + 8 * 4);
    // each .shx entry points at its record, whose number it is
    for (let i = 0; i < 4; i++) {
      const offset = shx.readInt32BE(100 + 8 * i) * 2;
      expect(shp.readInt32BE(offset)).toBe(i + 1);
      expect(shp.readInt32BE(offset + 4)).toBe(shx.readInt32BE(104 + 8 * i));
    }
  });

  it('closes an unclosed ring', async () => {
    const { read } = await roundTrip('polygon', [{ type: 'Polygon', coordinates: [OUTER.slice(0, 4)] }]);
    expect(read[0]).toEqual({ type: 'Polygon', coordinates: [reversed(OUTER)] });
  });

  it('writes points and lines, choosing the family from the first geometry', async () => {
    const points = await roundTrip(undefined, [null, { type: 'Point', coordinates: [116.4, 39.9] }, { type: 'Point', coordinates: [-1.5, 2] }]);
    expect(points.result).toEqual({ count: 3, bbox: [-1.5, 2, 116.4, 39.9], shapeType: 1 });
    expect(points.read).toEqual([null, { type: 'Point', coordinates: [116.4, 39.9] }, { type: 'Point', coordinates: [-1.5, 2] }]);

    const line = [
      [1, 1],
      [2, 3],
      [5, 2],
    ];
    const lines = await roundTrip('line', [
      { type: 'LineString', coordinates: line },
      { type: 'MultiLineString', coordinates: [line, reversed(line)] },
    ]);
    expect(lines.result.shapeType).toBe(3);
    expect(lines.read).toEqual([
      { type: 'LineString', coordinates: line },
      { type: 'MultiLineString', coordinates: [line, reversed(line)] },
    ]);
  });

  it('writes a layer of null shapes only as shape type 0 with a zero bbox', async () => {
    const { result, read } = await roundTrip(undefined, [null, null]);
    expect(result).toEqual({ count: 2, bbox: undefined, shapeType: 0 });
    expect(read).toEqual([null, null]);
  });

  it('refuses another family, or a type a Shapefile of ours can’t hold (422 naming the record)', async () => {
    const writer = await ShpWriter.create(tmp('shp'), tmp('shx'));
    await writer.write({ type: 'Point', coordinates: [1, 2] });
    const mixed = await gisError(() => writer.write({ type: 'Polygon', coordinates: [OUTER] }));
    expect(mixed.status).toBe(422);
    expect(mixed.message).toContain('record 2 is a Polygon');
    expect(mixed.message).toContain('one geometry family');
    const collection = await gisError(() => writer.write({ type: 'GeometryCollection', geometries: [] }));
    expect(collection.message).toContain('GeometryCollection');
    const nan = await gisError(() => writer.write({ type: 'Point', coordinates: [NaN, 1] }));
    expect(nan.message).toContain('finite');
    await writer.abort();
  });

  it('orients rings by their signed area', () => {
    expect(ringClockwiseArea(OUTER)).toBeLessThan(0);
    expect(ringClockwiseArea(reversed(OUTER))).toBe(200);
    expect(orientRing(OUTER, true)).toEqual(reversed(OUTER));
    expect(orientRing(OUTER, false)).toBe(OUTER);
  });
});

describe('writing coordinate systems', () => {
  const CODES = [4326, 4490, 3857, 4491, 4501, 4502, 4513, 4527, 4533, 4534, 4546, 4554];

  it('names the Gauss-Krüger zones as ArcGIS does', () => {
    expect(prjFor(4527)).toBe(
      'PROJCS["CGCS2000_3_Degree_GK_Zone_39",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],' +
        'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",39500000.0],PARAMETER["False_Northing",0.0],' +
        'PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]',
    );
    expect(prjFor('EPSG:4546')).toContain('PROJCS["CGCS2000_3_Degree_GK_CM_111E"');
    expect(prjFor(4498)).toContain('PROJCS["CGCS2000_GK_Zone_20"');
    expect(prjFor(4502)).toContain('PROJCS["CGCS2000_GK_CM_75E"');
    expect(prjFor(4490)).toMatch(/^GEOGCS\["GCS_China_Geodetic_Coordinate_System_2000"/);
    expect(prjFor(4326)).toMatch(/^GEOGCS\["GCS_WGS_1984"/);
    expect(prjFor(3857)).toContain('Mercator_Auxiliary_Sphere');
  });

  it.each(CODES)('EPSG:%i: a point written with converterFromWgs84 reads back through its .prj within 1 mm', (code) => {
    const to = converterFromWgs84(code);
    expect(to.target).toBe(`EPSG:${code}`);
    const fromPrj = converterForPrj(prjFor(code));
    const fromEpsg = converterForEpsg(code);
    // points in the zone (about Beijing for the others)
    const cm = code >= 4491 ? Number(/Central_Meridian",([\d.]+)/.exec(prjFor(code))![1]) : 116.4;
    for (const wgs of [
      [cm + 0.61, 39.9],
      [cm - 1.2, 24.5],
    ]) {
      const xy = to.fromWgs84(wgs);
      for (const back of [fromPrj.toWgs84(xy), fromEpsg.toWgs84(xy)]) {
        // 1 mm is about 1e-8° of latitude, 1.1e-8° of longitude here
        expect(Math.abs(back[0]! - wgs[0]!)).toBeLessThan(1e-8);
        expect(Math.abs(back[1]! - wgs[1]!)).toBeLessThan(1e-8);
      }
      // and the .prj projects to the same metres as the EPSG definition
      const viaPrj = proj4('WGS84', prjFor(code)).forward([wgs[0]!, wgs[1]!]);
      const tolerance = code === 4326 || code === 4490 ? 1e-8 : 1e-3;
      expect(Math.abs(viaPrj[0]! - xy[0]!)).toBeLessThan(tolerance);
      expect(Math.abs(viaPrj[1]! - xy[1]!)).toBeLessThan(tolerance);
    }
  });

  it('refuses a CRS we don’t write (422)', async () => {
    expect((await gisError(() => converterFromWgs84(2000))).status).toBe(422);
    expect((await gisError(() => prjFor('EPSG:4555'))).status).toBe(422);
    expect(converterFromWgs84('EPSG:4326').fromWgs84([116.4, 39.9, 12])).toEqual([116.4, 39.9]);
  });
});

const FIELDS: ExportField[] = [
  { name: '网格编码', type: 'text', length: 15 },
  { name: '社区', type: 'text', length: 30 },
  { name: '面积', type: 'number', decimals: 2 },
  { name: '层数', type: 'integer' },
  { name: '发现日期', type: 'date' },
  { name: '已结案', type: 'boolean' },
];

const square = (lon: number, lat: number, d = 0.001): Geometry => ({
  type: 'Polygon',
  coordinates: [
    [
      [lon, lat],
      [lon, lat + d],
      [lon + d, lat + d],
      [lon + d, lat],
      [lon, lat],
    ],
  ],
});

const FEATURES: ExportFeature[] = [
  {
    geometry: square(116.4, 39.9),
    properties: { 网格编码: '110101001001001', 社区: '韶九社区', 面积: 10234.567, 层数: 2, 发现日期: '2025-03-01T08:00:00Z', 已结案: true },
  },
  { geometry: null, properties: { 网格编码: '110101001001002', 社区: '含,逗号"引号"', 面积: null, 层数: null, 发现日期: null, 已结案: false } },
  { geometry: square(116.41, 39.91), properties: { 网格编码: '110101001001003', 社区: '王府井社区', 面积: 1, 层数: 1, 发现日期: '2024-12-31', 已结案: null } },
];

async function* stream<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function collect(out: PassThrough, write: Promise<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await write;
  return Buffer.concat(chunks);
}

describe('GeoJSON export', () => {
  it('writes an RFC 7946 FeatureCollection: WGS84, 7 decimals, outer rings counter-clockwise, typed properties', async () => {
    const out = new PassThrough();
    const bytes = await collect(
      out,
      writeGeoJson(
        stream([
          ...FEATURES,
          // clockwise and over-precise
          {
            geometry: { type: 'Polygon', coordinates: [reversed(OUTER).map(([x, y]) => [x! / 1000 + 116.123456789, y! / 1000 + 39.5])] },
            properties: { 网格编码: 'x' },
          },
        ]),
        out,
        { fields: FIELDS },
      ),
    );
    const json = JSON.parse(bytes.toString('utf8'));
    expect(json.type).toBe('FeatureCollection');
    expect(json.crs).toBeUndefined();
    expect(json.features).toHaveLength(4);
    expect(json.features[0].properties).toEqual({
      网格编码: '110101001001001',
      社区: '韶九社区',
      面积: 10234.567,
      层数: 2,
      发现日期: '2025-03-01',
      已结案: true,
    });
    expect(json.features[1].geometry).toBeNull();
    expect(json.features[1].properties.社区).toBe('含,逗号"引号"');
    const ring = json.features[3].geometry.coordinates[0] as number[][];
    expect(ringClockwiseArea(ring)).toBeLessThan(0);
    expect(ring[0]).toEqual([116.1234568, 39.5]);
    for (const p of ring) for (const v of p) expect(String(v).split('.')[1]?.length ?? 0).toBeLessThanOrEqual(7);
    expect(json.features[3].properties).toEqual({ 网格编码: 'x', 社区: null, 面积: null, 层数: null, 发现日期: null, 已结案: null });
  });

  it('waits for a slow reader (back-pressure) and writes an empty collection', async () => {
    const out = new PassThrough({ highWaterMark: 16 });
    const many = Array.from({ length: 3000 }, (_, i) => ({ geometry: { type: 'Point', coordinates: [116 + i / 1e4, 39.9] }, properties: { n: i } }));
    const bytes = await collect(out, writeGeoJson(many, out));
    expect(JSON.parse(bytes.toString()).features).toHaveLength(3000);

    const empty = new PassThrough();
    expect(JSON.parse((await collect(empty, writeGeoJson([], empty))).toString())).toEqual({ type: 'FeatureCollection', features: [] });
  });
});

describe('CSV export', () => {
  it('writes UTF-8 with a BOM, RFC 4180 quoting, CRLF and a wkt column', async () => {
    const out = new PassThrough();
    const bytes = await collect(out, writeCsv(stream(FEATURES), out, { fields: FIELDS, encoding: 'utf-8', geometry: 'wkt' }));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n');
    expect(lines).toEqual([
      '网格编码,社区,面积,层数,发现日期,已结案,wkt',
      '110101001001001,韶九社区,10234.567,2,2025-03-01,true,"POLYGON ((116.4 39.9, 116.4 39.901, 116.401 39.901, 116.401 39.9, 116.4 39.9))"',
      '110101001001002,"含,逗号""引号""",,,,false,',
      '110101001001003,王府井社区,1,1,2024-12-31,,"POLYGON ((116.41 39.91, 116.41 39.911, 116.411 39.911, 116.411 39.91, 116.41 39.91))"',
      '',
    ]);
  });

  it('writes GBK without a BOM', async () => {
    const out = new PassThrough();
    const bytes = await collect(out, writeCsv(FEATURES, out, { fields: FIELDS.slice(0, 2), encoding: 'gbk', geometry: 'wkt' }));
    expect(bytes[0]).not.toBe(0xef);
    expect(iconv.decode(bytes, 'gbk').split('\r\n')[0]).toBe('网格编码,社区,wkt');
    expect(bytes.includes(iconv.encode('韶九社区', 'gbk'))).toBe(true);
  });

  it('quotes cells and writes WKT of every type', () => {
    expect(csvCell('a"b')).toBe('"a""b"');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(NaN)).toBe('');
    expect(toWkt({ type: 'Point', coordinates: [116.123456789, -0.00000001] })).toBe('POINT (116.1234568 0)');
    expect(toWkt({ type: 'Point', coordinates: [1e-7, 2] })).toBe('POINT (0.0000001 2)');
    expect(toWkt({ type: 'MultiPoint', coordinates: [[1, 2]] })).toBe('MULTIPOINT ((1 2))');
    expect(
      toWkt({
        type: 'MultiLineString',
        coordinates: [
          [
            [1, 2],
            [3, 4],
          ],
        ],
      }),
    ).toBe('MULTILINESTRING ((1 2, 3 4))');
    expect(toWkt({ type: 'MultiPolygon', coordinates: [[OUTER, HOLE]] })).toBe('MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2)))');
    expect(toWkt({ type: 'Polygon', coordinates: [] })).toBe('POLYGON EMPTY');
    expect(toWkt({ type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [1, 2] }] })).toBe('GEOMETRYCOLLECTION (POINT (1 2))');
  });
});

const readZip = (zip: string) => readShapefileZip(zip, { tmpDir: dir });

describe('zipped Shapefile export', () => {
  it('writes GBK attributes in CGCS2000 zone 39 with its .prj and .cpg, read back by our readers', async () => {
    const zip = tmp('zip');
    const result = await writeShapefileZip(stream(FEATURES), zip, { layerName: '单元网格', fields: FIELDS, encoding: 'gbk', crs: 4527, tmpDir: dir });
    expect(result).toMatchObject({ count: 3, shapeType: 5, entries: ['单元网格.shp', '单元网格.shx', '单元网格.dbf', '单元网格.prj', '单元网格.cpg'] });
    expect(result.fields.map((f) => f.dbfName)).toEqual(['网格编码', '社区', '面积', '层数', '发现日期', '已结案']);
    expect(result.bbox![0]).toBeGreaterThan(39_000_000);

    const { extracted, layer, features } = await readZip(zip);
    expect(extracted.layer).toBe('单元网格');
    expect(layer).toMatchObject({ count: 3, shapeType: 5, encoding: 'gbk', encodingSource: 'cpg', fieldNames: FIELDS.map((f) => f.name) });
    expect(layer.prj).toBe(prjFor(4527));
    expect(features.map((f) => f.properties)).toEqual([
      { 网格编码: '110101001001001', 社区: '韶九社区', 面积: 10234.57, 层数: 2, 发现日期: '2025-03-01', 已结案: true },
      { 网格编码: '110101001001002', 社区: '含,逗号"引号"', 面积: null, 层数: null, 发现日期: null, 已结案: false },
      { 网格编码: '110101001001003', 社区: '王府井社区', 面积: 1, 层数: 1, 发现日期: '2024-12-31', 已结案: null },
    ]);
    expect(features[1]!.geometry).toBeNull();
    // back to WGS84 through the .prj: the squares' corners within 1e-8°
    const back = converterForPrj(layer.prj!);
    const ring = (features[0]!.geometry!.coordinates as number[][][])[0]!.map((p) => back.toWgs84(p));
    // the input ring is clockwise already, so it is written as it is
    expect(ring).toHaveLength(5);
    ring.forEach((p, k) => {
      const e = (FEATURES[0]!.geometry!.coordinates as number[][][])[0]![k]!;
      expect(Math.abs(p[0]! - e[0]!) + Math.abs(p[1]! - e[1]!)).toBeLessThan(2e-8);
    });
  });

  it('cuts UTF-8 field names to 10 bytes and keeps them unique', async () => {
    expect(dbfFieldNames(['网格编码', '网格编号', 'population_total', 'population_totals', 'ID', 'id'], 'utf-8')).toEqual([
      '网格编',
      // 网格编_1 would be 11 bytes
      '网格_1',
      'population',
      'populati_1',
      'ID',
      'id_1',
    ]);
    expect(dbfFieldNames(['网格编码', '网格编码备注', '网格编码备份', ''], 'gbk')).toEqual(['网格编码', '网格编码备', '网格编码_1', 'FIELD']);

    const zip = tmp('zip');
    const result = await writeShapefileZip(FEATURES, zip, { layerName: 'grid', fields: FIELDS, encoding: 'utf-8', crs: 'EPSG:4326' });
    expect(result.fields[0]).toEqual({ name: '网格编码', dbfName: '网格编' });
    const { layer, features } = await readZip(zip);
    expect(layer.encoding).toBe('utf-8');
    expect(layer.prj).toBe(prjFor(4326));
    expect(features[0]!.properties['网格编']).toBe('110101001001001');
    expect((features[2]!.geometry!.coordinates as number[][][])[0]![0]).toEqual([116.41, 39.91]);
  });

  it('writes points and a layer name with path characters safely', async () => {
    const zip = tmp('zip');
    const points = [1, 2, 3].map((i) => ({ geometry: { type: 'Point', coordinates: [116.4 + i / 100, 39.9] }, properties: { 名称: `点${i}` } }));
    const result = await writeShapefileZip(points, zip, {
      layerName: '../重点/区域',
      fields: [{ name: '名称', type: 'text', length: 20 }],
      encoding: 'gbk',
      crs: 3857,
    });
    expect(result.entries[0]).toBe('_重点_区域.shp');
    const { features } = await readZip(zip);
    expect(features.map((f) => f.properties['名称'])).toEqual(['点1', '点2', '点3']);
    expect((features[0]!.geometry!.coordinates as number[])[0]).toBeCloseTo(12_957_588.73 + 1113.19, 1);
  });

  it('refuses mixed geometry families and an unknown CRS (422), leaving no zip behind', async () => {
    const zip = tmp('zip');
    const mixed = await gisError(() =>
      writeShapefileZip(stream([FEATURES[0]!, { geometry: { type: 'Point', coordinates: [116.4, 39.9] }, properties: {} }]), zip, {
        layerName: 'x',
        fields: FIELDS,
        encoding: 'gbk',
        crs: 4490,
        tmpDir: dir,
      }),
    );
    expect(mixed.status).toBe(422);
    expect(mixed.message).toContain('record 2 is a Point');
    await expect(stat(zip)).rejects.toThrow();

    const crs = await gisError(() => writeShapefileZip(FEATURES, zip, { layerName: 'x', fields: FIELDS, encoding: 'gbk', crs: 'EPSG:32650' }));
    expect(crs.status).toBe(422);
    expect(crs.message).toContain('EPSG:32650');
  });

  it('refuses a number too wide for its .dbf field (422 naming the record)', async () => {
    const err = await gisError(() =>
      writeShapefileZip([{ geometry: null, properties: { n: 1e30 } }], tmp('zip'), {
        layerName: 'x',
        fields: [{ name: 'n', type: 'integer' }],
        encoding: 'gbk',
        crs: 4326,
      }),
    );
    expect(err.status).toBe(422);
    expect(err.message).toContain('record 1');
    expect(err.message).toContain('field n');
  });

  it('streams into a file too (GeoJSON to a write stream)', async () => {
    const file = tmp('geojson');
    await writeGeoJson(stream(FEATURES), createWriteStream(file));
    expect(JSON.parse(await readFile(file, 'utf8')).features).toHaveLength(3);
  });
});

// Stage 1 of the GIS import (issue 13): the readers of zipped Shapefiles, on fixtures built here (our
// DBF writer, a hand-written .shp/.shx, yazl), with GBK Chinese attributes in CGCS2000 Gauss-Krüger.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import gcoord from 'gcoord';
import iconv from 'iconv-lite';
import proj4 from 'proj4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { converterForEpsg, converterForPrj, epsgDefinition, guessEpsg, resolveCrs, transformGeometry } from '../../server/gis/formats/crs.ts';
import { buildDbf, DbfReader, type DbfFieldSpec } from '../../server/gis/formats/dbf.ts';
import { decodeStrict, encodingFromLdid, normaliseEncoding, sniffEncoding } from '../../server/gis/formats/encoding.ts';
import { GisFileError } from '../../server/gis/formats/errors.ts';
import { openShapefile } from '../../server/gis/formats/shapefile.ts';
import { entryName, extractShapefile } from '../../server/gis/formats/zip.ts';
import { gisError, polygonShp, readShapefileZip, zipBuffer } from '../support/gis-files.ts';

/** ESRI WKT as ArcGIS writes it for 3° zone 38 (central meridian 114°E, Wuhan). */
const PRJ_ZONE_38 =
  'PROJCS["CGCS2000_3_Degree_GK_Zone_38",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],' +
  'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",38500000.0],PARAMETER["False_Northing",0.0],' +
  'PARAMETER["Central_Meridian",114.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]';
/** Written out here, not taken from crs.ts, so that the fixture doesn't share the code under test. */
const ZONE_38 = '+proj=tmerc +lat_0=0 +lon_0=114 +k=1 +x_0=38500000 +y_0=0 +ellps=GRS80 +units=m +no_defs';
const toZone38 = proj4('WGS84', ZONE_38);

/** Three 0.001° squares in Wuhan, as lon/lat rings, clockwise (a Shapefile's outer ring). */
const SQUARES = [0, 1, 2].map((i) => {
  const x0 = 114.3 + i * 0.001;
  const y0 = 30.6;
  return [
    [x0, y0],
    [x0, y0 + 0.001],
    [x0 + 0.001, y0 + 0.001],
    [x0 + 0.001, y0],
    [x0, y0],
  ];
});
const CODES = ['420102001001001', '420102001001002', '420102001002001'];
const COMMUNITIES = ['大智街社区', '一元路社区', '车站路社区'];
const FIELDS: DbfFieldSpec[] = [
  { name: '网格编码', type: 'C', length: 15 },
  { name: '社区', type: 'C', length: 20 },
  { name: '面积', type: 'N', length: 12, decimals: 2 },
];
const ROWS = CODES.map((code, i) => ({ 网格编码: code, 社区: COMMUNITIES[i], 面积: 10234.5 + i }));

const projected = SQUARES.map((ring) => ring.map((p) => toZone38.forward(p)));

let dir: string;
let seq = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gis-formats-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function zipFile(files: Record<string, Buffer | string>): Promise<string> {
  const file = path.join(dir, `upload-${++seq}.zip`);
  await writeFile(file, await zipBuffer(files));
  return file;
}

/** The layer's files, GBK with a .cpg and the zone-38 .prj unless told otherwise. */
function layerFiles(name = '网格', overrides: Record<string, Buffer | string | undefined> = {}): Record<string, Buffer | string> {
  const { shp, shx } = polygonShp(projected);
  const { dbf, cpg } = buildDbf(FIELDS, ROWS, 'gbk');
  const files: Record<string, Buffer | string | undefined> = {
    [`${name}.shp`]: shp,
    [`${name}.shx`]: shx,
    [`${name}.dbf`]: dbf,
    [`${name}.cpg`]: cpg,
    [`${name}.prj`]: PRJ_ZONE_38,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(files).filter((e): e is [string, Buffer | string] => e[1] !== undefined));
}

const readAll = (zip: string, options: { encoding?: string; layer?: string } = {}) => readShapefileZip(zip, { ...options, tmpDir: dir });

describe('encodings', () => {
  it('normalises .cpg contents and request values', () => {
    for (const name of ['936', 'CP936', 'cp936\r\n', 'GBK', 'gb2312', 'GB18030', '\uFEFFGBK']) expect(normaliseEncoding(name), name).toBe('gbk');
    for (const name of ['UTF-8', 'utf8', '65001', 'UTF_8']) expect(normaliseEncoding(name), name).toBe('utf-8');
    expect(normaliseEncoding('Big5')).toBeUndefined();
    expect(normaliseEncoding('')).toBeUndefined();
    expect(encodingFromLdid(0x4d)).toBe('gbk');
    expect(encodingFromLdid(0)).toBeUndefined();
  });

  it('refuses broken GBK bytes (ff ff) where Node’s own decoder silently drops them', () => {
    const bytes = Buffer.from([0xff, 0xff, 0x41]);
    // the reason we decode with iconv-lite: Node's decoder, even with fatal:true, neither throws nor leaves
    // U+FFFD (ICU maps 0xFF to the private-use U+F8F5), so the damage would pass unseen
    const node = new TextDecoder('gbk', { fatal: true }).decode(bytes);
    expect(node).not.toContain('\uFFFD');
    expect(node.endsWith('A')).toBe(true);
    const err = (() => {
      try {
        decodeStrict(bytes, 'gbk', 'row 7, field 社区');
      } catch (e) {
        return e as GisFileError;
      }
    })();
    expect(err).toBeInstanceOf(GisFileError);
    expect(err!.status).toBe(422);
    expect(err!.message).toContain('ff ff');
    expect(err!.message).toContain('row 7, field 社区');
  });

  it('sniffs UTF-8, then GBK, and names the first bad bytes when it is neither', async () => {
    const s = (bytes: Buffer) => ({ bytes, where: 'row 1' });
    expect(sniffEncoding([s(Buffer.from('ASCII only'))])).toBe('utf-8');
    expect(sniffEncoding([s(Buffer.from('大智街社区'))])).toBe('utf-8');
    expect(sniffEncoding([s(iconv.encode('大智街社区', 'gbk'))])).toBe('gbk');
    const err = await gisError(() => sniffEncoding([s(iconv.encode('社区', 'gbk')), { bytes: Buffer.from([0x41, 0xff, 0xff]), where: 'row 9' }]));
    expect(err.status).toBe(422);
    expect(err.message).toMatch(/ff ff at byte 1/);
    expect(err.message).toContain('row 9');
  });
});

describe('DBF', () => {
  it('round-trips Chinese field names and values in GBK, with LDID 0x4D and a GBK .cpg', async () => {
    const rows = [...ROWS, { 网格编码: null, 社区: null, 面积: null }];
    const { dbf, cpg } = buildDbf(FIELDS, rows, 'gbk');
    expect(cpg).toBe('GBK');
    expect(dbf[29]).toBe(0x4d);
    // 网格编码 in GBK is 8 bytes: the name fits the 10-byte slot
    expect(Buffer.from(dbf.subarray(32, 40))).toEqual(iconv.encode('网格编码', 'gbk'));
    const reader = await DbfReader.open(dbf);
    expect(reader.header.recordCount).toBe(4);
    expect(reader.fieldNames('gbk')).toEqual(['网格编码', '社区', '面积']);
    const read = [];
    for await (const r of reader.records('gbk')) read.push(r.properties);
    expect(read).toEqual(rows);
  });

  it('round-trips in UTF-8, and refuses a name over 10 bytes in the chosen encoding', async () => {
    expect(() => buildDbf(FIELDS, ROWS, 'utf-8')).toThrow(/网格编码 is 12 bytes in utf-8/);
    const fields: DbfFieldSpec[] = [
      { name: '网格码', type: 'C', length: 15 },
      { name: '社区', type: 'C', length: 30 },
      { name: '有效', type: 'L' },
      { name: '日期', type: 'D' },
    ];
    const rows = [{ 网格码: CODES[0], 社区: COMMUNITIES[0], 有效: true, 日期: '2026-03-01' }];
    const { dbf, cpg } = buildDbf(fields, rows, 'utf-8');
    expect(cpg).toBe('UTF-8');
    expect(dbf[29]).toBe(0);
    const reader = await DbfReader.open(dbf);
    const read = [];
    for await (const r of reader.records('utf-8')) read.push(r.properties);
    expect(read).toEqual(rows);
  });

  it('cuts text at a character, never inside one, and skips deleted records', async () => {
    const { dbf } = buildDbf([{ name: '名称', type: 'C', length: 5 }], [{ 名称: '一二三四' }, { 名称: '删' }, { 名称: '五' }], 'gbk');
    const reader = await DbfReader.open(dbf);
    dbf[reader.header.headerLength + reader.header.recordLength] = 0x2a;
    const read = [];
    for await (const r of reader.records('gbk')) read.push([r.index, r.properties['名称']]);
    expect(read).toEqual([
      [0, '一二'],
      [2, '五'],
    ]);
  });
});

describe('zipped Shapefile', () => {
  it('reads the 3 squares with their GBK attributes and converts them to WGS84 within 1e-7°', async () => {
    const { extracted, layer, features } = await readAll(await zipFile(layerFiles()));
    expect(extracted.layer).toBe('网格');
    expect(
      Object.values(extracted.files)
        .map((f) => path.basename(f))
        .sort(),
    ).toEqual(['layer.cpg', 'layer.dbf', 'layer.prj', 'layer.shp', 'layer.shx']);
    expect(layer).toMatchObject({ count: 3, shapeType: 5, encoding: 'gbk', encodingSource: 'cpg', fieldNames: ['网格编码', '社区', '面积'] });
    expect(features.map((f) => f.n)).toEqual([1, 2, 3]);
    expect(features.map((f) => f.properties['网格编码'])).toEqual(CODES);
    expect(features.map((f) => f.properties['社区'])).toEqual(COMMUNITIES);

    const crs = resolveCrs({ prj: layer.prj });
    expect(crs.source).toBe('CGCS2000_3_Degree_GK_Zone_38');
    features.forEach((f, i) => {
      expect(f.geometry!.type).toBe('Polygon');
      // still in the source CRS as read
      expect((f.geometry!.coordinates as number[][][])[0]![0]![0]).toBeGreaterThan(38_000_000);
      const ring = (transformGeometry(f.geometry!, crs.toWgs84).coordinates as number[][][])[0]!;
      expect(ring).toHaveLength(5);
      ring.forEach((p, k) => {
        expect(Math.abs(p[0]! - SQUARES[i]![k]![0]!)).toBeLessThan(1e-7);
        expect(Math.abs(p[1]! - SQUARES[i]![k]![1]!)).toBeLessThan(1e-7);
      });
    });
  });

  it('settles the encoding from the LDID without a .cpg, and by sniffing without either', async () => {
    const noCpg = await readAll(await zipFile(layerFiles('网格', { '网格.cpg': undefined })));
    expect(noCpg.layer.encodingSource).toBe('ldid');
    expect(noCpg.features.map((f) => f.properties['社区'])).toEqual(COMMUNITIES);

    const { dbf } = buildDbf(FIELDS, ROWS, 'gbk');
    dbf[29] = 0;
    const sniffed = await readAll(await zipFile(layerFiles('网格', { '网格.cpg': undefined, '网格.dbf': dbf })));
    expect(sniffed.layer).toMatchObject({ encoding: 'gbk', encodingSource: 'sniff' });
    expect(sniffed.features.map((f) => f.properties['网格编码'])).toEqual(CODES);
  });

  it('refuses an empty zip (422)', async () => {
    const err = await gisError(async () => extractShapefile(await zipFile({}), { tmpDir: dir }));
    expect(err.status).toBe(422);
    expect(err.message).toContain('the zip is empty');
  });

  it('refuses a file that is not a zip (400)', async () => {
    const file = path.join(dir, 'not.zip');
    await writeFile(file, 'name,wkt\n');
    const err = await gisError(() => extractShapefile(file, { tmpDir: dir }));
    expect(err.status).toBe(400);
  });

  it('refuses a zip without .shp (422)', async () => {
    const err = await gisError(async () => extractShapefile(await zipFile({ 'a.dbf': buildDbf(FIELDS, ROWS, 'gbk').dbf }), { tmpDir: dir }));
    expect(err.status).toBe(422);
    expect(err.message).toContain('no .shp');
  });

  it('refuses two .shp in one zip unless one is named', async () => {
    const zip = await zipFile({ ...layerFiles('网格'), ...layerFiles('重点区域') });
    const err = await gisError(() => extractShapefile(zip, { tmpDir: dir }));
    expect(err.status).toBe(422);
    expect(err.message).toContain('2 layers');
    expect(err.message).toContain('网格');
    expect(err.message).toContain('重点区域');
    const { extracted } = await readAll(zip, { layer: '重点区域' });
    expect(extracted.layer).toBe('重点区域');
  });

  it('refuses a zip over the size limit, and a zip bomb by its ratio (413)', async () => {
    const zip = await zipFile(layerFiles());
    const err = await gisError(() => extractShapefile(zip, { tmpDir: dir, limits: { maxUncompressedBytes: 500, maxRatio: 100 } }));
    expect(err.status).toBe(413);
    expect(err.message).toMatch(/over the limit of 500/);

    const bomb = await zipFile({ ...layerFiles(), 'padding.bin': Buffer.alloc(20 << 20) });
    const ratio = await gisError(() => extractShapefile(bomb, { tmpDir: dir }));
    expect(ratio.status).toBe(413);
    expect(ratio.message).toMatch(/expands \d+×/);
  });

  it('without a .prj and no CRS given: 422 that says so and suggests the zone from the coordinates', async () => {
    const zip = await zipFile(layerFiles('网格', { '网格.prj': undefined }));
    const extracted = await extractShapefile(zip, { tmpDir: dir });
    const layer = await openShapefile(extracted.files);
    await layer.close();
    await extracted.cleanup();
    expect(layer.prj).toBeUndefined();
    const err = await gisError(() => resolveCrs({ prj: layer.prj, sample: [layer.bbox[0], layer.bbox[1]] }));
    expect(err.status).toBe(422);
    expect(err.message).toContain('no .prj');
    expect(err.message).toContain('EPSG:4526');
    // a stated CRS replaces the .prj
    expect(resolveCrs({ crs: 'EPSG:4526' }).toWgs84(projected[0]![0]!)[0]).toBeCloseTo(SQUARES[0]![0]![0]!, 7);
  });

  it('refuses a .dbf whose count differs from the .shp (422 naming the three numbers)', async () => {
    const { dbf } = buildDbf(FIELDS, ROWS.slice(0, 2), 'gbk');
    const zip = await zipFile(layerFiles('网格', { '网格.dbf': dbf }));
    const extracted = await extractShapefile(zip, { tmpDir: dir });
    const err = await gisError(() => openShapefile(extracted.files));
    await extracted.cleanup();
    expect(err.status).toBe(422);
    expect(err.message).toContain('.shp has 3, .shx 3, .dbf 2');
  });

  it('refuses broken GBK bytes (ff ff) in a declared-GBK attribute and in a sniffed one (422 naming row and bytes)', async () => {
    const { dbf } = buildDbf(FIELDS, ROWS, 'gbk');
    const reader = await DbfReader.open(dbf);
    const at = reader.header.headerLength + reader.header.recordLength + 1 + 15; // row 2, field 社区
    dbf[at] = 0xff;
    dbf[at + 1] = 0xff;
    const declared = await gisError(async () => readAll(await zipFile(layerFiles('网格', { '网格.dbf': dbf }))));
    expect(declared.status).toBe(422);
    expect(declared.message).toContain('ff ff');
    expect(declared.message).toContain('row 2, field 社区');

    dbf[29] = 0;
    const sniffed = await gisError(async () => readAll(await zipFile(layerFiles('网格', { '网格.dbf': dbf, '网格.cpg': undefined }))));
    expect(sniffed.status).toBe(422);
    expect(sniffed.message).toContain('ff ff');
    expect(sniffed.message).toContain('row 2');
  });

  it('skips a deleted DBF row together with its shape', async () => {
    const { dbf } = buildDbf(FIELDS, ROWS, 'gbk');
    const reader = await DbfReader.open(dbf);
    dbf[reader.header.headerLength + reader.header.recordLength] = 0x2a; // row 2
    const { features } = await readAll(await zipFile(layerFiles('网格', { '网格.dbf': dbf })));
    expect(features.map((f) => [f.n, f.properties['网格编码']])).toEqual([
      [1, CODES[0]],
      [3, CODES[2]],
    ]);
    expect((features[1]!.geometry!.coordinates as number[][][])[0]).toEqual(projected[2]);
  });

  it('extracts under our own names whatever the entry path says', async () => {
    // yazl won't write '../' names, so write a placeholder of the same length and patch the bytes
    const files = Object.fromEntries(Object.entries(layerFiles('x')).map(([name, data]) => [`zz/zz/outside/${name}`, data]));
    const bytes = await zipBuffer(files);
    for (let at = bytes.indexOf('zz/zz/'); at >= 0; at = bytes.indexOf('zz/zz/', at)) bytes.write('../../', at);
    const zip = path.join(dir, 'traversal.zip');
    await writeFile(zip, bytes);
    const extracted = await extractShapefile(zip, { tmpDir: dir });
    try {
      expect(extracted.layer).toBe('../../outside/x');
      for (const file of Object.values(extracted.files)) expect(path.dirname(file)).toBe(extracted.dir);
    } finally {
      await extracted.cleanup();
    }
  });

  it('refuses a layer without its .dbf, and a .shp record of another shape type (422)', async () => {
    const noDbf = await gisError(async () => extractShapefile(await zipFile(layerFiles('网格', { '网格.dbf': undefined })), { tmpDir: dir }));
    expect(noDbf.status).toBe(422);
    expect(noDbf.message).toContain('layer 网格 has no .dbf');

    const { shp } = polygonShp(projected);
    const second = 100 + (shp.length - 100) / 3;
    shp.writeInt32LE(3, second + 8); // record 2 claims to be a PolyLine
    const zip = await zipFile(layerFiles('网格', { '网格.shp': shp }));
    const extracted = await extractShapefile(zip, { tmpDir: dir });
    const err = await gisError(() => openShapefile(extracted.files));
    await extracted.cleanup();
    expect(err.status).toBe(422);
    expect(err.message).toContain('record 2 has shape type 3 in a layer of type 5');
  });

  it('decodes GBK entry names that lack the UTF-8 flag', () => {
    expect(entryName(iconv.encode('网格/网格.shp', 'gbk'), 0)).toBe('网格/网格.shp');
    expect(entryName(Buffer.from('网格.shp'), 0x800)).toBe('网格.shp');
  });
});

describe('coordinate systems', () => {
  it('generates CGCS2000 Gauss-Krüger 4491–4554 from the zone formula', () => {
    const def = (code: number) =>
      epsgDefinition(code)!
        .match(/lon_0=(\d+) .*x_0=(\d+)/)!
        .slice(1)
        .map(Number);
    expect(def(4491)).toEqual([75, 13500000]);
    expect(def(4501)).toEqual([135, 23500000]);
    expect(def(4502)).toEqual([75, 500000]);
    expect(def(4512)).toEqual([135, 500000]);
    expect(def(4513)).toEqual([75, 25500000]);
    expect(def(4527)).toEqual([117, 39500000]);
    expect(def(4533)).toEqual([135, 45500000]);
    expect(def(4534)).toEqual([75, 500000]);
    expect(def(4547)).toEqual([114, 500000]);
    expect(def(4554)).toEqual([135, 500000]);
    expect(epsgDefinition(4490)).toContain('longlat');
    expect(epsgDefinition(4555)).toBeUndefined();
    expect(epsgDefinition(4490 + 0.5)).toBeUndefined();
  });

  it('agrees with PostGIS on the plan’s reference points (zone 38 and CM 114°E)', () => {
    for (const [crs, x] of [
      [4526, 38500000],
      [4547, 500000],
    ] as const) {
      const [lon, lat] = converterForEpsg(crs).toWgs84([x, 4400000]);
      expect(Math.abs(lon! - 114)).toBeLessThan(1e-7);
      expect(Math.abs(lat! - 39.734049559)).toBeLessThan(1e-7);
    }
    const [lon, lat] = converterForPrj(PRJ_ZONE_38).toWgs84([38500000, 4400000]);
    expect(Math.abs(lon! - 114)).toBeLessThan(1e-7);
    expect(Math.abs(lat! - 39.734049559)).toBeLessThan(1e-7);
  });

  it('guesses the EPSG code from the coordinates for the message', () => {
    expect(guessEpsg(38512345, 3386000).epsg).toBe(4526);
    expect(guessEpsg(20512345, 3386000).epsg).toBe(4498);
    expect(guessEpsg(13512345, 3386000).epsg).toBe(4491);
    expect(guessEpsg(25512345, 3386000).epsg).toBe(4513);
    expect(guessEpsg(114.3, 30.6).epsg).toBe(4490);
    const noZone = guessEpsg(512345, 3386000);
    expect(noZone.epsg).toBeUndefined();
    expect(noZone.hint).toContain('4534–4554');
  });

  it('refuses an unknown EPSG code and an unreadable .prj (422 quoting its name)', async () => {
    expect((await gisError(() => converterForEpsg('EPSG:2000'))).status).toBe(422);
    const err = await gisError(() => converterForPrj('PROJCS["Made_Up",GEOGCS["x"],PROJECTION["No_Such_Projection"]]'));
    expect(err.status).toBe(422);
    expect(err.message).toContain('Made_Up');
  });

  it('applies GCJ-02 and BD-09 only when declared', () => {
    const wgs = [114.3, 30.6];
    const plain = resolveCrs({ crs: 4490 }).toWgs84(wgs);
    expect(Math.abs(plain[0]! - wgs[0]!) + Math.abs(plain[1]! - wgs[1]!)).toBeLessThan(1e-9);
    const fromGcj = resolveCrs({ crs: 4490, coords: 'gcj02' }).toWgs84(wgs);
    const expected = gcoord.transform([114.3, 30.6], gcoord.GCJ02, gcoord.WGS84);
    expect(Math.abs(fromGcj[0]! - expected[0]) + Math.abs(fromGcj[1]! - expected[1])).toBeLessThan(1e-9);
    // GCJ-02 is offset by a few hundred metres in Wuhan
    const shift = Math.hypot(fromGcj[0]! - wgs[0]!, fromGcj[1]! - wgs[1]!);
    expect(shift).toBeGreaterThan(0.002);
    expect(shift).toBeLessThan(0.01);
    expect(resolveCrs({ crs: 4490, coords: 'bd09' }).toWgs84(wgs)).not.toEqual(fromGcj);
  });
});

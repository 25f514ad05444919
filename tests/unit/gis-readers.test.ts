// Stage 1 of the GIS import (issue 13): the GeoJSON and CSV readers and openLayer, which picks the reader
// by content and extension. Fixtures are written here into a temp dir: GeoJSON in GCJ-02-like lon/lat with
// Chinese properties, GeoJSONSeq, GBK and UTF-8 CSV registers as Excel saves them, and a zipped Shapefile.
import { mkdtemp, readdir } from 'node:fs/promises';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseWkt } from '../../server/gis/formats/csv.ts';
import { buildDbf } from '../../server/gis/formats/dbf.ts';
import { epsgFromCrsMember } from '../../server/gis/formats/geojson.ts';
import type { OpenedLayer, OpenLayerOptions, SourceFeature } from '../../server/gis/formats/layer.ts';
import { openLayer } from '../../server/gis/formats/open-layer.ts';
import { gisError, polygonShp, readOpened, ring, square, uploads, zipBuffer } from '../support/gis-files.ts';

const files = uploads('gis-readers-test');
const upload = files.upload;

async function readLayer(filename: string, content: string | Buffer, options: Partial<OpenLayerOptions> = {}) {
  return readOpened(await openLayer(await upload(filename, content), { filename, ...options }));
}

const openError = async (filename: string, content: string | Buffer, options: Partial<OpenLayerOptions> = {}) =>
  gisError(async () => readLayer(filename, content, options));

describe('GeoJSON', () => {
  const collection = {
    type: 'FeatureCollection',
    name: '网格',
    crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4490' } },
    features: [
      {
        type: 'Feature',
        properties: {
          网格编码: '420102001001001',
          社区: '大智街社区',
          面积: 10234.5,
          有效: true,
          备注: null,
          标签: ['重点', '夜市'],
          负责人: { 姓名: '张三' },
        },
        geometry: { type: 'Polygon', coordinates: [square(114.3052, 30.5928)] },
      },
      { type: 'Feature', properties: { 网格编码: '420102001001002', 社区: '一元路社区' }, geometry: null },
      // malformed geometries are passed on as given: the pipeline validates and reports each feature
      { type: 'Feature', properties: { 网格编码: '420102001001003' }, geometry: { type: 'Polygonn', coordinates: [[1, 2]] } },
      { type: 'Feature', properties: { 网格编码: '420102001001004', 编号: '@BIG@' }, geometry: { type: 'Point', coordinates: 'x' } },
    ],
  };

  it('reads a FeatureCollection with Chinese properties and a crs member', async () => {
    // an 18-digit number, written as JSON text (a JS number would be rounded before it is written)
    const text = JSON.stringify(collection, null, 2).replace('"@BIG@"', '420102001001004123');
    const { layer, features, sample } = await readLayer('网格.geojson', text);
    expect(layer).toMatchObject({ format: 'geojson', name: '网格', declaredEpsg: 4490, count: 4 });
    expect(layer.encoding).toBeUndefined();
    expect(layer.fieldNames).toEqual(['网格编码', '社区', '面积', '有效', '备注', '标签', '负责人', '编号']);
    expect(features.map((f) => f.n)).toEqual([1, 2, 3, 4]);
    expect(features[0]!.properties).toEqual({
      网格编码: '420102001001001',
      社区: '大智街社区',
      面积: 10234.5,
      有效: true,
      备注: null,
      标签: '["重点","夜市"]',
      负责人: '{"姓名":"张三"}',
    });
    expect(features[0]!.geometry).toEqual({ type: 'Polygon', coordinates: [square(114.3052, 30.5928)] });
    expect(features[1]!.geometry).toBeNull();
    expect(features[2]!.geometry).toEqual({ type: 'Polygonn', coordinates: [[1, 2]] });
    expect(features[3]!.geometry).toEqual({ type: 'Point', coordinates: 'x' });
    // an integer too long for a double is kept as its digits
    expect(features[3]!.properties['编号']).toBe('420102001001004123');
    expect(sample).toEqual([114.3052, 30.5928]);
  });

  it('reads newline-delimited GeoJSON and GeoJSONSeq (RFC 8142 record separators)', async () => {
    const lines = [0, 1, 2].map((i) =>
      JSON.stringify({ type: 'Feature', properties: { 名称: `点${i + 1}` }, geometry: { type: 'Point', coordinates: [114.3 + i / 1000, 30.6] } }),
    );
    const ndjson = await readLayer('points.geojsonl', lines.join('\n') + '\n');
    expect(ndjson.layer).toMatchObject({ format: 'geojson', name: 'points', count: 3, fieldNames: ['名称'] });
    expect(ndjson.features.map((f) => [f.n, f.properties['名称']])).toEqual([
      [1, '点1'],
      [2, '点2'],
      [3, '点3'],
    ]);
    const seq = await readLayer('points.geojsons', lines.map((l) => `\x1e${l}\n`).join(''));
    expect(seq.features.map((f) => f.geometry)).toEqual(ndjson.features.map((f) => f.geometry));
  });

  it('reads a single Feature and a bare geometry, with a BOM', async () => {
    const feature = { type: 'Feature', properties: { 名称: '大智街' }, geometry: { type: 'Point', coordinates: [114.3, 30.6] } };
    const one = await readLayer('one.json', '\uFEFF' + JSON.stringify(feature));
    expect(one.layer).toMatchObject({ format: 'geojson', count: 1, fieldNames: ['名称'] });
    expect(one.features).toEqual([{ n: 1, geometry: feature.geometry, properties: { 名称: '大智街' } }]);
    const bare = await readLayer('bare.geojson', '  \n' + JSON.stringify(feature.geometry));
    expect(bare.features).toEqual([{ n: 1, geometry: feature.geometry, properties: {} }]);
    expect(bare.layer.fieldNames).toEqual([]);
  });

  it('reads the old crs member in its forms', () => {
    expect(epsgFromCrsMember({ type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4490' } })).toBe(4490);
    expect(epsgFromCrsMember({ type: 'name', properties: { name: 'EPSG:4547' } })).toBe(4547);
    expect(epsgFromCrsMember('EPSG:4490')).toBe(4490);
    expect(epsgFromCrsMember({ type: 'name', properties: { name: 'http://www.opengis.net/def/crs/EPSG/0/4326' } })).toBe(4326);
    expect(epsgFromCrsMember({ type: 'name', properties: { name: 'urn:ogc:def:crs:OGC:1.3:CRS84' } })).toBe(4326);
    expect(epsgFromCrsMember({ type: 'EPSG', properties: { code: 4490 } })).toBe(4490);
    expect(epsgFromCrsMember({ type: 'link', properties: { href: 'x.prj' } })).toBeUndefined();
  });

  it('refuses text that is not JSON, and JSON cut short, with where (400)', async () => {
    const notJson = await openError('网格.geojson', 'hello, this is not JSON');
    expect(notJson.status).toBe(400);
    expect(notJson.message).toContain('not valid JSON at line 1, column 1 (byte 0)');

    const broken = await openError('网格.geojson', '{"type": "FeatureCollection",\n  "features": [{"type": "Feature" "properties": {}}]}');
    expect(broken.status).toBe(400);
    expect(broken.message).toContain("line 2, column 35 (byte 64): expected ','");

    const text = JSON.stringify(collection);
    const cut = text.slice(0, text.indexOf('一元路') + 2);
    const truncated = await openError('网格.geojson', cut);
    expect(truncated.status).toBe(400);
    expect(truncated.message).toContain('ends in the middle of its JSON');
    expect(truncated.message).toContain(`(byte ${Buffer.byteLength(cut)})`);
  });

  it('refuses JSON that is not GeoJSON, and GeoJSON without features (422)', async () => {
    const plain = await openError('data.json', JSON.stringify({ rows: [{ 名称: '大智街' }] }));
    expect(plain.status).toBe(422);
    expect(plain.message).toContain('not GeoJSON');
    expect(plain.message).toContain('no "type" member');

    const esri = await openError('data.json', JSON.stringify({ geometryType: 'esriGeometryPolygon', spatialReference: { wkid: 4490 }, features: [] }));
    expect(esri.status).toBe(422);
    expect(esri.message).toContain('Esri JSON');

    const empty = await openError('网格.geojson', JSON.stringify({ type: 'FeatureCollection', features: [] }));
    expect(empty.status).toBe(422);
    expect(empty.message).toContain('文件中没有要素');
    expect(empty.message).toContain('the file has no features');
  });

  it('refuses GeoJSON that is not UTF-8, naming the bytes (422)', async () => {
    const gbk = Buffer.concat([Buffer.from('{"type":"Feature","properties":{"名称":"'), iconv.encode('大智街', 'gbk'), Buffer.from('"},"geometry":null}')]);
    const err = await openError('gbk.geojson', gbk);
    expect(err.status).toBe(422);
    expect(err.message).toContain('not valid UTF-8 (bytes b4 f3');
    expect(err.message).toContain(`at byte ${Buffer.byteLength('{"type":"Feature","properties":{"名称":"')}`);
  });

  it('streams 20,000 features one at a time', async () => {
    const parts = ['{"type":"FeatureCollection","features":['];
    for (let i = 0; i < 20_000; i++) {
      const feature = {
        type: 'Feature',
        properties: { 编码: `4201020010${String(i).padStart(5, '0')}` },
        geometry: { type: 'Point', coordinates: [114 + i * 1e-5, 30.6] },
      };
      parts.push((i > 0 ? ',\n' : '') + JSON.stringify(feature));
    }
    parts.push(']}');
    const layer = await openLayer(await upload('big.geojson', parts.join('')), { filename: 'big.geojson' });
    let count = 0;
    let last: SourceFeature | undefined;
    for await (const f of layer.features()) {
      count++;
      last = f;
    }
    await layer.close();
    expect(layer.count).toBe(20_000);
    expect(count).toBe(20_000);
    expect(last).toMatchObject({ n: 20_000, properties: { 编码: '420102001019999' } });
  });
});

describe('CSV', () => {
  const gbkRegister = [
    '网格编码,社区,WKT,备注,,',
    `420102001001001,大智街社区,"MULTIPOLYGON (((${ring(114.3, 30.6)})), ((${ring(114.31, 30.6)})))",正常,,`,
    `420102001001002,一元路社区,"POLYGON ((${ring(114.301, 30.6)}))","夜市周边，多摊点\n另见""台账"", 第3页",,`,
    '420102001001003,车站路社区,"POLYGON ((114.3 30.6, 114.3",边界待核,,',
    ',,,,,',
    '420102001001004,球场街社区,,无边界,,',
  ].join('\r\n');

  it('reads a GBK register with a WKT column as Excel saves it', async () => {
    const { layer, features, sample } = await readLayer('网格台账.csv', iconv.encode(gbkRegister + '\r\n', 'gbk'));
    expect(layer).toMatchObject({ format: 'csv', name: '网格台账', encoding: 'gbk', encodingSource: 'sniff', geometryColumns: { wkt: 'WKT' } });
    // the WKT column is the geometry, not a field; Excel's trailing empty columns are gone
    expect(layer.fieldNames).toEqual(['网格编码', '社区', '备注']);
    expect(layer.count).toBeUndefined();
    // the empty row 4 is skipped but counted, so n stays the row number under the header
    expect(features.map((f) => f.n)).toEqual([1, 2, 3, 5]);
    expect(features[0]).toEqual({
      n: 1,
      properties: { 网格编码: '420102001001001', 社区: '大智街社区', 备注: '正常' },
      geometry: { type: 'MultiPolygon', coordinates: [[square(114.3, 30.6)], [square(114.31, 30.6)]] },
    });
    expect(features[1]!.geometry).toEqual({ type: 'Polygon', coordinates: [square(114.301, 30.6)] });
    expect(features[1]!.properties['备注']).toBe('夜市周边，多摊点\n另见"台账", 第3页');
    expect(features[2]!.geometry).toBeNull();
    expect(features[2]!.geometryError).toMatch(/^WKT 无法解析 the WKT in column WKT can't be read: Expecting .* got 'EOF'/);
    expect(features[2]!.properties['社区']).toBe('车站路社区');
    expect(features[3]).toEqual({ n: 5, properties: { 网格编码: '420102001001004', 社区: '球场街社区', 备注: '无边界' }, geometry: null });
    expect(sample).toEqual([114.3, 30.6]);

    const declared = await readLayer('网格台账.csv', iconv.encode(gbkRegister, 'gbk'), { encoding: 'GB2312' });
    expect(declared.layer).toMatchObject({ encoding: 'gbk', encodingSource: 'request' });
    expect(declared.features.map((f) => f.properties)).toEqual(features.map((f) => f.properties));
  });

  it('reads a UTF-8 CSV with a BOM, ; delimiter and 经度/纬度 columns', async () => {
    const csv = '\uFEFF名称;经度(GCJ02);纬度(GCJ02);类型\r\n大智街夜市;114,3052;30,5928;占道经营\r\n一元路;abc;30.6;\r\n空白点;;;\r\n';
    const { layer, features } = await readLayer('点位.csv', csv, { encoding: 'gbk' });
    // a BOM is certain: it wins over the request
    expect(layer).toMatchObject({ encoding: 'utf-8', encodingSource: 'bom', geometryColumns: { lon: '经度(GCJ02)', lat: '纬度(GCJ02)' } });
    expect(layer.fieldNames).toEqual(['名称', '类型']);
    expect(features).toEqual([
      { n: 1, properties: { 名称: '大智街夜市', 类型: '占道经营' }, geometry: { type: 'Point', coordinates: [114.3052, 30.5928] } },
      {
        n: 2,
        properties: { 名称: '一元路', 类型: null },
        geometry: null,
        geometryError: '经纬度无效 the longitude "abc" (column 经度(GCJ02)) is not a number',
      },
      { n: 3, properties: { 名称: '空白点', 类型: null }, geometry: null },
    ]);
  });

  it('keeps codes as text and reads tab-delimited .txt and Excel’s sep= line', async () => {
    const { layer, features } = await readLayer('codes.csv', 'code,lng,lat,人数\n110101001001001,116.4,39.9,12\n000123,116.5,39.8,\n');
    expect(layer.geometryColumns).toEqual({ lon: 'lng', lat: 'lat' });
    expect(features.map((f) => f.properties)).toEqual([
      { code: '110101001001001', 人数: '12' },
      { code: '000123', 人数: null },
    ]);
    const tab = await readLayer('export.txt', 'id\tthe_geom\n1\tPOINT (114.3 30.6)\n');
    expect(tab.features).toEqual([{ n: 1, properties: { id: '1' }, geometry: { type: 'Point', coordinates: [114.3, 30.6] } }]);
    const sep = await readLayer('sep.csv', 'sep=;\nid;位置\n1;POINT (114.3 30.6)\n');
    // found by content: 位置 is not a WKT name
    expect(sep.layer.geometryColumns).toEqual({ wkt: '位置' });
    expect(sep.features[0]!.geometry).toEqual({ type: 'Point', coordinates: [114.3, 30.6] });
  });

  it('refuses broken GBK bytes, naming row 3 (422), sniffed and declared', async () => {
    const csv = Buffer.concat([
      iconv.encode('名称,wkt\n甲,POINT (1 2)\n乙,POINT (1 2)\n', 'gbk'),
      Buffer.from([0xff, 0xff]),
      iconv.encode('丙,POINT (1 2)\n', 'gbk'),
    ]);
    const sniffed = await openError('bad.csv', csv);
    expect(sniffed.status).toBe(422);
    expect(sniffed.message).toContain('row 3');
    expect(sniffed.message).toContain('ff ff');
    const declared = await openError('bad.csv', csv, { encoding: 'gbk' });
    expect(declared.status).toBe(422);
    expect(declared.message).toContain('row 3, column 名称');
    expect(declared.message).toContain('not valid GBK');
  });

  it('uses the columns it is told, and refuses a CSV without a geometry column, listing its columns (422)', async () => {
    const csv = '名称,边界\n大智街,POINT (114.3 30.6)\n';
    const given = await readLayer('a.csv', csv, { wktColumn: '边界' });
    expect(given.features[0]!.geometry).toEqual({ type: 'Point', coordinates: [114.3, 30.6] });
    const missing = await openError('a.csv', csv, { wktColumn: 'geom' });
    expect(missing.status).toBe(422);
    expect(missing.message).toContain('its columns are 名称, 边界');

    const none = await openError('b.csv', '名称,地址\n大智街,江岸区\n');
    expect(none.status).toBe(422);
    expect(none.message).toContain('its columns are 名称, 地址');
    expect(none.message).toContain('wktColumn');
    expect(none.message).toContain('lonColumn');
  });

  it('refuses an unclosed quote (400) and a value past the header (422)', async () => {
    const quote = await openError('q.csv', 'a,wkt\n"1,POINT (1 2)\n');
    expect(quote.status).toBe(400);
    expect(quote.message).toContain('line 2');
    const extra = await openError('x.csv', 'a,wkt\n1,POINT (1 2),x\n');
    expect(extra.status).toBe(422);
    expect(extra.message).toContain('row 1 has a value in column 3');
  });

  it('parses WKT: lower case, SRID, Z, EMPTY', () => {
    expect(parseWkt('point(1 2)')).toEqual({ type: 'Point', coordinates: [1, 2] });
    expect(parseWkt('SRID=4490;POINT (1 2)')).toEqual({ type: 'Point', coordinates: [1, 2] });
    expect(parseWkt('POINT Z (1 2 3)')).toEqual({ type: 'Point', coordinates: [1, 2, 3] });
    expect(parseWkt('POLYGON EMPTY')).toBeNull();
    expect(parseWkt('GEOMETRYCOLLECTION (POINT (1 2))')).toEqual({ type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [1, 2] }] });
    expect(() => parseWkt('POINT (1 2) x')).toThrow(/Expecting/);
  });
});

describe('openLayer', () => {
  it('opens a zipped Shapefile, and close() removes what it extracted', async () => {
    const { shp, shx } = polygonShp([square(114.3, 30.6).reverse()]);
    const { dbf, cpg } = buildDbf([{ name: '网格编码', type: 'C', length: 15 }], [{ 网格编码: '420102001001001' }], 'gbk');
    const zip = await zipBuffer({
      '数据/网格.shp': shp,
      '数据/网格.shx': shx,
      '数据/网格.dbf': dbf,
      '数据/网格.cpg': cpg,
      '数据/网格.prj': 'GEOGCS["GCS_China_Geodetic_Coordinate_System_2000"]',
    });
    const tmpDir = await mkdtemp(path.join(files.dir(), 'extract-'));
    const layer: OpenedLayer = await openLayer(await upload('upload.zip', zip), { filename: 'upload.zip', tmpDir });
    expect(layer).toMatchObject({ format: 'shapefile', name: '网格', count: 1, encoding: 'gbk', encodingSource: 'cpg', fieldNames: ['网格编码'] });
    expect(layer.prj).toContain('China_Geodetic');
    expect(await layer.samplePosition()).toEqual([114.3, 30.6]);
    const features: SourceFeature[] = [];
    for await (const f of layer.features()) features.push(f);
    expect(features).toHaveLength(1);
    expect(features[0]).toMatchObject({ n: 1, properties: { 网格编码: '420102001001001' }, geometry: { type: 'Polygon' } });
    expect(await readdir(tmpDir)).toHaveLength(1);
    await layer.close();
    await layer.close();
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('chooses by content before the extension', async () => {
    const feature = JSON.stringify({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [1, 2] } });
    expect((await readLayer('export.csv', feature)).layer.format).toBe('geojson');
    expect((await readLayer('features', `[${feature}]`)).layer.format).toBe('geojson');
    // a CSV header in brackets is not JSON
    expect((await readLayer('sql.csv', '[ID],[WKT]\n1,POINT (1 2)\n')).layer.format).toBe('csv');
  });

  it('refuses an empty file and formats it does not read, saying what to upload', async () => {
    const empty = await openError('网格.geojson', '');
    expect(empty.status).toBe(400);
    expect(empty.message).toContain('文件为空 the file is empty');

    const kml = await openError('网格.kml', '<?xml version="1.0"?><kml></kml>');
    expect(kml.status).toBe(400);
    expect(kml.message).toContain('.kml');
    expect(kml.message).toMatch(/Shapefile.*GeoJSON.*CSV/);

    const shp = await openError('网格.shp', polygonShp([square(114.3, 30.6)]).shp);
    expect(shp.status).toBe(422);
    expect(shp.message).toMatch(/\.shp, \.shx, \.dbf and \.prj.*\.zip/);

    const xlsx = await openError('台账.xlsx', await zipBuffer({ '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': '<workbook/>' }));
    expect(xlsx.status).toBe(422);
    expect(xlsx.message).toContain('CSV');
    // the same workbook renamed .zip is still a workbook
    expect((await openError('台账.zip', await zipBuffer({ '[Content_Types].xml': '<Types/>' }))).message).toContain('Excel');
  });
});

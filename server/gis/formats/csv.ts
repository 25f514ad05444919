import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
// @ts-expect-error -- @terraformer/wkt ships no types; wktToGeoJSON is given its type below
import { wktToGeoJSON as untypedWktToGeoJSON } from '@terraformer/wkt';
import { CsvError, parse } from 'csv-parse';
import type { Geometry } from './crs.ts';
import type { DbfValue } from './dbf.ts';
import { decodeStrict, normaliseEncoding, sniffEncoding, type TextEncoding, type TextSample } from './encoding.ts';
import { GisFileError } from './errors.ts';
import { positionSampler } from './geojson.ts';
import type { OpenedLayer, OpenLayerOptions, SourceFeature } from './layer.ts';

const wktToGeoJSON = untypedWktToGeoJSON as (wkt: string) => Geometry & { properties?: unknown };

/** Bytes read to find the BOM, the delimiter and Excel's `sep=` line. */
const HEAD_BYTES = 64 << 10;
/** Data rows read on open to sniff the encoding and find a WKT column by its content. */
const SAMPLE_ROWS = 1000;
/** A row longer than this is an unclosed quote swallowing the file, not a row. */
const MAX_RECORD_BYTES = 64 << 20;
/** Excel keeps at most this many characters in a cell, and cuts longer WKT there when it saves. */
const EXCEL_CELL_LIMIT = 32767;

/** How to read the file's rows: where the text starts (after a BOM), the delimiter, and whether line 1 is Excel's `sep=`. */
interface CsvShape {
  start: number;
  delimiter: string;
  sepLine: boolean;
}

const DELIMITERS = [',', ';', '\t'];

/**
 * The delimiter of the header line: Excel's `sep=;` line when there is one, else whichever of `,` `;` tab the
 * header holds most of outside quotes (`,` when none). Bytes, not text: these are ASCII in GBK and UTF-8 alike.
 */
export function sniffDelimiter(head: Uint8Array): { delimiter: string; sepLine: boolean } {
  let end = head.indexOf(0x0a);
  if (end < 0) end = head.length;
  const first = Buffer.from(head.subarray(0, end)).toString('latin1').replace(/\r$/, '');
  const sep = /^sep=(.)$/i.exec(first);
  if (sep && sep[1] !== '"') return { delimiter: sep[1]!, sepLine: true };
  const counts = new Map(DELIMITERS.map((d) => [d.charCodeAt(0), 0]));
  let quoted = false;
  for (const b of head) {
    if (b === 0x22) quoted = !quoted;
    else if (!quoted && b === 0x0a) break;
    else if (!quoted && counts.has(b)) counts.set(b, counts.get(b)! + 1);
  }
  let best = ',';
  let most = 0;
  for (const d of DELIMITERS) {
    const c = counts.get(d.charCodeAt(0))!;
    if (c > most) [best, most] = [d, c];
  }
  return { delimiter: best, sepLine: false };
}

const syntaxError = (err: CsvError) =>
  new GisFileError(
    400,
    `CSV 格式错误 the CSV can't be read at line ${String(err.lines ?? '?')} (${err.message}): ` +
      'check the quotes ("…") around that line, or save the file again from Excel as CSV',
  );

/** The file's rows as raw cells (bytes: the encoding is settled after the first rows are seen), Excel's `sep=` line skipped. */
async function* rawRows(file: string, shape: CsvShape): AsyncGenerator<Buffer[]> {
  const input = createReadStream(file, { start: shape.start, highWaterMark: 1 << 18 });
  const parser = parse({
    delimiter: shape.delimiter,
    encoding: null,
    bom: false,
    relax_column_count: true,
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_BYTES,
  });
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  let skip = shape.sepLine;
  try {
    for await (const row of parser as AsyncIterable<Buffer[]>) {
      if (skip) skip = false;
      else yield row;
    }
  } catch (err) {
    throw err instanceof CsvError ? syntaxError(err) : err;
  } finally {
    input.destroy();
    parser.destroy();
  }
}

const isBlank = (cell: Uint8Array) => cell.every((b) => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a);
const isAscii = (cell: Uint8Array) => cell.every((b) => b < 0x80);

/** Column names: trimmed, Excel's trailing empty columns dropped, an empty one named 列N, repeats numbered. */
function columnNames(header: Buffer[], encoding: TextEncoding): string[] {
  const texts = header.map((cell, i) => decodeStrict(cell, encoding, `the header, column ${i + 1}`).trim());
  while (texts.length > 0 && texts[texts.length - 1] === '') texts.pop();
  const names: string[] = [];
  texts.forEach((text, i) => {
    let name = text === '' ? `列${i + 1}` : text;
    for (let k = 2; names.includes(name); k++) name = `${text === '' ? `列${i + 1}` : text}_${k}`;
    names.push(name);
  });
  return names;
}

/** A header name reduced for matching: lower case, no blanks, `_` or `-`, a unit or datum in brackets dropped. */
const reduce = (name: string) =>
  name
    .trim()
    .replace(/\s*[(（[【][^()（）[\]【】]*[)）\]】]$/, '')
    .toLowerCase()
    .replace(/[\s_-]/g, '');

const WKT_NAMES = new Set([
  'wkt',
  'wktgeom',
  'geomwkt',
  'geom',
  'geometry',
  'thegeom',
  'shape',
  'wkt坐标',
  '坐标',
  '几何',
  '图形',
  '空间信息',
  '几何信息',
  '空间数据',
  '坐标串',
]);
const LON_NAMES = new Set(['lon', 'lng', 'long', 'longitude', 'x', 'xcoord', 'x坐标', '经度', '东经', 'gps经度']);
const LAT_NAMES = new Set(['lat', 'latitude', 'y', 'ycoord', 'y坐标', '纬度', '北纬', 'gps纬度']);

const WKT_START =
  /^\s*(?:SRID=\d+\s*;\s*)?(?:MULTIPOINT|MULTILINESTRING|MULTIPOLYGON|POINT|LINESTRING|POLYGON|GEOMETRYCOLLECTION)\s*(?:ZM|Z|M)?\s*(?:\(|EMPTY\b)/i;
export const looksLikeWkt = (text: string) => WKT_START.test(text);

export type ResolvedColumns = { wkt: number } | { lon: number; lat: number };

/**
 * The geometry column(s): as given; else a column named like WKT whose values look like WKT; else the first
 * column whose first value is WKT; else longitude and latitude columns by their names.
 */
export function geometryColumns(names: string[], firstValues: (string | undefined)[], options: OpenLayerOptions): ResolvedColumns {
  const list = names.join(', ');
  const find = (wanted: string, what: string) => {
    const exact = names.indexOf(wanted.trim());
    const i = exact >= 0 ? exact : names.findIndex((n) => n.toLowerCase() === wanted.trim().toLowerCase());
    if (i < 0) throw new GisFileError(422, `CSV 中没有列 ${wanted} the CSV has no column "${wanted}" (${what}); its columns are ${list}: name one of them`);
    return i;
  };
  if (options.wktColumn) return { wkt: find(options.wktColumn, 'wktColumn') };
  if (options.lonColumn || options.latColumn) {
    if (!options.lonColumn || !options.latColumn) {
      throw new GisFileError(422, `经纬度列不完整 give both the longitude and the latitude column (lonColumn and latColumn); the CSV's columns are ${list}`);
    }
    return { lon: find(options.lonColumn, 'lonColumn'), lat: find(options.latColumn, 'latColumn') };
  }
  const byName = names.findIndex((n, i) => WKT_NAMES.has(reduce(n)) && (firstValues[i] === undefined || looksLikeWkt(firstValues[i]!)));
  if (byName >= 0) return { wkt: byName };
  const byContent = firstValues.findIndex((v) => v !== undefined && looksLikeWkt(v));
  if (byContent >= 0) return { wkt: byContent };
  const lon = names.findIndex((n) => LON_NAMES.has(reduce(n)));
  const lat = names.findIndex((n) => LAT_NAMES.has(reduce(n)));
  if (lon >= 0 && lat >= 0) return { lon, lat };
  throw new GisFileError(
    422,
    `找不到几何列 the CSV has no column we recognise as its geometry (its columns are ${list}): ` +
      'name the column that holds WKT (wktColumn=…), or the longitude and latitude columns (lonColumn=…&latColumn=…)',
  );
}

/** A jison parse error of @terraformer/wkt ("Parse error on line 1:\n<excerpt>\n---^\nExpecting …") on one line. */
function wktMessage(err: unknown): string {
  const lines = String((err as Error)?.message ?? err).split('\n');
  const caret = lines.findIndex((l) => /^-*\^$/.test(l));
  if (caret < 1) return lines.join(' ').replace(/^Unable to parse:\s*/, '');
  const excerpt = lines[caret - 1]!.slice(0, lines[caret]!.length);
  return `${lines.slice(caret + 1).join(' ')}, after "${excerpt.length > 40 ? '…' + excerpt.slice(-40) : excerpt}"`;
}

/** Without the `properties: {z: true}` the parser adds to a geometry with Z (Z itself is dropped on reprojection). */
function cleanGeometry(g: Geometry & { properties?: unknown }): Geometry {
  if (g.type === 'GeometryCollection') return { type: g.type, geometries: (g.geometries ?? []).map(cleanGeometry) };
  return { type: g.type, coordinates: g.coordinates };
}

/** A WKT cell as GeoJSON: null for `… EMPTY`; throws the parser's message, made readable, for broken WKT. */
export function parseWkt(text: string): Geometry | null {
  const wkt = text
    .trim()
    .replace(/^SRID=\d+\s*;\s*/i, '')
    .toUpperCase();
  if (/^[A-Z]+\s*(?:ZM|Z|M)?\s*EMPTY$/.test(wkt)) return null;
  try {
    return cleanGeometry(wktToGeoJSON(wkt));
  } catch (err) {
    const cut = text.length >= EXCEL_CELL_LIMIT ? ` (the cell has ${text.length} characters: Excel cuts a cell at ${EXCEL_CELL_LIMIT})` : '';
    throw new Error(wktMessage(err) + cut, { cause: err });
  }
}

/** A longitude or latitude cell: `114.3`, `114,3` (a decimal comma, from `;` files), `114.3°`. */
function coordinate(text: string): number | undefined {
  let t = text.trim().replace(/°$/, '');
  if (/^[+-]?\d+,\d+$/.test(t)) t = t.replace(',', '.');
  const v = t === '' ? NaN : Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * Opens a CSV register as Excel saves it: UTF-8 (with or without BOM) or GBK, `,` `;` or tab, quoted cells
 * with newlines, a WKT column or longitude/latitude columns. The encoding is the BOM's, else the request's,
 * else sniffed from the first 1000 rows; every cell is then decoded strictly, so broken bytes are a 422
 * naming the row and column. Cells stay text (codes like 110101001001001 are not numbers); empty cells are null.
 */
export async function openCsv(file: string, options: OpenLayerOptions): Promise<OpenedLayer> {
  const handle = await open(file, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new GisFileError(422, `文件是 UTF-16 编码 the file is UTF-16 (Excel's "Unicode Text"): save it from Excel as "CSV UTF-8" or CSV instead`);
  }
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  const start = bom ? 3 : 0;
  const shape: CsvShape = { start, ...sniffDelimiter(head.subarray(start)) };

  let encoding: TextEncoding | undefined;
  let encodingSource: OpenedLayer['encodingSource'];
  if (bom) [encoding, encodingSource] = ['utf-8', 'bom'];
  else if (options.encoding) {
    encoding = normaliseEncoding(options.encoding);
    if (!encoding) throw new GisFileError(400, `不支持的编码 ${options.encoding} encoding ${options.encoding} is not one we read: say gbk or utf-8`);
    encodingSource = 'request';
  }

  // the header and the first rows: to sniff the encoding, find a WKT column by its content, and know there are rows
  let header: Buffer[] | undefined;
  const samples: TextSample[] = [];
  const firstRaw: (Buffer | undefined)[] = [];
  let dataRows = 0;
  let n = 0;
  for await (const row of rawRows(file, shape)) {
    if (!header) {
      header = row;
      for (const cell of row) if (!isAscii(cell)) samples.push({ bytes: cell, where: 'the header' });
      continue;
    }
    n++;
    if (row.every(isBlank)) continue;
    dataRows++;
    row.forEach((cell, i) => {
      if (!isAscii(cell)) samples.push({ bytes: cell, where: `row ${n}` });
      if (firstRaw[i] === undefined && !isBlank(cell)) firstRaw[i] = cell;
    });
    if (n >= SAMPLE_ROWS) break;
  }
  if (!encoding) [encoding, encodingSource] = [sniffEncoding(samples), 'sniff'];
  const textEncoding = encoding;
  const names = header ? columnNames(header, textEncoding) : [];
  if (names.length === 0) throw new GisFileError(422, '缺少表头 the CSV has no header row: its first row must name the columns');
  if (dataRows === 0) throw new GisFileError(422, '文件中没有要素 the file has no features (no rows after the header): add the rows, or upload the right file');

  // the first value of a column, decoded, to recognise WKT; broken bytes there are reported when the row is read
  const firstValues = names.map((_, i) => {
    try {
      return firstRaw[i] ? decodeStrict(firstRaw[i]!, textEncoding, '').trim() : undefined;
    } catch {
      return undefined;
    }
  });
  const resolved = geometryColumns(names, firstValues, options);
  const geometryIndexes = new Set('wkt' in resolved ? [resolved.wkt] : [resolved.lon, resolved.lat]);
  const propertyColumns = names.map((name, i) => ({ name, i })).filter((c) => !geometryIndexes.has(c.i));
  const srid = 'wkt' in resolved ? /^\s*SRID=(\d+)\s*;/i.exec(firstValues[resolved.wkt] ?? '')?.[1] : undefined;

  const features = async function* (): AsyncGenerator<SourceFeature> {
    let header = true;
    let n = 0;
    for await (const row of rawRows(file, shape)) {
      if (header) {
        header = false;
        continue;
      }
      n++;
      if (row.every(isBlank)) continue;
      const text = (i: number): string | null => {
        const cell = row[i];
        if (!cell || cell.length === 0) return null;
        const value = decodeStrict(cell, textEncoding, `row ${n}, column ${names[i]}`).trim();
        return value === '' ? null : value;
      };
      for (let i = names.length; i < row.length; i++) {
        if (!isBlank(row[i]!)) {
          throw new GisFileError(
            422,
            `列数过多 row ${n} has a value in column ${i + 1}, past the header's ${names.length} columns: ` +
              'a value holding the delimiter must be quoted ("…"); save the file again from Excel, or name the column in the header',
          );
        }
      }
      const properties: Record<string, DbfValue> = {};
      for (const c of propertyColumns) properties[c.name] = text(c.i);
      yield { n, properties, ...rowGeometry(resolved, text, names) };
    }
  };

  return {
    format: 'csv',
    name: path.parse(options.filename).name,
    fieldNames: propertyColumns.map((c) => c.name),
    encoding,
    encodingSource,
    declaredEpsg: srid ? Number(srid) : undefined,
    geometryColumns: 'wkt' in resolved ? { wkt: names[resolved.wkt]! } : { lon: names[resolved.lon]!, lat: names[resolved.lat]! },
    samplePosition: positionSampler(features),
    features,
    close: async () => {},
  };
}

export function rowGeometry(columns: ResolvedColumns, text: (i: number) => string | null, names: string[]): Pick<SourceFeature, 'geometry' | 'geometryError'> {
  if ('wkt' in columns) {
    const wkt = text(columns.wkt);
    if (wkt === null) return { geometry: null };
    try {
      return { geometry: parseWkt(wkt) };
    } catch (err) {
      return { geometry: null, geometryError: `WKT 无法解析 the WKT in column ${names[columns.wkt]} can't be read: ${(err as Error).message}` };
    }
  }
  const lonText = text(columns.lon);
  const latText = text(columns.lat);
  if (lonText === null && latText === null) return { geometry: null };
  const problems: string[] = [];
  const read = (value: string | null, i: number, what: string) => {
    if (value === null) problems.push(`the ${what} (column ${names[i]}) is empty`);
    else {
      const v = coordinate(value);
      if (v === undefined) problems.push(`the ${what} "${value.slice(0, 40)}" (column ${names[i]}) is not a number`);
      return v;
    }
  };
  const lon = read(lonText, columns.lon, 'longitude');
  const lat = read(latText, columns.lat, 'latitude');
  if (lon === undefined || lat === undefined) return { geometry: null, geometryError: `经纬度无效 ${problems.join('; ')}` };
  return { geometry: { type: 'Point', coordinates: [lon, lat] } };
}

import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { finished, pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { converterFromWgs84, prjFor, transformGeometry, type Geometry, type Position } from './crs.ts';
import { DbfWriter, type DbfFieldSpec } from './dbf.ts';
import { encodeText, type TextEncoding } from './encoding.ts';
import { GisFileError } from './errors.ts';
import { orientRing, ShpWriter, type Bbox, type ShapeKind } from './shp-writer.ts';

export type ExportValue = string | number | boolean | null;

/** One feature to export: the geometry in WGS84 lon/lat (null when it has none). */
export interface ExportFeature {
  geometry: Geometry | null;
  properties: Record<string, ExportValue>;
}

export type ExportFieldType = 'text' | 'integer' | 'number' | 'date' | 'boolean';

export interface ExportField {
  /** The property's name in ExportFeature.properties, and the column's (cut to 10 bytes in a .dbf). */
  name: string;
  type: ExportFieldType;
  /** .dbf only: bytes for text (default 254, the most a .dbf holds; longer text is cut at a character). */
  length?: number;
  /** .dbf only: decimals of a number field (default 6). */
  decimals?: number;
}

/** Sync or async: a database cursor's rows mapped one at a time, never an array of the whole layer. */
export type ExportFeatures = AsyncIterable<ExportFeature> | Iterable<ExportFeature>;

export interface StreamOptions {
  /** End `out` when done (default true). On an error it is left open, for the caller to destroy. */
  end?: boolean;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})/;

/** A value as the field's type says it is: numbers finite, dates YYYY-MM-DD, null for what isn't one. */
function normalise(value: ExportValue | undefined, type: ExportFieldType): ExportValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer':
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      return Number.isFinite(n) ? n : null;
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : value === 'true' ? true : value === 'false' ? false : null;
    case 'date': {
      const m = DATE.exec(String(value));
      return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
    }
    default:
      return String(value);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Output with back-pressure

class Sink {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly encode: (text: string) => Buffer = (text) => Buffer.from(text, 'utf8'),
  ) {}

  write(text: string): Promise<void> {
    return this.writeBytes(this.encode(text));
  }

  async writeBytes(bytes: Buffer): Promise<void> {
    this.parts.push(bytes);
    this.size += bytes.length;
    if (this.size >= 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    if (!this.out.write(chunk)) await drained(this.out);
  }

  async end(end: boolean): Promise<void> {
    await this.flush();
    if (end) {
      this.out.end();
      await finished(this.out);
    }
  }
}

function drained(out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: Error) => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => settle();
    const onError = (err: Error) => settle(err);
    const onClose = () => settle(new Error('the output closed before the export was written'));
    out.on('drain', onDrain);
    out.on('error', onError);
    out.on('close', onClose);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Coordinates

/** At most `decimals` decimals, never an exponent, no -0. */
export function formatCoordinate(n: number, decimals = 7): string {
  const f = 10 ** decimals;
  const r = Math.round(n * f) / f;
  if (r === 0) return '0';
  const s = String(r);
  return s.includes('e') ? r.toFixed(decimals).replace(/\.?0+$/, '') : s;
}

const roundTo = (decimals: number) => {
  const f = 10 ** decimals;
  return (p: Position): Position => [Math.round(p[0]! * f) / f + 0, Math.round(p[1]! * f) / f + 0];
};

/** Polygons wound as RFC 7946 says (outer rings counter-clockwise, holes clockwise) and closed. */
function rewind(geometry: Geometry): Geometry {
  const polygon = (rings: Position[][]) => rings.filter((r) => r.length > 0).map((r, k) => orientRing(r, k > 0));
  switch (geometry.type) {
    case 'Polygon':
      return { ...geometry, coordinates: polygon(geometry.coordinates as Position[][]) };
    case 'MultiPolygon':
      return { ...geometry, coordinates: (geometry.coordinates as Position[][][]).map(polygon) };
    case 'GeometryCollection':
      return { ...geometry, geometries: geometry.geometries!.map(rewind) };
    default:
      return geometry;
  }
}

/** WKT of a GeoJSON geometry, coordinates to `decimals` places. */
export function toWkt(geometry: Geometry, decimals = 7): string {
  const pos = (p: Position) => `${formatCoordinate(p[0]!, decimals)} ${formatCoordinate(p[1]!, decimals)}`;
  const list = (ps: Position[]) => `(${ps.map(pos).join(', ')})`;
  const rings = (rs: Position[][]) => `(${rs.map(list).join(', ')})`;
  const tagged = (tag: string, empty: boolean, body: () => string) => (empty ? `${tag} EMPTY` : `${tag} ${body()}`);
  const c = geometry.coordinates as never[];
  switch (geometry.type) {
    case 'Point':
      return tagged('POINT', !c || c.length === 0, () => `(${pos(c as unknown as Position)})`);
    case 'MultiPoint':
      return tagged('MULTIPOINT', !c || c.length === 0, () => `(${(c as Position[]).map((p) => `(${pos(p)})`).join(', ')})`);
    case 'LineString':
      return tagged('LINESTRING', !c || c.length === 0, () => list(c as Position[]));
    case 'MultiLineString':
      return tagged('MULTILINESTRING', !c || c.length === 0, () => rings(c as Position[][]));
    case 'Polygon':
      return tagged('POLYGON', !c || c.length === 0, () => rings(c as Position[][]));
    case 'MultiPolygon':
      return tagged('MULTIPOLYGON', !c || c.length === 0, () => `(${(c as Position[][][]).map(rings).join(', ')})`);
    case 'GeometryCollection': {
      const gs = geometry.geometries ?? [];
      return tagged('GEOMETRYCOLLECTION', gs.length === 0, () => `(${gs.map((g) => toWkt(g, decimals)).join(', ')})`);
    }
    default:
      throw new GisFileError(422, `无法导出的几何类型 ${geometry.type} is not a GeoJSON geometry type: fix the feature's geometry`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// GeoJSON

export interface GeoJsonOptions extends StreamOptions {
  /** The properties to write, in this order, as their types say; without it, each feature's properties as they are. */
  fields?: ExportField[];
  /** Decimal places of the coordinates, at most (and by default) 7: about 1 cm. */
  precision?: number;
}

/**
 * A GeoJSON FeatureCollection as RFC 7946 has it (WGS84 only, so no `crs` member; outer rings
 * counter-clockwise; at most 7 decimals), written feature by feature. Returns the number of features.
 */
export async function writeGeoJson(features: ExportFeatures, out: NodeJS.WritableStream, options: GeoJsonOptions = {}): Promise<{ count: number }> {
  const precision = Math.max(0, Math.min(7, Math.floor(options.precision ?? 7)));
  const round = roundTo(precision);
  const sink = new Sink(out);
  let count = 0;
  await sink.write('{"type":"FeatureCollection","features":[');
  for await (const feature of features) {
    const geometry = feature.geometry ? rewind(transformGeometry(feature.geometry, round)) : null;
    let properties: Record<string, ExportValue>;
    if (options.fields) {
      properties = {};
      for (const f of options.fields) properties[f.name] = normalise(feature.properties[f.name], f.type);
    } else {
      properties = {};
      for (const [k, v] of Object.entries(feature.properties)) properties[k] = typeof v === 'number' && !Number.isFinite(v) ? null : v;
    }
    await sink.write((count === 0 ? '\n' : ',\n') + JSON.stringify({ type: 'Feature', geometry, properties }));
    count++;
  }
  await sink.write('\n]}\n');
  await sink.end(options.end ?? true);
  return { count };
}

// ---------------------------------------------------------------------------------------------------------
// CSV

export interface CsvOptions extends StreamOptions {
  fields: ExportField[];
  /** utf-8 is written with a BOM, so that Excel reads it as UTF-8; gbk for older tools (unencodable characters become ?). */
  encoding: TextEncoding;
  geometry: 'wkt';
}

/** RFC 4180: a value with a comma, quote or line break is quoted, quotes doubled. */
export function csvCell(value: ExportValue): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * CSV as RFC 4180 has it (CRLF, quoting), the fields' columns then the geometry as WKT (WGS84, 7 decimals) in
 * a column `wkt` (`geometry_wkt` if a field is already called wkt); an empty cell for no geometry.
 */
export async function writeCsv(features: ExportFeatures, out: NodeJS.WritableStream, options: CsvOptions): Promise<{ count: number; header: string[] }> {
  if (options.geometry !== 'wkt') throw new RangeError(`geometry ${String(options.geometry)}: only wkt is written`);
  const encoding = options.encoding;
  const sink = new Sink(out, (text) => (encoding === 'utf-8' ? Buffer.from(text, 'utf8') : encodeText(text, 'gbk')));
  const wktColumn = options.fields.some((f) => f.name.toLowerCase() === 'wkt') ? 'geometry_wkt' : 'wkt';
  const header = [...options.fields.map((f) => f.name), wktColumn];
  if (encoding === 'utf-8') await sink.write('\uFEFF');
  await sink.write(header.map(csvCell).join(',') + '\r\n');
  let count = 0;
  for await (const feature of features) {
    const cells = options.fields.map((f) => csvCell(normalise(feature.properties[f.name], f.type)));
    cells.push(feature.geometry ? csvCell(toWkt(feature.geometry)) : '');
    await sink.write(cells.join(',') + '\r\n');
    count++;
  }
  await sink.end(options.end ?? true);
  return { count, header };
}

// ---------------------------------------------------------------------------------------------------------
// Zipped Shapefile

/** Cuts `text` to at most `bytes` bytes in `encoding`, at a character. */
function cutToBytes(text: string, bytes: number, encoding: TextEncoding): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const n = encodeText(ch, encoding).length;
    if (used + n > bytes) break;
    out += ch;
    used += n;
  }
  return out;
}

/** Control characters (U+0000–U+001F) replaced by `by`. */
const replaceControls = (text: string, by: string) => Array.from(text, (ch) => (ch.charCodeAt(0) < 0x20 ? by : ch)).join('');

/**
 * .dbf field names for the fields: at most 10 bytes in the encoding (cut at a character, so 网格编码 fits in
 * GBK but is cut to 网格编 in UTF-8), unique without regard to case (a cut name that collides gets _1, _2…).
 */
export function dbfFieldNames(names: string[], encoding: TextEncoding): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    const clean = replaceControls(name, '').trim() || 'FIELD';
    let candidate = cutToBytes(clean, 10, encoding) || 'FIELD';
    for (let k = 1; taken.has(candidate.toLowerCase()); k++) {
      const suffix = `_${k}`;
      candidate = cutToBytes(clean, 10 - suffix.length, encoding) + suffix;
    }
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}

function dbfSpec(field: ExportField, name: string): DbfFieldSpec {
  switch (field.type) {
    case 'integer':
      return { name, type: 'N', length: 18, decimals: 0 };
    case 'number': {
      const decimals = Math.max(0, Math.min(15, field.decimals ?? 6));
      return { name, type: 'N', length: Math.min(254, 18 + decimals + 1), decimals };
    }
    case 'date':
      return { name, type: 'D' };
    case 'boolean':
      return { name, type: 'L' };
    default:
      return { name, type: 'C', length: Math.max(1, Math.min(254, field.length ?? 254)) };
  }
}

/** A name for the zip's entries: no path separators or characters Windows refuses; `layer` if nothing is left. */
export function safeLayerName(name: string): string {
  const clean = replaceControls(name, '_')
    .replace(/[\\/:*?"<>|]/g, '_')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, 100);
  return clean === '' ? 'layer' : clean;
}

export interface ShapefileZipOptions {
  /** The name of the files in the zip (`${layerName}.shp`…); Chinese is fine (the zip says its names are UTF-8). */
  layerName: string;
  fields: ExportField[];
  /** Of the .dbf text, said by the .cpg and the LDID. */
  encoding: TextEncoding;
  /** The EPSG code to write in (features come in WGS84); its .prj goes in the zip. */
  crs: number | string;
  /** The geometry family, when the layer's is known; else the first non-null geometry chooses it. */
  kind?: ShapeKind;
  /** Where the layer's files are written before zipping (a temp directory under it, removed after). */
  tmpDir?: string;
  /** The zip entries' date (default now). */
  mtime?: Date;
}

export interface ShapefileZipResult {
  count: number;
  /** 0 when every geometry was null, else 1, 3 or 5. */
  shapeType: number;
  /** In the target CRS; undefined when every geometry was null. */
  bbox: Bbox | undefined;
  /** Each field and the name it has in the .dbf. */
  fields: { name: string; dbfName: string }[];
  /** The zip's entry names. */
  entries: string[];
}

/**
 * A zipped Shapefile layer (.shp .shx .dbf .prj .cpg) written feature by feature into a temp directory, then
 * zipped into `outZipPath`. Features come in WGS84 and are reprojected to `crs`. A 422 when the layer
 * can't be a Shapefile: an unknown CRS, mixed geometry families, a value too large for its .dbf field.
 */
export async function writeShapefileZip(features: ExportFeatures, outZipPath: string, options: ShapefileZipOptions): Promise<ShapefileZipResult> {
  const target = converterFromWgs84(options.crs);
  const prj = prjFor(target.epsg);
  if (options.fields.length > 255) {
    throw new GisFileError(
      422,
      `字段过多 a .dbf holds at most 255 fields, the export has ${options.fields.length}: choose fewer fields, or export as GeoJSON or CSV`,
    );
  }
  const dbfNames = dbfFieldNames(
    options.fields.map((f) => f.name),
    options.encoding,
  );
  // at least one field: a .dbf without fields is one many GIS won't open
  const specs = options.fields.length > 0 ? options.fields.map((f, i) => dbfSpec(f, dbfNames[i]!)) : [{ name: 'ID', type: 'N' as const, length: 10 }];
  const dbf = new DbfWriter(specs, options.encoding);
  const layer = safeLayerName(options.layerName);
  const reproject = target.epsg === 4326 ? undefined : target.fromWgs84;

  const dir = await mkdtemp(path.join(options.tmpDir ?? os.tmpdir(), 'zhihui-export-'));
  const file = (ext: string) => path.join(dir, `layer.${ext}`);
  let shp: ShpWriter | undefined;
  let dbfOut: NodeJS.WritableStream | undefined;
  try {
    shp = await ShpWriter.create(file('shp'), file('shx'), options.kind);
    const dbfStream = createWriteStream(file('dbf'));
    dbfOut = dbfStream;
    const dbfSink = new Sink(dbfStream);
    // the .dbf's header is written again with the count once it is known
    await dbfSink.writeBytes(dbf.header(0));
    let count = 0;
    for await (const feature of features) {
      const n = count + 1;
      const geometry = feature.geometry && reproject ? transformGeometry(feature.geometry, reproject) : feature.geometry;
      await shp.write(geometry);
      const values: Record<string, unknown> = {};
      if (options.fields.length === 0) values.ID = n;
      options.fields.forEach((f, i) => {
        const value = normalise(feature.properties[f.name], f.type);
        const spec = dbf.fields[i]!;
        // toFixed writes 1e+21 and over as an exponent, which a .dbf number can't hold
        if (typeof value === 'number' && spec.type === 'N') {
          const text = value.toFixed(spec.decimals);
          if (text.includes('e') || text.length > spec.length) {
            throw new GisFileError(
              422,
              `数值超出 Shapefile 字段宽度 record ${n}, field ${f.name}: ${value} does not fit a .dbf number of ${spec.length} characters: export this layer as GeoJSON or CSV, which have no field widths`,
            );
          }
        }
        values[dbfNames[i]!] = value;
      });
      await dbfSink.writeBytes(dbf.record(values));
      count = n;
    }
    await dbfSink.writeBytes(DbfWriter.EOF);
    await dbfSink.end(true);
    dbfOut = undefined;
    const handle = await open(file('dbf'), 'r+');
    try {
      const header = dbf.header(count);
      await handle.write(header, 0, header.length, 0);
    } finally {
      await handle.close();
    }
    const written = await shp.close();
    shp = undefined;
    await writeFile(file('prj'), prj);
    await writeFile(file('cpg'), dbf.cpg);

    const zip = new yazl.ZipFile();
    const mtime = options.mtime ?? new Date();
    const entries = ['shp', 'shx', 'dbf', 'prj', 'cpg'].map((ext) => {
      // yazl writes every name as UTF-8 with the zip's language-encoding flag (bit 11) set
      const name = `${layer}.${ext}`;
      zip.addFile(file(ext), name, { mtime });
      return name;
    });
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(outZipPath));
    return {
      count,
      shapeType: written.shapeType,
      bbox: written.bbox,
      fields: options.fields.map((f, i) => ({ name: f.name, dbfName: dbfNames[i]! })),
      entries,
    };
  } catch (err) {
    await shp?.abort().catch(() => undefined);
    (dbfOut as { destroy?: () => void } | undefined)?.destroy?.();
    await rm(outZipPath, { force: true }).catch(() => undefined);
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

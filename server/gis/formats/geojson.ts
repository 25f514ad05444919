import { createReadStream } from 'node:fs';
import path from 'node:path';
import { jsonParser, type Token } from 'stream-json/parser.js';
import { jsonVerifier } from 'stream-json/utils/verifier.js';
import type { Geometry, Position } from './crs.ts';
import type { DbfValue } from './dbf.ts';
import { GisFileError, hex } from './errors.ts';
import type { OpenedLayer, OpenLayerOptions, SourceFeature } from './layer.ts';

// stream-json's parser and verifier are stream-chain "flushables": called with text they answer the tokens
// so far as a `many` (or `none`), called with `none` they flush. Both markers are registered symbols, so
// they are spelled here rather than imported from stream-chain, which is not a dependency of ours.
const NONE = Symbol.for('object-stream.none');
const MANY = Symbol.for('object-stream.many');
type Flushable = (chunk: string | symbol) => unknown;
const tokensOf = (out: unknown): Token[] => (out !== null && typeof out === 'object' && MANY in out ? (out as unknown as { values: Token[] }).values : []);

const READ_CHUNK = 1 << 18;
/** More distinct property names than any real layer has (a .dbf holds at most 255). */
const MAX_FIELDS = 1000;

export const GEOMETRY_TYPES = new Set(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection']);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

/** The first position of a geometry (of its first part); undefined when it has none or is malformed. */
export function firstPosition(geometry: Geometry | null | undefined): Position | undefined {
  if (!isObject(geometry)) return undefined;
  if (geometry.type === 'GeometryCollection') {
    for (const g of Array.isArray(geometry.geometries) ? geometry.geometries : []) {
      const p = firstPosition(g);
      if (p) return p;
    }
    return undefined;
  }
  let c: unknown = geometry.coordinates;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
  return Array.isArray(c) && c.length >= 2 && typeof c[0] === 'number' && typeof c[1] === 'number' ? (c as Position) : undefined;
}

/** samplePosition() for any reader: the first position of the first feature that has one, remembered. */
export function positionSampler(features: () => AsyncGenerator<SourceFeature>): () => Promise<Position | undefined> {
  let sample: Promise<Position | undefined> | undefined;
  return () =>
    (sample ??= (async () => {
      for await (const f of features()) {
        const p = firstPosition(f.geometry);
        if (p) return p;
      }
      return undefined;
    })());
}

/**
 * The EPSG code an old-style (2008) GeoJSON `crs` member names: `{"type":"name","properties":{"name":
 * "urn:ogc:def:crs:EPSG::4490"}}`, `EPSG:4490`, an opengis.net URL, `{"type":"EPSG","properties":{"code":4490}}`;
 * OGC CRS84 is 4326. Undefined for anything else (a linked CRS, a name we don't know).
 */
export function epsgFromCrsMember(crs: unknown): number | undefined {
  const props = isObject(crs) && isObject(crs.properties) ? crs.properties : undefined;
  if (props && typeof props.code === 'number' && Number.isInteger(props.code)) return props.code;
  const name = typeof crs === 'string' ? crs : typeof props?.name === 'string' ? props.name : undefined;
  if (!name) return undefined;
  if (/CRS:?84$/i.test(name.trim())) return 4326;
  const code = /EPSG\b.*?(\d+)\s*$/i.exec(name)?.[1];
  return code ? Number(code) : undefined;
}

/** Properties as the pipeline takes them: scalars kept, nested objects and arrays as their JSON text. */
function toProperties(value: unknown): Record<string, DbfValue> {
  const properties: Record<string, DbfValue> = {};
  if (!isObject(value)) return properties;
  for (const [key, v] of Object.entries(value)) {
    properties[key] = v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v);
  }
  return properties;
}

/**
 * One element of a `features` array (or a top-level Feature) as a SourceFeature. The geometry is passed on as
 * given, however malformed its coordinates: the pipeline validates each feature and reports it by `n`.
 */
export function toSourceFeature(n: number, value: unknown): SourceFeature {
  if (!isObject(value)) {
    return { n, geometry: null, properties: {}, geometryError: `要素不是对象 feature ${n} is ${describe(value)}, not a GeoJSON Feature object` };
  }
  // a bare geometry where a Feature belongs: take it as the geometry of a feature without properties
  const bare = !('geometry' in value) && typeof value.type === 'string' && GEOMETRY_TYPES.has(value.type);
  const geometry = bare ? value : value.geometry;
  const properties = toProperties(value.properties);
  if (geometry === null || geometry === undefined) return { n, geometry: null, properties };
  if (isObject(geometry) && typeof geometry.type === 'string') return { n, geometry: geometry as unknown as Geometry, properties };
  return { n, geometry: null, properties, geometryError: `几何无效 the geometry of feature ${n} is ${describe(geometry)}, not a GeoJSON geometry object` };
}

/** Numbers as JSON.parse reads them, except integers too long for a double (18-digit ids), kept as their text. */
function toNumber(text: string): number | string {
  const n = Number(text);
  return text.length < 16 || Number.isSafeInteger(n) || !/^-?\d+$/.test(text) ? n : text;
}

/** A JSON value built token by token (stream-json's Assembler, with our number rule). */
class ValueBuilder {
  private stack: (unknown[] | Record<string, unknown>)[] = [];
  private key: string | undefined;
  value: unknown;
  done = false;

  token(t: Token): void {
    switch (t.name) {
      case 'startObject':
        this.open({});
        break;
      case 'startArray':
        this.open([]);
        break;
      case 'endObject':
      case 'endArray': {
        const closed = this.stack.pop();
        if (this.stack.length === 0) {
          this.value = closed;
          this.done = true;
        }
        break;
      }
      case 'keyValue':
        this.key = t.value;
        break;
      case 'stringValue':
        this.put(t.value);
        break;
      case 'numberValue':
        this.put(toNumber(t.value));
        break;
      case 'nullValue':
        this.put(null);
        break;
      case 'trueValue':
        this.put(true);
        break;
      case 'falseValue':
        this.put(false);
        break;
    }
  }

  private open(container: unknown[] | Record<string, unknown>): void {
    if (this.stack.length > 0) this.put(container);
    this.stack.push(container);
  }

  private put(value: unknown): void {
    const parent = this.stack[this.stack.length - 1]!;
    if (Array.isArray(parent)) parent.push(value);
    // like JSON.parse: an own property, never the prototype
    else if (this.key === '__proto__') Object.defineProperty(parent, this.key, { value, writable: true, enumerable: true, configurable: true });
    else parent[this.key!] = value;
  }
}

/** What the first pass needs of a feature, taken from its tokens without building it: its type and property names. */
class FeatureSkimmed {
  type: unknown;
  array = false;
  propertyNames: string[] = [];
}

class FeatureSkimmer {
  private depth = 0;
  private key: string | undefined;
  private inProperties = false;
  readonly value = new FeatureSkimmed();
  done = false;

  token(t: Token): void {
    switch (t.name) {
      case 'startObject':
      case 'startArray':
        if (this.depth === 0) this.value.array = t.name === 'startArray';
        if (++this.depth === 2) this.inProperties = this.key === 'properties' && t.name === 'startObject';
        break;
      case 'endObject':
      case 'endArray':
        if (--this.depth === 0) this.done = true;
        break;
      case 'keyValue':
        if (this.depth === 1) this.key = t.value;
        else if (this.depth === 2 && this.inProperties) this.value.propertyNames.push(t.value);
        break;
      case 'stringValue':
        if (this.depth === 1 && this.key === 'type') this.value.type = t.value;
        break;
    }
  }
}

/** A top-level JSON value of the file (a FeatureCollection, a Feature, a geometry, a line of GeoJSONSeq…). */
interface TopValue {
  /** From 1, for messages. */
  index: number;
  container: 'object' | 'array' | 'scalar';
  /** The object's members, assembled, except a `features` array, which is streamed element by element. */
  members: Record<string, unknown>;
  /** It had a `features` array. */
  hasFeatures: boolean;
  /** A scalar top-level value, for the message. */
  scalar?: unknown;
}

type WalkItem = { kind: 'element'; top: TopValue; value: unknown } | { kind: 'top'; top: TopValue };

const SCALARS: Partial<Record<Token['name'], true>> = { stringValue: true, numberValue: true, nullValue: true, trueValue: true, falseValue: true };
const scalarOf = (t: Token): unknown => (t.name === 'numberValue' ? toNumber(t.value) : 'value' in t ? t.value : undefined);

/**
 * Walks the tokens of a GeoJSON file, or of many (GeoJSONSeq), keeping one feature in memory at a time:
 * the elements of a top-level `features` array (or of a top-level array) come out one by one as they
 * complete; the other members of a top-level object are assembled and come out with it at its end.
 */
class GeoJsonWalker {
  out: WalkItem[] = [];
  private depth = 0;
  private top: TopValue | undefined;
  private tops = 0;
  private key: string | undefined;
  private inFeatures = false;
  private builder: ValueBuilder | FeatureSkimmer | undefined;
  /** Where the value being built goes: a feature, or the top-level member of that name. */
  private target: { element: true } | { member: string } = { element: true };

  /** skim: features are only skimmed (the first pass), not built. */
  constructor(private readonly skim: boolean) {}

  token(t: Token): void {
    if (this.builder) {
      this.builder.token(t);
      if (this.builder.done) this.deliver(this.builder.value);
      return;
    }
    const start = t.name === 'startObject' || t.name === 'startArray';
    if (this.depth === 0) {
      const top: TopValue = { index: ++this.tops, container: 'scalar', members: {}, hasFeatures: false };
      if (start) {
        top.container = t.name === 'startObject' ? 'object' : 'array';
        this.top = top;
        this.depth = 1;
        this.key = undefined;
      } else if (SCALARS[t.name]) this.out.push({ kind: 'top', top: { ...top, scalar: scalarOf(t) } });
      return;
    }
    const top = this.top!;
    // inside the top-level array, or the `features` array of the top-level object: each element is a feature
    if ((this.depth === 1 && top.container === 'array') || (this.depth === 2 && this.inFeatures)) {
      if (t.name === 'endArray') {
        if (this.depth === 1) this.endTop();
        else {
          this.inFeatures = false;
          this.depth = 1;
        }
      } else if (start) this.build(t, { element: true });
      else if (SCALARS[t.name]) this.out.push({ kind: 'element', top, value: scalarOf(t) });
      return;
    }
    // depth 1 in the top-level object: its members
    if (t.name === 'keyValue') this.key = t.value;
    else if (t.name === 'endObject') this.endTop();
    else if (this.key === 'features' && t.name === 'startArray' && !top.hasFeatures) {
      top.hasFeatures = true;
      this.inFeatures = true;
      this.depth = 2;
    } else if (start) this.build(t, { member: this.key! });
    else if (SCALARS[t.name]) top.members[this.key!] = scalarOf(t);
  }

  private build(t: Token, target: { element: true } | { member: string }): void {
    this.builder = this.skim && !('member' in target) ? new FeatureSkimmer() : new ValueBuilder();
    this.target = target;
    this.builder.token(t);
  }

  private deliver(value: unknown): void {
    this.builder = undefined;
    if ('member' in this.target) this.top!.members[this.target.member] = value;
    else this.out.push({ kind: 'element', top: this.top!, value });
  }

  private endTop(): void {
    this.out.push({ kind: 'top', top: this.top! });
    this.top = undefined;
    this.depth = 0;
  }
}

/**
 * The offset of the first byte sequence in `bytes` that is not UTF-8, or -1; a sequence cut off by the end
 * of `bytes` is not counted (the next chunk may complete it).
 */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const n = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    if (n === 0) return i;
    for (let k = 1; k <= n; k++) {
      if (i + k >= bytes.length) return -1;
      const c = bytes[i + k]!;
      // the second byte's range excludes overlong forms, surrogates and code points past U+10FFFF
      const lo = k === 1 && b === 0xe0 ? 0xa0 : k === 1 && b === 0xf0 ? 0x90 : 0x80;
      const hi = k === 1 && b === 0xed ? 0x9f : k === 1 && b === 0xf4 ? 0x8f : 0xbf;
      if (c < lo || c > hi) return i;
    }
    i += n + 1;
  }
  return -1;
}

/** How many bytes at the end of `bytes` begin a character that continues past it (0–3). */
function openTail(bytes: Uint8Array): number {
  for (let k = 1; k <= Math.min(3, bytes.length); k++) {
    const b = bytes[bytes.length - k]!;
    if ((b & 0xc0) === 0x80) continue;
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return length > k ? k : 0;
  }
  return 0;
}

const notUtf8 = (bytes: Uint8Array, offset: number) =>
  new GisFileError(
    422,
    `文字编码不是 UTF-8 the file is not valid UTF-8 (bytes ${hex(bytes)} at byte ${offset}), and GeoJSON is always UTF-8: ` +
      'save it again as UTF-8 (its text is probably GBK), or export the layer as a zipped Shapefile',
  );

interface DecodedChunk {
  text: string;
  /** Byte offset in the file of the chunk's first character. */
  byteStart: number;
}

/**
 * The file's text, chunk by chunk, decoded as strict UTF-8 (a leading BOM dropped) and with the record
 * separators of RFC 8142 GeoJSON text sequences turned into blanks, which keeps every offset.
 */
async function* decodedChunks(file: string): AsyncGenerator<DecodedChunk> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let bytesIn = 0;
  let byteStart = 0;
  let carry = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      // the decoder held the start of a character from the previous chunk: scan from there
      const window = Buffer.concat([carry, chunk]);
      const at = firstInvalidUtf8(window);
      throw notUtf8(window.subarray(Math.max(0, at), Math.max(0, at) + 4), at >= 0 ? bytesIn - carry.length + at : bytesIn);
    }
    if (bytesIn === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) byteStart = 3;
    const end = chunk.length >= 3 ? chunk : Buffer.concat([carry, chunk]);
    carry = Buffer.from(end.subarray(end.length - openTail(end)));
    bytesIn += chunk.length;
    if (text.length === 0) continue;
    if (text.includes('\x1e')) text = text.replaceAll('\x1e', ' ');
    yield { text, byteStart };
    byteStart += Buffer.byteLength(text);
  }
  try {
    const rest = decoder.decode();
    if (rest) yield { text: rest, byteStart };
  } catch {
    throw notUtf8(carry, bytesIn - carry.length);
  }
}

/** Tokens of the whole file: one JSON value, or many one after another (GeoJSONSeq, newline-delimited). */
async function* fileTokens(file: string): AsyncGenerator<Token[]> {
  const parse = jsonParser({ packValues: true, streamValues: false, jsonStreaming: true }) as unknown as Flushable;
  try {
    for await (const chunk of decodedChunks(file)) yield tokensOf(parse(chunk.text));
    yield tokensOf(parse(NONE));
  } catch (err) {
    if (err instanceof GisFileError) throw err;
    throw await locateJsonError(file, err as Error);
  }
}

/** What a file cut off in the middle of a literal or number ends with, from where the verifier stops. */
const PARTIAL_VALUE = /^\s*(?:t(?:r(?:ue?)?)?|f(?:a(?:l(?:se?)?)?)?|n(?:u(?:ll?)?)?|-)?\s*$/;

/**
 * Where the JSON breaks, as line, column and byte, from a second read with stream-json's verifier (the
 * parser that found the error doesn't say where), and whether the file was cut short: an error found only
 * at the end, where a value was still open. Only ever run on a broken file.
 */
async function locateJsonError(file: string, parserError: Error): Promise<GisFileError> {
  const verify = jsonVerifier({ jsonStreaming: true }) as unknown as Flushable;
  // the last two chunks, to turn the verifier's character offset into a byte offset
  const kept: (DecodedChunk & { charStart: number })[] = [];
  let chars = 0;
  let bytes = 0;
  let atEnd = false;
  try {
    for await (const chunk of decodedChunks(file)) {
      kept.push({ ...chunk, charStart: chars });
      if (kept.length > 2) kept.shift();
      chars += chunk.text.length;
      bytes = chunk.byteStart + Buffer.byteLength(chunk.text);
      verify(chunk.text);
    }
    atEnd = true;
    verify(NONE);
  } catch (err) {
    if (err instanceof GisFileError) return err;
    const e = err as Error & { line?: number; pos?: number; offset?: number };
    if (typeof e.offset === 'number') {
      const offset = e.offset;
      const i = kept.findIndex((c) => offset >= c.charStart && offset <= c.charStart + c.text.length);
      const chunk = kept[i];
      const byte = chunk ? chunk.byteStart + Buffer.byteLength(chunk.text.slice(0, offset - chunk.charStart)) : bytes;
      const rest = chunk
        ? kept
            .slice(i)
            .reduce((text, c) => text + c.text, '')
            .slice(offset - chunk.charStart)
        : '';
      const reason = e.message.replace(/^ERROR at [^:]*:\s*/, '').replace(/^Verifier (cannot parse input: |has )/, '');
      const where = `line ${e.line}, column ${e.pos} (byte ${byte})`;
      if (atEnd && (offset >= chars || PARTIAL_VALUE.test(rest))) {
        return new GisFileError(
          400,
          `JSON 不完整 the file ends in the middle of its JSON, at ${where} (${reason}): it was cut short; upload it again, or export it again`,
        );
      }
      return new GisFileError(400, `JSON 格式错误 the file is not valid JSON at ${where}: ${reason}: fix it there, or export the layer again as GeoJSON`);
    }
  }
  return new GisFileError(400, `JSON 格式错误 the file is not valid JSON (${parserError.message}, near byte ${bytes}): export the layer again as GeoJSON`);
}

/** The walker's items, a chunk of the file at a time. */
async function* walk(file: string, skim: boolean): AsyncGenerator<WalkItem[]> {
  const walker = new GeoJsonWalker(skim);
  for await (const tokens of fileTokens(file)) {
    for (const t of tokens) walker.token(t);
    if (walker.out.length === 0) continue;
    yield walker.out;
    walker.out = [];
  }
}

const notGeoJson = (why: string, fix = 'export the layer as GeoJSON (a FeatureCollection of Features)') =>
  new GisFileError(422, `不是 GeoJSON the file is JSON but not GeoJSON: ${why}: ${fix}`);

/** Checks that a complete top-level value is GeoJSON: a FeatureCollection, a Feature, a geometry or an array of Features. */
function checkTop(top: TopValue): void {
  const where = top.index > 1 ? `JSON value ${top.index} of the file` : 'the top-level value';
  if (top.container === 'scalar') throw notGeoJson(`${where} is ${describe(top.scalar)}`);
  if (top.container === 'array') return;
  const { members } = top;
  const type = members.type;
  if (top.hasFeatures && type === 'FeatureCollection') return;
  if (type === 'Feature' || (typeof type === 'string' && GEOMETRY_TYPES.has(type))) {
    if (!top.hasFeatures) return;
  }
  if ('spatialReference' in members || 'geometryType' in members || 'fieldAliases' in members) {
    throw notGeoJson(
      'it is Esri JSON (ArcGIS REST / Features To JSON)',
      'export it as GeoJSON (ArcGIS: Features To JSON with "Output to GeoJSON"), or as a zipped Shapefile',
    );
  }
  if (type === 'Topology') throw notGeoJson('it is TopoJSON', 'convert it to GeoJSON first (mapshaper, or topojson-client’s topo2geo)');
  if (type === undefined) throw notGeoJson(`${where} has no "type" member (it has ${Object.keys(members).slice(0, 8).join(', ') || 'no members'})`);
  throw notGeoJson(
    `${where} has "type": ${JSON.stringify(type).slice(0, 60)}${top.hasFeatures ? ' and a "features" array' : ''}, where GeoJSON has FeatureCollection, Feature or a geometry type`,
  );
}

/**
 * Opens a GeoJSON file: a FeatureCollection, a single Feature or a bare geometry, or newline-delimited
 * GeoJSON / GeoJSONSeq (one Feature a line). The file is read once here, token by token, to check it is
 * whole and GeoJSON and to collect the property names and the count; features() then reads it again,
 * one feature in memory at a time. Errors: 400 not JSON or cut short (with line, column and byte);
 * 422 not UTF-8, JSON but not GeoJSON, no features.
 */
export async function openGeoJson(file: string, options: Pick<OpenLayerOptions, 'filename'>): Promise<OpenedLayer> {
  const fieldNames = new Set<string>();
  let count = 0;
  let tops = 0;
  let declaredEpsg: number | undefined;
  const addFields = (names: string[]) => {
    for (const key of names) {
      if (fieldNames.has(key)) continue;
      if (fieldNames.size >= MAX_FIELDS) {
        throw new GisFileError(
          422,
          `属性字段过多 the features have more than ${MAX_FIELDS} different property names: keep the attributes the import needs and export again`,
        );
      }
      fieldNames.add(key);
    }
  };
  for await (const items of walk(file, true)) {
    for (const item of items) {
      if (item.kind === 'element') {
        count++;
        // skimmed, or a scalar
        const skimmed = item.value instanceof FeatureSkimmed ? item.value : undefined;
        const type = skimmed?.type;
        if (item.top.container === 'array' && !(type === 'Feature' || GEOMETRY_TYPES.has(type as string))) {
          const what = !skimmed ? describe(item.value) : skimmed.array ? 'an array' : `an object of type ${JSON.stringify(type)}`;
          throw notGeoJson(`the file is a JSON array whose item ${count} is ${what}, not a Feature`);
        }
        if (skimmed) addFields(skimmed.propertyNames);
        continue;
      }
      tops++;
      checkTop(item.top);
      const { members } = item.top;
      if (declaredEpsg === undefined && members.crs !== undefined) declaredEpsg = epsgFromCrsMember(members.crs);
      if (item.top.container === 'object' && !item.top.hasFeatures) {
        count++;
        if (members.type === 'Feature' && isObject(members.properties)) addFields(Object.keys(members.properties));
      }
    }
  }
  if (tops === 0) throw new GisFileError(400, '文件中没有 JSON the file holds only blanks, no JSON: upload the GeoJSON file itself');
  if (count === 0)
    throw new GisFileError(422, '文件中没有要素 the file has no features (an empty FeatureCollection): export the layer again with its features');

  const features = async function* (): AsyncGenerator<SourceFeature> {
    let n = 0;
    for await (const items of walk(file, false)) {
      for (const item of items) {
        if (item.kind === 'element') yield toSourceFeature(++n, item.value);
        else if (item.top.container === 'object' && !item.top.hasFeatures) yield toSourceFeature(++n, item.top.members);
      }
    }
  };
  return {
    format: 'geojson',
    name: path.parse(options.filename).name,
    fieldNames: [...fieldNames],
    declaredEpsg,
    count,
    samplePosition: positionSampler(features),
    features,
    close: async () => {},
  };
}

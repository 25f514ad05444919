import { open, type FileHandle } from 'node:fs/promises';
import type { Geometry, Position } from './crs.ts';
import { GisFileError } from './errors.ts';

/** The geometry families a Shapefile layer can hold, one per layer. */
export type ShapeKind = 'point' | 'line' | 'polygon';

/** The .shp shape type of each family: Point 1, PolyLine 3, Polygon 5 (0 is the null shape). */
export const SHAPE_TYPE: Record<ShapeKind, 1 | 3 | 5> = { point: 1, line: 3, polygon: 5 };

const FAMILY_NAME: Record<ShapeKind, string> = { point: '点 points', line: '线 lines', polygon: '面 polygons' };

/** The family a GeoJSON geometry belongs to in a Shapefile; undefined for those a Shapefile of ours can't hold. */
export function shapeKindOf(type: string): ShapeKind | undefined {
  switch (type) {
    case 'Point':
      return 'point';
    case 'LineString':
    case 'MultiLineString':
      return 'line';
    case 'Polygon':
    case 'MultiPolygon':
      return 'polygon';
    default:
      return undefined;
  }
}

export type Bbox = [number, number, number, number];

/**
 * Twice the signed area of a ring, positive when it turns clockwise (y up): a Shapefile's outer ring, where
 * GeoJSON (RFC 7946) has its outer rings counter-clockwise.
 */
export function ringClockwiseArea(ring: Position[]): number {
  let sum = 0;
  for (let i = 1; i < ring.length; i++) sum += (ring[i]![0]! - ring[i - 1]![0]!) * (ring[i]![1]! + ring[i - 1]![1]!);
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (first && last) sum += (first[0]! - last[0]!) * (first[1]! + last[1]!);
  return sum;
}

/** The ring closed (first position repeated at the end) and turned clockwise or counter-clockwise, as asked. */
export function orientRing(ring: Position[], clockwise: boolean): Position[] {
  const first = ring[0]!;
  const last = ring[ring.length - 1]!;
  const closed = first[0] === last[0] && first[1] === last[1] ? ring : [...ring, first];
  const isClockwise = ringClockwiseArea(closed) > 0;
  return isClockwise === clockwise ? closed : [...closed].reverse();
}

const HEADER = 100;
/** Records are buffered and written in chunks of about this size. */
const CHUNK = 1 << 20;
/** The file length is a signed 32-bit count of 16-bit words. */
const MAX_FILE_BYTES = 2 * 0x7fffffff;

class ChunkedFile {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes written or pending, from the start of the file. */
  length = HEADER;

  constructor(readonly handle: FileHandle) {}

  async append(buf: Buffer): Promise<void> {
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    this.length += buf.length;
    if (this.pendingBytes >= CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const data = Buffer.concat(this.pending, this.pendingBytes);
    const at = this.length - this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    await this.handle.write(data, 0, data.length, at);
  }
}

/**
 * A .shp and its .shx written record by record, for one geometry family: Point (1), PolyLine (3, from
 * LineString / MultiLineString) or Polygon (5, from Polygon / MultiPolygon, outer rings written clockwise
 * and holes counter-clockwise as the spec says, whatever the GeoJSON's winding), and null shapes (0) for a
 * null or empty geometry. Records are written as they come; the headers (file length, bbox) are patched by
 * close(). Without a kind, the first non-null geometry chooses it.
 */
export class ShpWriter {
  private count = 0;
  private bbox: Bbox | undefined;
  private closed = false;

  private constructor(
    private readonly shp: ChunkedFile,
    private readonly shx: ChunkedFile,
    private kind: ShapeKind | undefined,
  ) {}

  static async create(shpPath: string, shxPath: string, kind?: ShapeKind): Promise<ShpWriter> {
    const shp = await open(shpPath, 'w');
    let shx: FileHandle;
    try {
      shx = await open(shxPath, 'w');
    } catch (err) {
      await shp.close();
      throw err;
    }
    const writer = new ShpWriter(new ChunkedFile(shp), new ChunkedFile(shx), kind);
    // the headers' place, written for real by close()
    await shp.write(Buffer.alloc(HEADER), 0, HEADER, 0);
    await shx.write(Buffer.alloc(HEADER), 0, HEADER, 0);
    return writer;
  }

  /** The family the layer holds, once known. */
  get shapeKind(): ShapeKind | undefined {
    return this.kind;
  }

  /** Writes the next record; a geometry of another family is a 422 naming the record. */
  async write(geometry: Geometry | null | undefined): Promise<void> {
    if (this.closed) throw new Error('ShpWriter: write after close');
    const n = this.count + 1;
    const content = this.encode(geometry, n);
    const offset = this.shp.length;
    if (offset + 8 + content.length > MAX_FILE_BYTES) {
      throw new GisFileError(422, `Shapefile 超过 4 GB the layer is over the 4 GB a .shp can hold at record ${n}: export it in parts, or as GeoJSON`);
    }
    const head = Buffer.alloc(8);
    head.writeInt32BE(n, 0);
    head.writeInt32BE(content.length / 2, 4);
    const index = Buffer.alloc(8);
    index.writeInt32BE(offset / 2, 0);
    index.writeInt32BE(content.length / 2, 4);
    await this.shp.append(head);
    await this.shp.append(content);
    await this.shx.append(index);
    this.count = n;
  }

  /** Flushes, patches both headers and closes the files. The bbox is undefined when every shape was null. */
  async close(): Promise<{ count: number; bbox: Bbox | undefined; shapeType: number }> {
    if (this.closed) throw new Error('ShpWriter: closed twice');
    this.closed = true;
    const shapeType = this.kind ? SHAPE_TYPE[this.kind] : 0;
    try {
      await this.shp.flush();
      await this.shx.flush();
      await this.shp.handle.write(this.header(this.shp.length, shapeType), 0, HEADER, 0);
      await this.shx.handle.write(this.header(this.shx.length, shapeType), 0, HEADER, 0);
    } finally {
      await this.closeFiles();
    }
    return { count: this.count, bbox: this.bbox, shapeType };
  }

  /** Closes the files without finishing them, after an error (the caller removes them). */
  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.closeFiles();
  }

  private async closeFiles(): Promise<void> {
    const results = await Promise.allSettled([this.shp.handle.close(), this.shx.handle.close()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private header(fileBytes: number, shapeType: number): Buffer {
    const h = Buffer.alloc(HEADER);
    h.writeInt32BE(9994, 0);
    h.writeInt32BE(fileBytes / 2, 24);
    h.writeInt32LE(1000, 28);
    h.writeInt32LE(shapeType, 32);
    // all zeros when there is no shape, as the spec allows; Z and M ranges stay 0 (2D shapes)
    (this.bbox ?? [0, 0, 0, 0]).forEach((v, k) => h.writeDoubleLE(v, 36 + 8 * k));
    return h;
  }

  private extend(b: Bbox): void {
    if (!this.bbox) this.bbox = [b[0], b[1], b[2], b[3]];
    else {
      this.bbox[0] = Math.min(this.bbox[0], b[0]);
      this.bbox[1] = Math.min(this.bbox[1], b[1]);
      this.bbox[2] = Math.max(this.bbox[2], b[2]);
      this.bbox[3] = Math.max(this.bbox[3], b[3]);
    }
  }

  private encode(geometry: Geometry | null | undefined, n: number): Buffer {
    if (!geometry) return nullShape();
    const kind = shapeKindOf(geometry.type);
    if (!kind) {
      throw new GisFileError(
        422,
        `Shapefile 不支持的几何类型 record ${n} is a ${geometry.type}, which a Shapefile layer of ours can't hold (points, lines or polygons only): export it as GeoJSON`,
      );
    }
    if (this.kind && kind !== this.kind) {
      throw new GisFileError(
        422,
        `Shapefile 只能有一种几何类型 a Shapefile layer holds one geometry family: record ${n} is a ${geometry.type} (${FAMILY_NAME[kind]}) in a layer of ${FAMILY_NAME[this.kind]}: ` +
          'export each family as its own layer (filter by geometry type), or export as GeoJSON, which can mix them',
      );
    }
    const parts = partsOf(geometry, kind, n);
    if (parts.length === 0) return nullShape();
    this.kind = kind;
    if (kind === 'point') {
      const p = parts[0]![0]!;
      const buf = Buffer.alloc(20);
      buf.writeInt32LE(1, 0);
      buf.writeDoubleLE(p[0]!, 4);
      buf.writeDoubleLE(p[1]!, 12);
      this.extend([p[0]!, p[1]!, p[0]!, p[1]!]);
      return buf;
    }
    const points = parts.reduce((s, part) => s + part.length, 0);
    const buf = Buffer.alloc(44 + 4 * parts.length + 16 * points);
    buf.writeInt32LE(SHAPE_TYPE[kind], 0);
    const box: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
    buf.writeInt32LE(parts.length, 36);
    buf.writeInt32LE(points, 40);
    let index = 0;
    let at = 44 + 4 * parts.length;
    parts.forEach((part, k) => {
      buf.writeInt32LE(index, 44 + 4 * k);
      index += part.length;
      for (const p of part) {
        const [x, y] = [p[0]!, p[1]!];
        buf.writeDoubleLE(x, at);
        buf.writeDoubleLE(y, at + 8);
        at += 16;
        if (x < box[0]) box[0] = x;
        if (y < box[1]) box[1] = y;
        if (x > box[2]) box[2] = x;
        if (y > box[3]) box[3] = y;
      }
    });
    box.forEach((v, k) => buf.writeDoubleLE(v, 4 + 8 * k));
    this.extend(box);
    return buf;
  }
}

function nullShape(): Buffer {
  return Buffer.alloc(4); // shape type 0
}

const finite = (p: Position) => Number.isFinite(p[0]) && Number.isFinite(p[1]);

/** The geometry's parts as the .shp stores them (rings oriented); empty for an empty geometry. */
function partsOf(geometry: Geometry, kind: ShapeKind, n: number): Position[][] {
  const bad = (why: string) => new GisFileError(422, `几何数据无效 record ${n} (${geometry.type}) ${why}: fix or remove the feature's geometry`);
  const c = geometry.coordinates as unknown;
  if (!Array.isArray(c)) throw bad('has no coordinates');
  const check = (ps: Position[]) => {
    if (!ps.every((p) => Array.isArray(p) && finite(p))) throw bad('has a position that is not two finite numbers');
    return ps;
  };
  if (kind === 'point') return c.length === 0 ? [] : [check([c as Position])];
  if (kind === 'line') {
    const lines = (geometry.type === 'LineString' ? [c] : c) as Position[][];
    return lines.filter((l) => l.length > 0).map(check);
  }
  const polygons = (geometry.type === 'Polygon' ? [c] : c) as Position[][][];
  const parts: Position[][] = [];
  for (const polygon of polygons) {
    polygon
      .filter((ring) => ring.length > 0)
      .forEach((ring, k) => {
        // the outer ring clockwise, holes counter-clockwise (readers tell them apart by that alone)
        parts.push(orientRing(check(ring), k === 0));
      });
  }
  return parts;
}

// A PMTiles v3 writer (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md): a 127-byte
// header, a root directory (leaf directories when it would not fit in the first 16 KiB), JSON
// metadata, then the tile data. Directories and metadata are gzip'd; tiles are given gzip'd.
// Reading is the maintained `pmtiles` package's job (archive-reader.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { zxyToTileId } from 'pmtiles';

const HEADER_BYTES = 127;
/** the header and root directory must be readable in one 16 KiB request */
const ROOT_LIMIT = 16_384 - HEADER_BYTES;
const COMPRESSION_GZIP = 2;
const TILE_TYPE_MVT = 1;

export interface PmtilesTile {
  z: number;
  x: number;
  y: number;
  /** the tile, already gzip'd */
  data: Buffer;
}

export interface PmtilesOptions {
  minZoom: number;
  maxZoom: number;
  /** [west, south, east, north], WGS84 */
  bounds: [number, number, number, number];
  center: [number, number, number];
  metadata: object;
}

interface Entry {
  tileId: number;
  offset: number;
  length: number;
  runLength: number;
}

function varint(out: number[], n: number): void {
  // directory values exceed 2^32 in big archives: no bitwise operators
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

function serializeDirectory(entries: Entry[]): Buffer {
  const out: number[] = [];
  varint(out, entries.length);
  let last = 0;
  for (const e of entries) {
    varint(out, e.tileId - last);
    last = e.tileId;
  }
  for (const e of entries) varint(out, e.runLength);
  for (const e of entries) varint(out, e.length);
  entries.forEach((e, i) => {
    const prev = entries[i - 1];
    varint(out, i > 0 && prev && e.offset === prev.offset + prev.length ? 0 : e.offset + 1);
  });
  return zlib.gzipSync(Buffer.from(out));
}

/** Root (and leaf) directories: leaves of growing size until the root fits its 16 KiB. */
function directories(entries: Entry[]): { root: Buffer; leaves: Buffer } {
  const root = serializeDirectory(entries);
  if (root.length <= ROOT_LIMIT) return { root, leaves: Buffer.alloc(0) };
  for (let leafSize = 4096; ; leafSize *= 2) {
    const rootEntries: Entry[] = [];
    const parts: Buffer[] = [];
    let offset = 0;
    for (let i = 0; i < entries.length; i += leafSize) {
      const leaf = serializeDirectory(entries.slice(i, i + leafSize));
      rootEntries.push({ tileId: entries[i]!.tileId, offset, length: leaf.length, runLength: 0 });
      parts.push(leaf);
      offset += leaf.length;
    }
    const r = serializeDirectory(rootEntries);
    if (r.length <= ROOT_LIMIT) return { root: r, leaves: Buffer.concat(parts) };
  }
}

function header(o: {
  rootOffset: number;
  rootLength: number;
  metaOffset: number;
  metaLength: number;
  leafOffset: number;
  leafLength: number;
  dataOffset: number;
  dataLength: number;
  addressed: number;
  entries: number;
  contents: number;
  opts: PmtilesOptions;
}): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.write('PMTiles', 0, 'ascii');
  b.writeUInt8(3, 7);
  const u64 = (n: number, at: number) => b.writeBigUInt64LE(BigInt(n), at);
  u64(o.rootOffset, 8);
  u64(o.rootLength, 16);
  u64(o.metaOffset, 24);
  u64(o.metaLength, 32);
  u64(o.leafOffset, 40);
  u64(o.leafLength, 48);
  u64(o.dataOffset, 56);
  u64(o.dataLength, 64);
  u64(o.addressed, 72);
  u64(o.entries, 80);
  u64(o.contents, 88);
  b.writeUInt8(1, 96); // clustered: tile data in tile-id order
  b.writeUInt8(COMPRESSION_GZIP, 97); // directories and metadata
  b.writeUInt8(COMPRESSION_GZIP, 98); // tiles
  b.writeUInt8(TILE_TYPE_MVT, 99);
  b.writeUInt8(o.opts.minZoom, 100);
  b.writeUInt8(o.opts.maxZoom, 101);
  const e7 = (v: number) => Math.round(v * 1e7);
  const [w, s, e, n] = o.opts.bounds;
  b.writeInt32LE(e7(w), 102);
  b.writeInt32LE(e7(s), 106);
  b.writeInt32LE(e7(e), 110);
  b.writeInt32LE(e7(n), 114);
  b.writeUInt8(Math.round(o.opts.center[2]), 118);
  b.writeInt32LE(e7(o.opts.center[0]), 119);
  b.writeInt32LE(e7(o.opts.center[1]), 123);
  return b;
}

/** The archive as bytes: identical tiles are stored once, consecutive ones as one run. */
export function pmtilesArchive(tiles: PmtilesTile[], opts: PmtilesOptions): Buffer {
  const sorted = tiles.map((t) => ({ ...t, tileId: zxyToTileId(t.z, t.x, t.y) })).sort((a, b) => a.tileId - b.tileId);
  const entries: Entry[] = [];
  const data: Buffer[] = [];
  const seen = new Map<string, { offset: number; length: number }>();
  let dataLength = 0;
  for (const t of sorted) {
    const hash = crypto.createHash('sha256').update(t.data).digest('base64');
    const last = entries[entries.length - 1];
    const known = seen.get(hash);
    if (last && known && last.offset === known.offset && last.tileId + last.runLength === t.tileId) {
      last.runLength++;
      continue;
    }
    if (known) {
      entries.push({ tileId: t.tileId, offset: known.offset, length: known.length, runLength: 1 });
      continue;
    }
    const at = { offset: dataLength, length: t.data.length };
    seen.set(hash, at);
    data.push(t.data);
    dataLength += t.data.length;
    entries.push({ tileId: t.tileId, ...at, runLength: 1 });
  }
  const { root, leaves } = directories(entries);
  const meta = zlib.gzipSync(Buffer.from(JSON.stringify(opts.metadata), 'utf8'));
  const rootOffset = HEADER_BYTES;
  const metaOffset = rootOffset + root.length;
  const leafOffset = metaOffset + meta.length;
  const dataOffset = leafOffset + leaves.length;
  const head = header({
    rootOffset,
    rootLength: root.length,
    metaOffset,
    metaLength: meta.length,
    leafOffset,
    leafLength: leaves.length,
    dataOffset,
    dataLength,
    addressed: sorted.length,
    entries: entries.length,
    contents: seen.size,
    opts,
  });
  return Buffer.concat([head, root, meta, leaves, ...data]);
}

/** Writes the archive next to its destination and renames it into place (a reader never sees half). */
export function writePmtiles(file: string, tiles: PmtilesTile[], opts: PmtilesOptions): number {
  const bytes = pmtilesArchive(tiles, opts);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
  return bytes.length;
}

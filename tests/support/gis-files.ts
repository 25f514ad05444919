// What the GIS reader and writer tests share: files written where a test can find them, the
// GisFileError a bad one must give, and the fixtures built by hand (squares in Wuhan, a .shp/.shx
// written from the spec, a zip) with the zipped Shapefile read back by our readers.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import yazl from 'yazl';
import { afterAll, beforeAll, expect } from 'vitest';
import { GisFileError } from '../../server/gis/formats/errors.ts';
import type { OpenedLayer, SourceFeature } from '../../server/gis/formats/layer.ts';
import { openShapefile, type ShapefileFeature } from '../../server/gis/formats/shapefile.ts';
import { extractShapefile } from '../../server/gis/formats/zip.ts';

/**
 * A temp directory for this test file (made before its tests, removed after), and `upload`, which
 * writes `content` as `filename` in a subdirectory of its own (so names may repeat) and returns the path.
 */
export function uploads(prefix: string) {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return {
    dir: () => dir,
    async upload(filename: string, content: string | Buffer): Promise<string> {
      const sub = await mkdtemp(path.join(dir, 'upload-'));
      const file = path.join(sub, filename);
      await writeFile(file, content);
      return file;
    },
  };
}

/** Every feature of an opened layer and its sample position; the layer is closed after, whatever happens. */
export async function readOpened<L extends OpenedLayer>(layer: L) {
  try {
    const features: SourceFeature[] = [];
    for await (const f of layer.features()) features.push(f);
    return { layer, features, sample: await layer.samplePosition() };
  } finally {
    await layer.close();
  }
}

/** The GisFileError `fn` throws; fails the test when it throws nothing or something else. */
export async function gisError(fn: () => unknown): Promise<GisFileError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GisFileError);
    return err as GisFileError;
  }
  throw new Error('expected a GisFileError, nothing was thrown');
}

/** A 0.001° square in Wuhan in GCJ-02-like lon/lat (the numbers a Gaode map hands out), counter-clockwise. */
export const square = (x0: number, y0: number) => [
  [x0, y0],
  [x0 + 0.001, y0],
  [x0 + 0.001, y0 + 0.001],
  [x0, y0 + 0.001],
  [x0, y0],
];

/** The same square as a WKT ring's coordinates (`x y, x y, …`). */
export const ring = (x0: number, y0: number) =>
  square(x0, y0)
    .map((p) => p.join(' '))
    .join(', ');

/** A Polygon .shp and its .shx, one record a ring, written byte by byte from the spec. */
export function polygonShp(rings: number[][][]): { shp: Buffer; shx: Buffer } {
  const records = rings.map((ring, i) => {
    const xs = ring.map((p) => p[0]!);
    const ys = ring.map((p) => p[1]!);
    const content = Buffer.alloc(44 + 4 + 16 * ring.length);
    content.writeInt32LE(5, 0);
    [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].forEach((v, k) => content.writeDoubleLE(v, 4 + 8 * k));
    content.writeInt32LE(1, 36);
    content.writeInt32LE(ring.length, 40);
    content.writeInt32LE(0, 44);
    ring.forEach((p, k) => {
      content.writeDoubleLE(p[0]!, 48 + 16 * k);
      content.writeDoubleLE(p[1]!, 56 + 16 * k);
    });
    const head = Buffer.alloc(8);
    head.writeInt32BE(i + 1, 0);
    head.writeInt32BE(content.length / 2, 4);
    return Buffer.concat([head, content]);
  });
  const all = rings.flat();
  const bbox = [Math.min(...all.map((p) => p[0]!)), Math.min(...all.map((p) => p[1]!)), Math.max(...all.map((p) => p[0]!)), Math.max(...all.map((p) => p[1]!))];
  const header = (bytes: number) => {
    const h = Buffer.alloc(100);
    h.writeInt32BE(9994, 0);
    h.writeInt32BE(bytes / 2, 24);
    h.writeInt32LE(1000, 28);
    h.writeInt32LE(5, 32);
    bbox.forEach((v, k) => h.writeDoubleLE(v, 36 + 8 * k));
    return h;
  };
  const shpLength = 100 + records.reduce((s, r) => s + r.length, 0);
  const shx = Buffer.alloc(8 * records.length);
  let offset = 100;
  records.forEach((r, i) => {
    shx.writeInt32BE(offset / 2, 8 * i);
    shx.writeInt32BE((r.length - 8) / 2, 8 * i + 4);
    offset += r.length;
  });
  return { shp: Buffer.concat([header(shpLength), ...records]), shx: Buffer.concat([header(100 + shx.length), shx]) };
}

/** A zip of the files (name → content; as a list, a name may repeat), in memory. */
export function zipBuffer(files: Record<string, Buffer | string> | [string, Buffer | string][]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of Array.isArray(files) ? files : Object.entries(files))
    zip.addBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data), name, { mtime: new Date(2026, 0, 1) });
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** A zipped Shapefile read by our readers (extracted under `tmpDir`): the extraction, the layer and all its features. */
export async function readShapefileZip(zip: string, options: { tmpDir: string; encoding?: string; layer?: string }) {
  const extracted = await extractShapefile(zip, { layer: options.layer, tmpDir: options.tmpDir });
  try {
    const layer = await openShapefile(extracted.files, { encoding: options.encoding });
    try {
      const features: ShapefileFeature[] = [];
      for await (const f of layer.features()) features.push(f);
      return { extracted, layer, features };
    } finally {
      await layer.close();
    }
  } finally {
    await extracted.cleanup();
  }
}

import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { decodeText } from './encoding.ts';
import { GisFileError } from './errors.ts';

export interface ZipLimits {
  /** Sum of the entries' uncompressed sizes. */
  maxUncompressedBytes: number;
  /** Uncompressed ÷ compressed over the whole zip: a zip bomb is far above, real GIS data well below. */
  maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxUncompressedBytes: 1 << 30, maxRatio: 100 };

// Below this the ratio is not checked: a small .dbf of blank-padded fields legitimately compresses >100×
const RATIO_FLOOR = 8 << 20;

export interface ZipEntryInfo {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  entry: yauzl.Entry;
}

/** The parts of one Shapefile layer that we read, as extracted under our own names. */
export interface ShapefilePaths {
  shp: string;
  shx: string;
  dbf: string;
  prj?: string;
  cpg?: string;
}

export interface ExtractedLayer {
  /** The layer's name in the zip (its .shp without extension), for messages and the import record. */
  layer: string;
  dir: string;
  files: ShapefilePaths;
  /** Removes the temp directory. */
  cleanup(): Promise<void>;
}

const EXTENSIONS = ['shp', 'shx', 'dbf', 'prj', 'cpg'] as const;

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // decodeStrings:false: names without the UTF-8 flag are GBK from Chinese Windows, not CP437 as yauzl assumes
    yauzl.open(file, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true, strictFileNames: false }, (err, zip) =>
      err
        ? reject(
            new GisFileError(400, `不是有效的 zip 文件 the file is not a readable zip (${err.message}): upload the .zip with the .shp, .shx, .dbf and .prj`),
          )
        : resolve(zip),
    );
  });
}

/**
 * An entry's name: UTF-8 when the zip says so (flag 0x800) or when the bytes are valid UTF-8 anyway (macOS
 * and 7-Zip write it unflagged), otherwise GBK, which is what Windows in Chinese writes.
 */
export function entryName(raw: Buffer, flags: number): string {
  if (flags & 0x800) return raw.toString('utf8');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return decodeText(raw, 'gbk');
  }
}

async function readEntries(zip: yauzl.ZipFile): Promise<ZipEntryInfo[]> {
  const entries: ZipEntryInfo[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      const name = entryName(entry.fileName as unknown as Buffer, entry.generalPurposeBitFlag);
      entries.push({ name, compressedSize: entry.compressedSize, uncompressedSize: entry.uncompressedSize, entry });
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', (err: Error) => reject(new GisFileError(400, `zip 文件损坏 the zip is broken (${err.message}): compress the files again`)));
    zip.readEntry();
  });
  return entries;
}

const tooLarge = (what: string) => new GisFileError(413, `压缩包解压后过大 ${what}: split the data into several uploads`);

/** Checks the sizes the central directory declares; yauzl's validateEntrySizes holds the entries to them while extracting. */
export function checkZipSizes(entries: ZipEntryInfo[], limits: ZipLimits): void {
  const uncompressed = entries.reduce((s, e) => s + e.uncompressedSize, 0);
  const compressed = entries.reduce((s, e) => s + e.compressedSize, 0);
  if (uncompressed > limits.maxUncompressedBytes)
    throw tooLarge(`the zip holds ${uncompressed} bytes uncompressed, over the limit of ${limits.maxUncompressedBytes}`);
  if (uncompressed > RATIO_FLOOR && uncompressed > limits.maxRatio * Math.max(compressed, 1)) {
    throw tooLarge(
      `the zip expands ${Math.round(uncompressed / Math.max(compressed, 1))}× (${uncompressed} bytes), more than the ${limits.maxRatio}× real data does`,
    );
  }
}

/** Not part of any layer: macOS resource forks and folders. */
const ignored = (name: string) => name.endsWith('/') || name.split('/').some((part) => part === '__MACOSX' || part.startsWith('._'));

function splitName(name: string): { base: string; ext: string } {
  const file = name.split('/').pop()!;
  const dot = file.lastIndexOf('.');
  return dot < 0 ? { base: name, ext: '' } : { base: name.slice(0, name.length - file.length + dot), ext: file.slice(dot + 1).toLowerCase() };
}

/**
 * Opens an uploaded zip, picks the Shapefile layer (the only one, or the one named `layer`, by its path or
 * file name without .shp) and extracts its .shp .shx .dbf .prj .cpg into a new temp directory as
 * layer.shp etc.: entry paths are never used as paths, so `../` or absolute names can't escape.
 */
export async function extractShapefile(zipPath: string, options: { layer?: string; limits?: ZipLimits; tmpDir?: string } = {}): Promise<ExtractedLayer> {
  const zip = await openZip(zipPath);
  try {
    const entries = (await readEntries(zip)).filter((e) => !ignored(e.name));
    if (entries.length === 0) throw new GisFileError(422, '压缩包是空的 the zip is empty: put the layer’s .shp, .shx, .dbf and .prj files in it');
    checkZipSizes(entries, options.limits ?? DEFAULT_ZIP_LIMITS);

    const layers = entries.filter((e) => splitName(e.name).ext === 'shp').map((e) => splitName(e.name).base);
    if (layers.length === 0)
      throw new GisFileError(
        422,
        `压缩包里没有 .shp 文件 the zip has no .shp file (it holds ${quoteNames(entries.map((e) => e.name))}): zip the Shapefile layer itself`,
      );
    let layer: string;
    if (options.layer !== undefined) {
      const wanted = options.layer.replace(/\.shp$/i, '');
      const found = layers.find((l) => l === wanted) ?? layers.find((l) => l.split('/').pop() === wanted);
      if (!found) throw new GisFileError(422, `压缩包里没有图层 ${options.layer} the zip has no layer ${options.layer}: it has ${quoteNames(layers)}`);
      layer = found;
    } else if (layers.length > 1) {
      throw new GisFileError(
        422,
        `压缩包里有多个图层 the zip holds ${layers.length} layers (${quoteNames(layers)}): upload one layer per zip, or name the one to import (layer=…)`,
      );
    } else layer = layers[0]!;

    const parts = new Map<string, ZipEntryInfo>();
    for (const e of entries) {
      const { base, ext } = splitName(e.name);
      if (base === layer && (EXTENSIONS as readonly string[]).includes(ext)) parts.set(ext, e);
    }
    const missing = ['shx', 'dbf'].filter((ext) => !parts.has(ext));
    if (missing.length > 0) {
      throw new GisFileError(
        422,
        `图层缺少文件 layer ${layer} has no ${missing.map((m) => '.' + m).join(' or ')} file: zip all the files of the layer together`,
      );
    }

    const dir = await mkdtemp(path.join(options.tmpDir ?? os.tmpdir(), 'zhihui-gis-'));
    const cleanup = () => rm(dir, { recursive: true, force: true });
    try {
      const files: Partial<ShapefilePaths> = {};
      for (const [ext, e] of parts) {
        const target = path.join(dir, `layer.${ext}`);
        await extractEntry(zip, e.entry, target);
        files[ext as keyof ShapefilePaths] = target;
      }
      return { layer, dir, files: files as ShapefilePaths, cleanup };
    } catch (err) {
      await cleanup();
      throw err;
    }
  } finally {
    zip.close();
  }
}

async function extractEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, target: string): Promise<void> {
  const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) => zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))));
  try {
    await pipeline(stream, createWriteStream(target));
  } catch (err) {
    throw new GisFileError(400, `zip 文件损坏 the zip is broken (${(err as Error).message}): compress the files again`);
  }
}

const quoteNames = (names: string[]) => names.slice(0, 10).join(', ') + (names.length > 10 ? ` and ${names.length - 10} more` : '');

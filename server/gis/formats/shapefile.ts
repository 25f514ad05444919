import { readFile, stat } from 'node:fs/promises';
import { openShp } from 'shapefile';
import type { Geometry } from './crs.ts';
import { DbfReader, type DbfValue } from './dbf.ts';
import { encodingFromLdid, normaliseEncoding, sniffEncoding, type TextEncoding } from './encoding.ts';
import { GisFileError } from './errors.ts';
import { ByteSource } from './source.ts';
import type { ShapefilePaths } from './zip.ts';

export interface ShapefileFeature {
  /** The record's number in the layer, from 1 (deleted DBF rows keep theirs), for problem reports. */
  n: number;
  /** GeoJSON in the layer's own CRS; null for a null shape. */
  geometry: Geometry | null;
  properties: Record<string, DbfValue>;
}

export type EncodingSource = 'request' | 'cpg' | 'ldid' | 'sniff';

export interface ShapefileLayer {
  count: number;
  shapeType: number;
  /** xmin, ymin, xmax, ymax from the .shp header, in the source CRS. */
  bbox: [number, number, number, number];
  encoding: TextEncoding;
  encodingSource: EncodingSource;
  fieldNames: string[];
  prj?: string;
  features(): AsyncGenerator<ShapefileFeature>;
  close(): Promise<void>;
}

/** Null, Point, PolyLine, Polygon, MultiPoint and their Z and M forms: what shapefile's openShp parses (not MultiPatch). */
const SHAPE_TYPES = new Set([0, 1, 3, 5, 8, 11, 13, 15, 18, 21, 23, 25, 28]);

const broken = (file: string, why: string) =>
  new GisFileError(422, `${file} 文件损坏 the ${file} file is broken (${why}): export the layer again from the GIS`);

/** Reads the .shp header and walks its record headers: the number of records, without reading any shape. */
export async function countShpRecords(shpPath: string): Promise<{ count: number; shapeType: number; bbox: [number, number, number, number] }> {
  const source = await ByteSource.open(shpPath);
  try {
    const head = Buffer.from(await source.read(0, 100));
    if (head.length < 100 || head.readInt32BE(0) !== 9994) throw broken('.shp', 'it does not start with a Shapefile header');
    const bbox = [36, 44, 52, 60].map((at) => head.readDoubleLE(at)) as [number, number, number, number];
    const shapeType = head.readInt32LE(32);
    if (!SHAPE_TYPES.has(shapeType)) {
      throw new GisFileError(422, `不支持的几何类型 the .shp holds shape type ${shapeType}, which we don't read: export it as points, lines or polygons`);
    }
    let count = 0;
    let pos = 100;
    while (pos + 8 <= source.size) {
      const rec = await source.read(pos, 12);
      const length = rec.readInt32BE(4) * 2;
      if (length < 4 || rec.length < 12) throw broken('.shp', `record ${count + 1} has content length ${length}`);
      // the shapefile package skips a record of another type by scanning ahead, which would misalign
      // shapes and attributes: refuse it here, by its number
      const type = rec.readInt32LE(8);
      if (type !== 0 && type !== shapeType) throw broken('.shp', `record ${count + 1} has shape type ${type} in a layer of type ${shapeType}`);
      pos += 8 + length;
      count++;
    }
    if (pos !== source.size) throw broken('.shp', `record ${count} runs past the end of the file`);
    return { count, shapeType, bbox };
  } finally {
    await source.close();
  }
}

/** .shx is a 100-byte header and 8 bytes a record. */
export async function countShxRecords(shxPath: string): Promise<number> {
  const { size } = await stat(shxPath);
  if (size < 100 || (size - 100) % 8 !== 0) throw broken('.shx', `${size} bytes is not a 100-byte header plus 8 bytes a record`);
  return (size - 100) / 8;
}

/**
 * Opens an extracted layer: checks that .shp, .shx and .dbf agree on the number of records, settles the text
 * encoding (the request's, then .cpg, then the DBF's LDID, then a sniff of the first rows) and reads the
 * .prj. Features are then read one at a time: geometry by the `shapefile` package, attributes by our DBF reader.
 */
export async function openShapefile(files: ShapefilePaths, options: { encoding?: string } = {}): Promise<ShapefileLayer> {
  const [shp, shxCount] = await Promise.all([countShpRecords(files.shp), countShxRecords(files.shx)]);
  const dbf = await DbfReader.open(files.dbf);
  try {
    const dbfCount = dbf.header.recordCount;
    if (shp.count !== shxCount || shp.count !== dbfCount) {
      throw new GisFileError(
        422,
        `图层文件记录数不一致 the layer's files disagree on the number of records: .shp has ${shp.count}, .shx ${shxCount}, .dbf ${dbfCount}: export the layer again so that they match`,
      );
    }
    let encoding: TextEncoding | undefined;
    let encodingSource: EncodingSource;
    if (options.encoding) {
      encoding = normaliseEncoding(options.encoding);
      if (!encoding) throw new GisFileError(400, `不支持的编码 ${options.encoding} encoding ${options.encoding} is not one we read: say gbk or utf-8`);
      encodingSource = 'request';
    } else if (files.cpg && (encoding = normaliseEncoding(await readFile(files.cpg, 'latin1')))) {
      encodingSource = 'cpg';
    } else if ((encoding = encodingFromLdid(dbf.header.ldid))) {
      encodingSource = 'ldid';
    } else {
      encoding = sniffEncoding(await dbf.textSample());
      encodingSource = 'sniff';
    }
    const prj = files.prj ? await readFile(files.prj, 'utf8') : undefined;
    const fieldNames = dbf.fieldNames(encoding);
    const textEncoding = encoding;
    return {
      count: shp.count,
      shapeType: shp.shapeType,
      bbox: shp.bbox,
      encoding,
      encodingSource,
      fieldNames,
      prj,
      features: () => features(files.shp, dbf, textEncoding),
      close: () => dbf.close(),
    };
  } catch (err) {
    await dbf.close();
    throw err;
  }
}

async function* features(shpPath: string, dbf: DbfReader, encoding: TextEncoding): AsyncGenerator<ShapefileFeature> {
  const shapes = await openShp(shpPath);
  let shpIndex = -1;
  let shape: Geometry | null = null;
  try {
    for await (const { index, properties } of dbf.records(encoding)) {
      // deleted DBF rows are skipped, and their shapes with them
      while (shpIndex < index) {
        const next = await shapes.read();
        if (next.done) throw broken('.shp', `it ends before record ${index + 1}`);
        shape = next.value;
        shpIndex++;
      }
      yield { n: index + 1, geometry: shape, properties };
    }
  } finally {
    await shapes.cancel();
  }
}

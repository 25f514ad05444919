import { open } from 'node:fs/promises';
import path from 'node:path';
import { openCsv } from './csv.ts';
import { GisFileError } from './errors.ts';
import { openGeoJson, positionSampler } from './geojson.ts';
import type { OpenedLayer, OpenLayerOptions } from './layer.ts';
import { openShapefile, type ShapefileLayer } from './shapefile.ts';
import { isWorkbookZip, openXlsx } from './xlsx.ts';
import { extractShapefile } from './zip.ts';

const FORMATS =
  'a zipped Shapefile (.zip holding the .shp, .shx, .dbf and .prj), GeoJSON (.geojson, .json, one Feature a line too), CSV (.csv, .txt) or an Excel workbook (.xlsx)';

const JSON_EXTENSIONS = new Set(['geojson', 'json', 'geojsonl', 'geojsons', 'geojsonseq', 'ndjson', 'jsonl']);
const CSV_EXTENSIONS = new Set(['csv', 'txt', 'tsv']);
const SHAPEFILE_PARTS = new Set(['shp', 'shx', 'dbf', 'prj', 'cpg', 'sbn', 'sbx']);
const SPREADSHEETS = new Set(['xlsx', 'xlsm', 'xls', 'et', 'ods']);

const startsWith = (head: Buffer, bytes: number[]) => bytes.every((b, i) => head[i] === b);
const isZip = (head: Buffer) => startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06]);
/** An .xlsx (or .docx…): a zip whose first entry is [Content_Types].xml, as Office writes it (other writers: see isWorkbookZip). */
const isOfficeZip = (head: Buffer) => isZip(head) && head.subarray(30, 30 + 19).toString('latin1') === '[Content_Types].xml';
/** An .xls (or .doc, .et, or an .xlsx encrypted with a password): an OLE2 compound file. */
const isOle2 = (head: Buffer) => startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
/** A .shp or .shx on its own: file code 9994, big-endian. */
const isShpHeader = (head: Buffer) => startsWith(head, [0x00, 0x00, 0x27, 0x0a]);

/**
 * JSON by its first character: `{`, or `[` that opens an array of objects or arrays (not a CSV header such as
 * `[ID],[WKT]`), after a BOM, blanks or the record separator of a GeoJSON text sequence.
 */
function looksLikeJson(head: Buffer): boolean {
  let i = startsWith(head, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  const blank = (b: number | undefined) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x1e;
  while (blank(head[i])) i++;
  if (head[i] === 0x7b) return true;
  if (head[i] !== 0x5b) return false;
  do i++;
  while (blank(head[i]));
  return head[i] === 0x7b || head[i] === 0x5b || head[i] === 0x5d || head[i] === undefined;
}

async function readHead(file: string): Promise<{ head: Buffer; size: number }> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const head = Buffer.alloc(Math.min(size, 4096));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return { head: head.subarray(0, bytesRead), size };
  } finally {
    await handle.close();
  }
}

/**
 * Opens an uploaded file as one layer, choosing the reader by its content first (an Excel workbook, a zip,
 * JSON) and then by the extension of the name it was uploaded under (CSV). The caller must close() the layer:
 * a zipped Shapefile is extracted into a temp directory that close() removes.
 */
export async function openLayer(file: string, options: OpenLayerOptions): Promise<OpenedLayer> {
  const { head, size } = await readHead(file);
  if (size === 0) throw new GisFileError(400, '文件为空 the file is empty: choose the file again and upload it (the copy we received has 0 bytes)');
  const ext = path.extname(options.filename).slice(1).toLowerCase();

  // an .xlsx whatever its name; xlsx.ts also says what to do with an .xls, an encrypted or a damaged workbook
  if (SPREADSHEETS.has(ext) || isOle2(head) || isOfficeZip(head) || (isZip(head) && (await isWorkbookZip(file)))) return openXlsx(file, options);
  if (isZip(head) || ext === 'zip') return openZippedShapefile(file, options);
  if (isShpHeader(head) || SHAPEFILE_PARTS.has(ext)) {
    throw new GisFileError(
      422,
      `单独的 .${ext || 'shp'} 文件无法导入 a Shapefile is several files and this is only one: put the layer's .shp, .shx, .dbf and .prj (and .cpg if any) in one .zip and upload the .zip`,
    );
  }
  if (looksLikeJson(head) || JSON_EXTENSIONS.has(ext)) return openGeoJson(file, options);
  if (CSV_EXTENSIONS.has(ext)) return openCsv(file, options);
  throw new GisFileError(400, `不支持的文件格式 we can't read ${ext ? `.${ext} files` : 'this file (it has no extension)'}: upload ${FORMATS}`);
}

async function openZippedShapefile(file: string, options: OpenLayerOptions): Promise<OpenedLayer> {
  const extracted = await extractShapefile(file, { layer: options.layer, tmpDir: options.tmpDir });
  let layer: ShapefileLayer;
  try {
    layer = await openShapefile(extracted.files, { encoding: options.encoding });
  } catch (err) {
    await extracted.cleanup();
    throw err;
  }
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      try {
        await layer.close();
      } finally {
        await extracted.cleanup();
      }
    })());
  if (layer.count === 0) {
    await close();
    throw new GisFileError(422, `文件中没有要素 the file has no features (layer ${extracted.layer} has 0 records): export the layer again with its features`);
  }
  const features = () => layer.features();
  return {
    format: 'shapefile',
    name: extracted.layer.split('/').pop()!,
    fieldNames: layer.fieldNames,
    encoding: layer.encoding,
    encodingSource: layer.encodingSource,
    prj: layer.prj,
    count: layer.count,
    samplePosition: positionSampler(features),
    features,
    close,
  };
}

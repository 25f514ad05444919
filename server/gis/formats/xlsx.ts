import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser } from 'saxes';
import yauzl from 'yauzl';
import { geometryColumns, rowGeometry, type ResolvedColumns } from './csv.ts';
import type { DbfValue } from './dbf.ts';
import { GisFileError } from './errors.ts';
import { positionSampler } from './geojson.ts';
import type { OpenedLayer, OpenLayerOptions, SourceFeature } from './layer.ts';

// An .xlsx is read here rather than with read-excel-file: that library parses a sheet in chunks that shrink as
// the rows it has read grow, recursing once per chunk, so a 150,000-row sheet blocks the event loop for a
// minute and then overflows the stack. Here the sheet is streamed out of the zip and parsed with saxes a row at a
// time; only the shared strings (and the styles, to tell dates from numbers) are held in memory.

/**
 * What we read from an Excel file at most: hard caps, not settings. The shared strings (every text cell's
 * text, WKT included) are held in memory; the sheet itself is streamed.
 */
export interface XlsxLimits {
  /** Size of the .xlsx file itself. */
  maxFileBytes: number;
  /** Sum of the uncompressed sizes of the workbook's XML parts (sheets, shared strings, styles…). */
  maxXmlBytes: number;
  /** Rows after the header, up to the last one with a value. */
  maxRows: number;
}

export const XLSX_LIMITS: Readonly<XlsxLimits> = Object.freeze({ maxFileBytes: 50 << 20, maxXmlBytes: 256 << 20, maxRows: 200_000 });

const SAVE_AS_CSV = 'or in Excel Save As "CSV UTF-8" (with the geometry as a WKT column or longitude and latitude columns) and upload the .csv';

const damaged = (why: string) =>
  new GisFileError(
    400,
    `Excel 文件已损坏 the Excel workbook is damaged or incomplete (${why}): download or copy it again, ` +
      `or open it in Excel (it offers to repair it) and save it as .xlsx, then upload it; ${SAVE_AS_CSV}`,
  );

const unreadable = (why: string) =>
  new GisFileError(
    422,
    `Excel 文件无法读取 the Excel workbook can't be read (${why}): open it in Excel and save it again as .xlsx, then upload it; ${SAVE_AS_CSV}`,
  );

const mb = (bytes: number) => `${Math.ceil(bytes / (1 << 20))} MB`;

/** A spreadsheet column's letter(s), as Excel shows them: 1 → A, 27 → AA. */
export function columnLetter(column: number): string {
  let s = '';
  for (let c = column; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s;
}

// ---- cell values ------------------------------------------------------------------------------------------

const NUMBER_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * A numeric cell's value as the XML stores it ("110101001001001", "10234.5", "1.10101001001001E+14"): a JS
 * number, except a whole number of 15 digits or more, which is a code: that comes back as its digits, never in
 * exponent form nor rounded again by a double. Excel itself keeps 15 significant digits, so an 18-digit code
 * typed as a number is stored as 420102001001004000, and those are the digits it comes back as.
 */
export function numberValue(raw: string): number | string {
  const text = raw.trim();
  const m = NUMBER_TEXT.exec(text);
  const value = Number(text);
  if (!m || (m[2] === '' && !m[3]) || !Number.isFinite(value)) return text;
  const [, sign, int = '', frac = ''] = m;
  let digits = int + frac;
  let point = int.length + Number(m[4] ?? 0);
  const leading = /^0*/.exec(digits)![0].length;
  digits = digits.slice(leading).replace(/0+$/, '');
  point -= leading;
  if (digits === '') return 0;
  if (point < digits.length) return value;
  const whole = digits + '0'.repeat(point - digits.length);
  return whole.length >= 15 ? (sign === '-' ? '-' : '') + whole : value;
}

/**
 * An Excel date serial (days since 1899-12-30, or since 1904-01-01 in a 1904 workbook) as YYYY-MM-DD, with
 * HH:MM:SS when it has a time of day, and the time alone for a time (a serial under 1). Serials 1–59 are
 * before Excel's phantom 1900-02-29, so they count from 1899-12-31.
 */
export function excelDate(serial: number, date1904 = false): string | null {
  if (!Number.isFinite(serial) || serial < 0) return null;
  const base = date1904 ? Date.UTC(1904, 0, 1) : serial < 60 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
  const iso = new Date(base + Math.round(serial * 86_400) * 1000).toISOString();
  const [day, time] = [iso.slice(0, 10), iso.slice(11, 19)];
  if (serial < 1 && !date1904) return time;
  return time === '00:00:00' ? day : `${day} ${time}`;
}

/** A `t="d"` cell's ISO 8601 text (rare: Excel writes dates as serials) in the same form, or as it is. */
function isoDate(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2})?))?/.exec(text.trim());
  if (!m) return text.trim();
  const time = m[2] ? (m[2].length === 5 ? `${m[2]}:00` : m[2]) : '00:00:00';
  return time === '00:00:00' ? m[1]! : `${m[1]} ${time}`;
}

/** Built-in number formats that are dates or times: en-US 14–22 and 45–47, and the CJK ones of a Chinese Excel (yyyy"年"m"月"d"日"…). */
const BUILTIN_DATE_FORMATS = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58,
]);

/** Whether a custom number format shows a date or time: y m d h s outside quotes, escapes and [colour]/[$-804] brackets. */
export function isDateFormat(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/[\\_*]./g, '')
    .replace(/\[(?![hms]+\])[^\]]*\]/gi, '');
  return /[ymdhs]/i.test(bare) || bare.includes('上午/下午');
}

// ---- XML --------------------------------------------------------------------------------------------------

/** OOXML's escape of characters XML can't hold in a string (_x000D_ for a carriage return, _x005F_ for `_`). */
const unescapeOoxml = (text: string) =>
  text.includes('_x') ? text.replace(/_x([0-9a-fA-F]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text;

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/** A tag's attributes (as saxes gives them, values decoded) by local name: r:id → id. */
function attributes(raw: Record<string, string>): Record<string, string> {
  if (!Object.keys(raw).some((name) => name.includes(':'))) return raw;
  const out: Record<string, string> = {};
  for (const name in raw) out[localName(name)] = raw[name]!;
  return out;
}

export interface XmlHandler {
  /** A start tag by local name (`x:c` → `c`), with its attributes by qualified name (see attributes()). */
  open(name: string, attrs: Record<string, string>): void;
  /** An end tag, also after the start of an empty tag. */
  close(name: string): void;
  /** Character data, entities decoded, and CDATA sections. */
  text(text: string): void;
}

/**
 * What saxes may hold of one token not yet whole (a text run, a tag, a CDATA section, a comment): more than this is
 * no cell (Excel holds 32,767 characters) but a broken part, refused before it is buffered whole.
 */
const MAX_TOKEN_CHARS = 4 << 20;

/**
 * Parses an XML part of the workbook with saxes as its bytes come out of the zip, in chunks of any size,
 * calling `handler` as it goes and yielding after each chunk (the caller may stop there). Namespaces are not
 * resolved but dropped (Excel, LibreOffice, WPS and .NET's `x:` prefix all read alike); comments, processing
 * instructions and DOCTYPE are skipped. Malformed XML is a damaged workbook (400).
 */
export async function* parseXml(chunks: AsyncIterable<Buffer>, handler: XmlHandler, part: string): AsyncGenerator<void> {
  const parser = new SaxesParser();
  let fed = 0;
  let tokenEnd = 0;
  const mark = () => {
    tokenEnd = parser.position;
  };
  parser.on('opentag', (tag) => {
    mark();
    handler.open(localName(tag.name), tag.attributes);
  });
  parser.on('closetag', (tag) => {
    mark();
    handler.close(localName(tag.name));
  });
  parser.on('text', (text) => {
    mark();
    handler.text(text);
  });
  parser.on('cdata', (text) => {
    mark();
    handler.text(text);
  });
  parser.on('comment', mark);
  parser.on('processinginstruction', mark);
  parser.on('doctype', mark);
  parser.on('xmldecl', mark);
  const decoder = new StringDecoder('utf8');
  const write = (text: string) => {
    fed += text.length;
    parser.write(text);
    if (fed - tokenEnd > MAX_TOKEN_CHARS) {
      throw unreadable(`it holds a value or tag of more than ${MAX_TOKEN_CHARS.toLocaleString('en')} characters`);
    }
  };
  try {
    for await (const chunk of chunks) {
      write(decoder.write(chunk));
      yield;
    }
    write(decoder.end());
    parser.close();
  } catch (err) {
    throw err instanceof GisFileError ? err : damaged(`${part}: ${(err as Error).message}`);
  }
}

// ---- the zip ----------------------------------------------------------------------------------------------

const startsWith = (head: Buffer, bytes: number[]) => bytes.every((b, i) => head[i] === b);
const isZip = (head: Buffer) => startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06]);
const isOle2 = (head: Buffer) => startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

interface Zip {
  zip: yauzl.ZipFile;
  entries: Map<string, yauzl.Entry>;
}

/** The zip and its entries by name, from the central directory (yauzl then holds each entry to its declared size). */
function openZip(file: string): Promise<Zip> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true }, (err, zip) => {
      if (err) return reject(err);
      const entries = new Map<string, yauzl.Entry>();
      zip.on('entry', (entry: yauzl.Entry) => {
        entries.set(entry.fileName, entry);
        zip.readEntry();
      });
      zip.on('end', () => resolve({ zip, entries }));
      zip.on('error', (e: Error) => {
        zip.close();
        reject(e);
      });
      zip.readEntry();
    });
  });
}

/** Whether a zip is an Excel workbook (it has xl/workbook.xml), wherever its entries are; false for a zip we can't read. */
export async function isWorkbookZip(file: string): Promise<boolean> {
  try {
    const { zip, entries } = await openZip(file);
    zip.close();
    return entries.has('xl/workbook.xml');
  } catch {
    return false;
  }
}

const openEntry = (zip: yauzl.ZipFile, entry: yauzl.Entry) =>
  new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))));

/** Feeds a zip entry's XML through `handler`. */
async function scanEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, handler: XmlHandler): Promise<void> {
  const stream = await openEntry(zip, entry);
  try {
    for await (const _ of parseXml(stream as AsyncIterable<Buffer>, handler, entry.fileName));
  } finally {
    stream.destroy();
  }
}

// ---- the workbook -----------------------------------------------------------------------------------------

interface Workbook {
  sheets: { name: string; part: string | undefined }[];
  date1904: boolean;
  sharedStrings: string[];
  /** Per cell style (the `s` of a cell): whether its number format is a date. */
  dateStyles: boolean[];
}

/** A relationship's target as a zip entry name: relative to xl/, or absolute from the root. */
const partName = (target: string) => (target.startsWith('/') ? target.slice(1) : path.posix.normalize(`xl/${target}`));

async function readWorkbook({ zip, entries }: Zip): Promise<Workbook> {
  const part = (name: string) => entries.get(name);
  const workbook: Workbook = { sheets: [], date1904: false, sharedStrings: [], dateStyles: [] };
  const sheetIds: { name: string; id: string }[] = [];
  await scanEntry(zip, part('xl/workbook.xml')!, {
    open(name, raw) {
      if (name === 'workbookPr') workbook.date1904 = /^(1|true)$/i.test(attributes(raw).date1904 ?? '');
      else if (name === 'sheet') {
        const a = attributes(raw);
        sheetIds.push({ name: a.name ?? '', id: a.id ?? '' });
      }
    },
    close() {},
    text() {},
  });

  const targets = new Map<string, string>();
  let sharedStringsPart = 'xl/sharedStrings.xml';
  let stylesPart = 'xl/styles.xml';
  const rels = part('xl/_rels/workbook.xml.rels');
  if (!rels) throw unreadable('it has no xl/_rels/workbook.xml.rels, which says where its sheets are');
  await scanEntry(zip, rels, {
    open(name, raw) {
      if (name !== 'Relationship') return;
      const a = attributes(raw);
      if (!a.Id || !a.Target) return;
      targets.set(a.Id, partName(a.Target));
      if (a.Type?.endsWith('/sharedStrings')) sharedStringsPart = partName(a.Target);
      if (a.Type?.endsWith('/styles')) stylesPart = partName(a.Target);
    },
    close() {},
    text() {},
  });
  workbook.sheets = sheetIds.map((s) => ({ name: s.name, part: targets.get(s.id) }));

  const strings = part(sharedStringsPart);
  if (strings) {
    // <si> is a string: its <t>, or the <t> of its rich-text runs <r>; phonetic runs <rPh> are not the text
    let text: string | undefined;
    let inT = false;
    let phonetic = 0;
    await scanEntry(zip, strings, {
      open(name) {
        if (name === 'si') text = '';
        else if (name === 't') inT = true;
        else if (name === 'rPh') phonetic++;
      },
      close(name) {
        if (name === 'si') {
          workbook.sharedStrings.push(text ?? '');
          text = undefined;
        } else if (name === 't') inT = false;
        else if (name === 'rPh') phonetic--;
      },
      text(t) {
        if (inT && phonetic === 0 && text !== undefined) text += t;
      },
    });
  }

  const styles = part(stylesPart);
  if (styles) {
    const formats = new Map<number, string>();
    const xfFormats: number[] = [];
    let inCellXfs = false;
    await scanEntry(zip, styles, {
      open(name, raw) {
        if (name === 'numFmt') {
          const a = attributes(raw);
          formats.set(Number(a.numFmtId), a.formatCode ?? '');
        } else if (name === 'cellXfs') inCellXfs = true;
        else if (name === 'xf' && inCellXfs) xfFormats.push(Number(attributes(raw).numFmtId ?? 0));
      },
      close(name) {
        if (name === 'cellXfs') inCellXfs = false;
      },
      text() {},
    });
    workbook.dateStyles = xfFormats.map((id) => (formats.has(id) ? isDateFormat(formats.get(id)!) : BUILTIN_DATE_FORMATS.has(id)));
  }
  return workbook;
}

/** One row of a sheet: its Excel row number and its cells by column (cell j is column j + 1). */
interface SheetRow {
  r: number;
  cells: DbfValue[];
}

const MAX_COLUMNS = 16_384;

/**
 * The rows of a sheet part as they are streamed out of the zip, empty cells null. Text is trimmed (empty → null),
 * numbers are numberValue's, date-formatted numbers excelDate's, booleans true/false, a formula's error its code
 * (#N/A), a formula its last computed value.
 */
async function* sheetRows(zip: yauzl.ZipFile, entry: yauzl.Entry, workbook: Workbook): AsyncGenerator<SheetRow> {
  const ready: SheetRow[] = [];
  let row: SheetRow | undefined;
  let lastRow = 0;
  let lastColumn = 0;
  let cell: { column: number; ref: string; type: string; style: number; v?: string; inline?: string } | undefined;
  let inV = false;
  let inInline = false;
  let inT = false;
  let phonetic = 0;
  let done = false;

  const text = (t: string) => {
    const v = unescapeOoxml(t).trim();
    return v === '' ? null : v;
  };
  const value = (c: NonNullable<typeof cell>): DbfValue => {
    const v = c.v?.trim() ?? '';
    switch (c.type) {
      case 's': {
        if (v === '') return null;
        const s = workbook.sharedStrings[Number(v)];
        if (s === undefined) throw unreadable(`cell ${c.ref} names shared string ${v}, and there are ${workbook.sharedStrings.length}`);
        return text(s);
      }
      case 'inlineStr':
        return text(c.inline ?? c.v ?? '');
      case 'str':
      case 'e':
        return text(c.v ?? '');
      case 'b':
        return v === '' ? null : v === '1' || v.toLowerCase() === 'true';
      case 'd':
        return v === '' ? null : isoDate(v);
      default:
        if (v === '') return null;
        if (workbook.dateStyles[c.style]) return excelDate(Number(v), workbook.date1904) ?? numberValue(v);
        return numberValue(v);
    }
  };

  const handler: XmlHandler = {
    open(name, raw) {
      if (done) return;
      if (name === 'row') {
        const r = Number(attributes(raw).r ?? lastRow + 1);
        if (!Number.isInteger(r) || r <= lastRow) throw unreadable(`row ${r} comes after row ${lastRow}`);
        row = { r, cells: [] };
        lastRow = r;
        lastColumn = 0;
      } else if (name === 'c' && row) {
        const a = attributes(raw);
        const letters = a.r ? /^([A-Z]+)\d*$/i.exec(a.r)?.[1] : undefined;
        const column = letters ? [...letters.toUpperCase()].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) : lastColumn + 1;
        if (column > MAX_COLUMNS) throw unreadable(`cell ${a.r} is past Excel's last column XFD`);
        lastColumn = column;
        cell = { column, ref: a.r ?? `${columnLetter(column)}${row.r}`, type: a.t ?? 'n', style: Number(a.s ?? 0) };
      } else if (cell) {
        if (name === 'v') [inV, cell.v] = [true, ''];
        else if (name === 'is') [inInline, cell.inline] = [true, ''];
        else if (name === 't') inT = true;
        else if (name === 'rPh') phonetic++;
      }
    },
    close(name) {
      if (done) return;
      if (name === 'c' && cell && row) {
        const v = value(cell);
        if (v !== null) {
          while (row.cells.length < cell.column - 1) row.cells.push(null);
          row.cells[cell.column - 1] = v;
        }
        cell = undefined;
      } else if (name === 'row' && row) {
        ready.push(row);
        row = undefined;
      } else if (name === 'v') inV = false;
      else if (name === 'is') inInline = false;
      else if (name === 't') inT = false;
      else if (name === 'rPh') phonetic--;
      else if (name === 'sheetData') done = true;
    },
    text(t) {
      if (!cell) return;
      if (inV) cell.v = (cell.v ?? '') + t;
      else if (inInline && inT && phonetic === 0) cell.inline = (cell.inline ?? '') + t;
    },
  };

  const stream = await openEntry(zip, entry);
  try {
    for await (const _ of parseXml(stream as AsyncIterable<Buffer>, handler, entry.fileName)) {
      while (ready.length > 0) yield ready.shift()!;
      if (done) return;
    }
    while (ready.length > 0) yield ready.shift()!;
  } finally {
    stream.destroy();
  }
}

// ---- refusals ---------------------------------------------------------------------------------------------

/** Whether the file holds any of `needles` (bytes), read in chunks. */
async function fileContains(file: string, needles: Buffer[]): Promise<boolean> {
  const overlap = Math.max(...needles.map((n) => n.length)) - 1;
  let tail = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const window = Buffer.concat([tail, chunk]);
    if (needles.some((n) => window.includes(n))) return true;
    tail = window.subarray(Math.max(0, window.length - overlap));
  }
  return false;
}

/**
 * An OLE2 compound file: an old binary .xls (or WPS .et), or an .xlsx encrypted with a password, which Office
 * wraps in OLE2 with EncryptionInfo and EncryptedPackage streams (their directory names are UTF-16LE).
 */
async function refuseOle2(file: string): Promise<never> {
  if (await fileContains(file, [Buffer.from('EncryptedPackage', 'utf16le'), Buffer.from('EncryptionInfo', 'utf16le')])) {
    throw new GisFileError(
      422,
      'Excel 文件有密码保护 the workbook is encrypted with a password, so it can’t be read: open it in Excel, ' +
        'File › Info › Protect Workbook › Encrypt with Password (文件 › 信息 › 保护工作簿 › 用密码进行加密), clear the password, save and upload it again',
    );
  }
  throw new GisFileError(
    422,
    '不支持旧版 Excel 文件（.xls） this is an old binary Excel workbook (.xls, or WPS .et), which we don’t read: open it in Excel or WPS and ' +
      `Save As "Excel Workbook (*.xlsx)" (Excel 工作簿), then upload the .xlsx; ${SAVE_AS_CSV}`,
  );
}

/** csv.ts words its messages for a CSV; here the columns are a sheet's. */
function inSheetTerms(err: unknown): unknown {
  if (!(err instanceof GisFileError)) return err;
  const message = err.message
    .replace('CSV 中没有列', '工作表中没有列')
    .replace(/the CSV's/g, "the sheet's")
    .replace(/the CSV\b/g, 'the sheet');
  return new GisFileError(err.status, message);
}

// ---- the layer --------------------------------------------------------------------------------------------

/** The header's names as csv.ts makes them: trimmed, trailing empty cells dropped, an empty one named 列N, repeats numbered. */
function headerNames(header: DbfValue[]): string[] {
  const texts = Array.from(header, (v) => (v === null || v === undefined ? '' : String(v)));
  while (texts.length > 0 && texts[texts.length - 1] === '') texts.pop();
  const names: string[] = [];
  texts.forEach((text, i) => {
    const base = text === '' ? `列${i + 1}` : text;
    let name = base;
    for (let k = 2; names.includes(name); k++) name = `${base}_${k}`;
    names.push(name);
  });
  return names;
}

const cellText = (v: DbfValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
const isEmptyRow = (row: SheetRow) => row.cells.every((v) => v === null || v === undefined);

/**
 * Opens an Excel register (.xlsx, .xlsm) as csv.ts opens a CSV one: the first sheet, or the sheet named by
 * options.layer; its first non-empty row is the header; the geometry is a WKT column or longitude and latitude
 * columns, given or proposed from the header exactly as for a CSV; `n` is the data row (1 = the first row after
 * the header), and messages name the Excel row. Cells: text trimmed, empty → null; numbers as numbers, but a
 * whole number of 15+ digits (a code) as its digits; dates as YYYY-MM-DD (with the time if it has one);
 * booleans as true/false. A .xls, an encrypted or a damaged workbook is refused saying what to do; a file over
 * `limits` is a 413. The sheet is read once on open (to find the header, the geometry column and any problem
 * of the whole sheet) and streamed again by each features(); close() closes the zip.
 */
export async function openXlsx(file: string, options: OpenLayerOptions, limits: XlsxLimits = XLSX_LIMITS): Promise<OpenedLayer> {
  const handle = await open(file, 'r');
  let head: Buffer;
  let size: number;
  try {
    size = (await handle.stat()).size;
    head = Buffer.alloc(8);
    head = head.subarray(0, (await handle.read(head, 0, 8, 0)).bytesRead);
  } finally {
    await handle.close();
  }
  if (isOle2(head)) return refuseOle2(file);
  if (!isZip(head)) {
    throw new GisFileError(
      400,
      `不是 Excel 文件 the file is named ${path.extname(options.filename) || 'as a workbook'} but is not an Excel workbook (an .xlsx is a zip, and this is not one): ` +
        'if it is a CSV, name it .csv and upload it again; otherwise open it in Excel and save it as .xlsx',
    );
  }
  const tooLarge = (what: string) =>
    new GisFileError(
      413,
      `Excel 文件过大 ${what}: split the register into several workbooks (at most ${limits.maxRows.toLocaleString('en')} rows and ${mb(limits.maxFileBytes)} each), ${SAVE_AS_CSV}`,
    );
  if (size > limits.maxFileBytes) throw tooLarge(`the workbook is ${mb(size)}, more than the ${mb(limits.maxFileBytes)} we read from an Excel file`);

  let zip: Zip;
  try {
    zip = await openZip(file);
  } catch (err) {
    throw damaged((err as Error).message);
  }
  try {
    return await openSheet(zip, options, limits, tooLarge);
  } catch (err) {
    zip.zip.close();
    throw err;
  }
}

async function openSheet(zip: Zip, options: OpenLayerOptions, limits: XlsxLimits, tooLarge: (what: string) => GisFileError): Promise<OpenedLayer> {
  const names = new Set(zip.entries.keys());
  if (!names.has('xl/workbook.xml')) {
    if (names.has('content.xml') && names.has('mimetype')) {
      throw new GisFileError(
        422,
        `不支持 OpenDocument 表格 this is an OpenDocument spreadsheet (.ods), not an Excel workbook: save it as .xlsx and upload that; ${SAVE_AS_CSV}`,
      );
    }
    throw new GisFileError(
      422,
      `不是 Excel 工作簿 the zip is not an Excel workbook (it has no xl/workbook.xml${names.has('[Content_Types].xml') ? ': a Word or PowerPoint file?' : ''}): ` +
        `upload the .xlsx itself, ${SAVE_AS_CSV}`,
    );
  }
  let xmlBytes = 0;
  for (const [name, entry] of zip.entries) if (/\.(xml|rels)$/i.test(name)) xmlBytes += entry.uncompressedSize;
  if (xmlBytes > limits.maxXmlBytes) {
    throw tooLarge(`the workbook unpacks to ${mb(xmlBytes)} of sheets and text, more than the ${mb(limits.maxXmlBytes)} we read from an Excel file`);
  }

  const workbook = await readWorkbook(zip);
  const wanted = options.layer?.trim();
  const sheet = wanted
    ? (workbook.sheets.find((s) => s.name === wanted) ?? workbook.sheets.find((s) => s.name.trim().toLowerCase() === wanted.toLowerCase()))
    : workbook.sheets[0];
  if (!sheet) {
    if (!wanted) throw unreadable('it has no sheets');
    throw new GisFileError(
      422,
      `没有工作表 ${wanted} the workbook has no sheet "${wanted}"; its sheets are ${workbook.sheets.map((s) => s.name).join(', ')}: name one of them (layer=…)`,
    );
  }
  const entry = sheet.part ? zip.entries.get(sheet.part) : undefined;
  if (!entry) throw unreadable(`sheet "${sheet.name}" has no part ${sheet.part ?? ''} in the zip`);
  const sheetWords = `sheet "${sheet.name}"`;
  const rows = () => sheetRows(zip.zip, entry, workbook);

  // the whole sheet once: its header, the first value of each column (to propose the geometry), the caps
  let header: { r: number; names: string[] } | undefined;
  const firstValues: (string | undefined)[] = [];
  let features = 0;
  for await (const row of rows()) {
    if (isEmptyRow(row)) continue;
    if (!header) {
      header = { r: row.r, names: headerNames(row.cells) };
      continue;
    }
    const { names: columns } = header;
    if (row.r - header.r > limits.maxRows) {
      throw tooLarge(
        `${sheetWords} has more than ${limits.maxRows.toLocaleString('en')} rows after the header (Excel row ${row.r} has values), the most we read from an Excel file`,
      );
    }
    features++;
    for (let j = columns.length; j < row.cells.length; j++) {
      if (cellText(row.cells[j]) !== null) {
        throw new GisFileError(
          422,
          `列数过多 Excel row ${row.r} has a value in column ${columnLetter(j + 1)}, right of the header's ${columns.length} columns (A–${columnLetter(columns.length)}, row ${header.r}): ` +
            'name the column in the header, or delete the value',
        );
      }
    }
    columns.forEach((_, j) => {
      firstValues[j] ??= cellText(row.cells[j]) ?? undefined;
    });
  }
  const noFeatures = (why: string) =>
    new GisFileError(
      422,
      `文件中没有要素 the file has no features (${why}): put the register in ${sheetWords}, a header row and a row per feature, or upload the right file`,
    );
  if (!header) throw noFeatures(`${sheetWords} is empty`);
  if (features === 0) throw noFeatures(`${sheetWords} has a header in row ${header.r} and no rows under it`);
  const { r: headerRow, names: columns } = header;

  let resolved: ResolvedColumns;
  try {
    resolved = geometryColumns(columns, firstValues, options);
  } catch (err) {
    throw inSheetTerms(err);
  }
  const geometryIndexes = new Set('wkt' in resolved ? [resolved.wkt] : [resolved.lon, resolved.lat]);
  const propertyColumns = columns.map((name, i) => ({ name, i })).filter((c) => !geometryIndexes.has(c.i));
  const srid = 'wkt' in resolved ? /^\s*SRID=(\d+)\s*;/i.exec(firstValues[resolved.wkt] ?? '')?.[1] : undefined;

  const featureRows = async function* (): AsyncGenerator<SourceFeature> {
    for await (const row of rows()) {
      if (row.r <= headerRow || isEmptyRow(row)) continue;
      const properties: Record<string, DbfValue> = {};
      for (const c of propertyColumns) properties[c.name] = row.cells[c.i] ?? null;
      const geometry = rowGeometry(resolved, (j) => cellText(row.cells[j]), columns);
      if (geometry.geometryError) geometry.geometryError += ` (Excel row ${row.r})`;
      yield { n: row.r - headerRow, properties, ...geometry };
    }
  };

  let closed = false;
  return {
    format: 'xlsx',
    name: path.parse(options.filename).name,
    fieldNames: propertyColumns.map((c) => c.name),
    declaredEpsg: srid ? Number(srid) : undefined,
    geometryColumns: 'wkt' in resolved ? { wkt: columns[resolved.wkt]! } : { lon: columns[resolved.lon]!, lat: columns[resolved.lat]! },
    samplePosition: positionSampler(featureRows),
    features: featureRows,
    close: async () => {
      if (!closed) zip.zip.close();
      closed = true;
    },
  };
}

import { GisFileError } from './errors.ts';
import { ByteSource } from './source.ts';
import { decodeStrict, decodeText, encodeText, LDID, type TextEncoding, type TextSample } from './encoding.ts';

export type DbfType = 'C' | 'N' | 'F' | 'L' | 'D';

export interface DbfField {
  /** The name's bytes as stored: their encoding is only known once the file's is. */
  rawName: Uint8Array;
  type: string;
  length: number;
  decimals: number;
  /** Where the field starts in a record (after the deletion flag). */
  offset: number;
}

export interface DbfHeader {
  version: number;
  recordCount: number;
  headerLength: number;
  recordLength: number;
  /** Language driver id (byte 29): 0x4D is code page 936. */
  ldid: number;
  fields: DbfField[];
}

export type DbfValue = string | number | boolean | null;

export interface DbfRecord {
  /** The record's position in the file from 0, deleted ones counted: the .shp record of the same index is its shape. */
  index: number;
  properties: Record<string, DbfValue>;
}

const notDbf = (why: string) => new GisFileError(422, `.dbf 属性表文件损坏 the .dbf file is broken (${why}): export the layer again from the GIS`);

function parseHeader(head: Buffer, descriptors: Buffer): DbfHeader {
  const header = {
    version: head[0]!,
    recordCount: head.readUInt32LE(4),
    headerLength: head.readUInt16LE(8),
    recordLength: head.readUInt16LE(10),
    ldid: head[29]!,
    fields: [] as DbfField[],
  };
  let offset = 1;
  for (let at = 0; at + 32 <= descriptors.length && descriptors[at] !== 0x0d; at += 32) {
    const d = descriptors.subarray(at, at + 32);
    const nul = d.indexOf(0);
    const rawName = Uint8Array.from(d.subarray(0, nul >= 0 && nul < 11 ? nul : 11));
    const field = { rawName, type: String.fromCharCode(d[11]!), length: d[16]!, decimals: d[17]!, offset };
    header.fields.push(field);
    offset += field.length;
  }
  if (header.fields.length === 0) throw notDbf('no fields');
  if (offset !== header.recordLength) throw notDbf(`its fields add up to ${offset} bytes a record but the header says ${header.recordLength}`);
  return header;
}

const ascii = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1').trim();

/**
 * A .dbf read record by record. The header is read on open; records are decoded in the encoding the caller
 * settles on (from .cpg, LDID or a sniff of `textSample`), so text is never decoded twice or guessed at.
 */
export class DbfReader {
  private constructor(
    private readonly source: ByteSource,
    readonly header: DbfHeader,
  ) {}

  static async open(input: string | Uint8Array): Promise<DbfReader> {
    const source = await ByteSource.open(input);
    try {
      const head = Buffer.from(await source.read(0, 32));
      if (head.length < 32) throw notDbf('shorter than its 32-byte header');
      const headerLength = head.readUInt16LE(8);
      if (headerLength < 33) throw notDbf(`header length ${headerLength}`);
      const header = parseHeader(head, Buffer.from(await source.read(32, headerLength - 32)));
      return new DbfReader(source, header);
    } catch (err) {
      await source.close();
      throw err;
    }
  }

  fieldNames(encoding: TextEncoding): string[] {
    return this.header.fields.map((f) => decodeText(f.rawName, encoding).trim());
  }

  /** Field names and the text fields of the first `rows` records, raw, to sniff the encoding from. */
  async textSample(rows = 1000): Promise<TextSample[]> {
    const samples: TextSample[] = this.header.fields.map((f, i) => ({ bytes: f.rawName, where: `the name of field ${i + 1}` }));
    const text = this.header.fields.filter((f) => f.type === 'C');
    for await (const { index, bytes } of this.rawRecords(rows)) {
      for (const f of text) {
        const value = trimRight(bytes.subarray(f.offset, f.offset + f.length));
        if (value.length > 0) samples.push({ bytes: Uint8Array.from(value), where: `row ${index + 1}` });
      }
    }
    return samples;
  }

  private async *rawRecords(limit = Infinity): AsyncGenerator<{ index: number; bytes: Buffer }> {
    const { headerLength, recordLength, recordCount } = this.header;
    for (let index = 0; index < Math.min(recordCount, limit); index++) {
      const bytes = await this.source.read(headerLength + index * recordLength, recordLength);
      if (bytes.length < recordLength) throw notDbf(`the header says ${recordCount} records but the file ends in record ${index + 1}`);
      if (bytes[0] === 0x2a) continue; // '*': deleted
      yield { index, bytes };
    }
  }

  async *records(encoding: TextEncoding): AsyncGenerator<DbfRecord> {
    const names = this.fieldNames(encoding);
    for await (const { index, bytes } of this.rawRecords()) {
      const properties: Record<string, DbfValue> = {};
      this.header.fields.forEach((f, i) => {
        properties[names[i]!] = decodeValue(f, bytes.subarray(f.offset, f.offset + f.length), encoding, () => `row ${index + 1}, field ${names[i]}`);
      });
      yield { index, properties };
    }
  }

  close(): Promise<void> {
    return this.source.close();
  }
}

function trimRight(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0)) end--;
  return bytes.subarray(0, end);
}

function decodeValue(field: DbfField, bytes: Uint8Array, encoding: TextEncoding, where: () => string): DbfValue {
  switch (field.type) {
    case 'N':
    case 'F': {
      const text = ascii(bytes);
      // an overflowing number is written as asterisks
      if (text === '' || text.startsWith('*')) return null;
      const n = Number(text);
      return Number.isFinite(n) ? n : null;
    }
    case 'L': {
      const c = ascii(bytes).toUpperCase();
      return 'YT'.includes(c) && c !== '' ? true : 'NF'.includes(c) && c !== '' ? false : null;
    }
    case 'D': {
      const text = ascii(bytes);
      return /^\d{8}$/.test(text) ? `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}` : null;
    }
    default: {
      const raw = trimRight(bytes);
      if (raw.length === 0) return null;
      return decodeStrict(raw, encoding, where());
    }
  }
}

export interface DbfFieldSpec {
  name: string;
  type: DbfType;
  /** Bytes; defaults: C 254, N 18, F 19, L 1, D 8. */
  length?: number;
  decimals?: number;
}

const DEFAULT_LENGTH: Record<DbfType, number> = { C: 254, N: 18, F: 19, L: 1, D: 8 };

/**
 * A .dbf written in GBK or UTF-8: the header (patchable once the count is known), then one record at a
 * time, so an export of 100k rows never holds them all. Text is cut at a character, never mid-character.
 */
export class DbfWriter {
  readonly fields: Required<DbfFieldSpec>[];
  readonly recordLength: number;
  readonly headerLength: number;
  /** The .cpg to write beside the .dbf: other GIS read the encoding from it, not from the LDID. */
  readonly cpg: string;

  constructor(
    specs: DbfFieldSpec[],
    readonly encoding: TextEncoding,
  ) {
    if (specs.length === 0 || specs.length > 255) throw new RangeError(`a .dbf has 1–255 fields, not ${specs.length}`);
    this.fields = specs.map((s) => {
      const length = s.length ?? DEFAULT_LENGTH[s.type];
      const bytes = encodeText(s.name, encoding).length;
      // 10 bytes, not characters: 网格编码 is 8 bytes in GBK but 12 in UTF-8
      if (bytes === 0 || bytes > 10) throw new RangeError(`field name ${s.name} is ${bytes} bytes in ${encoding}; a .dbf field name is 1–10 bytes`);
      if (length < 1 || length > 254) throw new RangeError(`field ${s.name} is ${length} bytes long; 1–254`);
      return { name: s.name, type: s.type, length, decimals: s.decimals ?? (s.type === 'F' ? 8 : 0) };
    });
    this.recordLength = 1 + this.fields.reduce((sum, f) => sum + f.length, 0);
    this.headerLength = 32 + 32 * this.fields.length + 1;
    this.cpg = encoding === 'gbk' ? 'GBK' : 'UTF-8';
  }

  header(recordCount: number, date = new Date()): Buffer {
    const buf = Buffer.alloc(this.headerLength);
    buf[0] = 0x03;
    buf[1] = date.getUTCFullYear() - 1900;
    buf[2] = date.getUTCMonth() + 1;
    buf[3] = date.getUTCDate();
    buf.writeUInt32LE(recordCount, 4);
    buf.writeUInt16LE(this.headerLength, 8);
    buf.writeUInt16LE(this.recordLength, 10);
    buf[29] = LDID[this.encoding];
    this.fields.forEach((f, i) => {
      const at = 32 + 32 * i;
      encodeText(f.name, this.encoding).copy(buf, at);
      buf[at + 11] = f.type.charCodeAt(0);
      buf[at + 16] = f.length;
      buf[at + 17] = f.decimals;
    });
    buf[this.headerLength - 1] = 0x0d;
    return buf;
  }

  record(values: Record<string, unknown>): Buffer {
    const buf = Buffer.alloc(this.recordLength, 0x20);
    let at = 1;
    for (const f of this.fields) {
      this.encodeValue(f, values[f.name]).copy(buf, at);
      at += f.length;
    }
    return buf;
  }

  /** The end-of-file marker after the last record. */
  static readonly EOF = Buffer.from([0x1a]);

  private encodeValue(f: Required<DbfFieldSpec>, value: unknown): Buffer {
    if (value === null || value === undefined || value === '') return Buffer.alloc(0);
    switch (f.type) {
      case 'N':
      case 'F': {
        const n = Number(value);
        if (!Number.isFinite(n)) return Buffer.alloc(0);
        const text = n.toFixed(f.decimals);
        // toFixed answers 1e+21 and above in exponent form, which no DBF reader takes as a number
        if (text.length > f.length || /e/i.test(text)) throw new RangeError(`${n} does not fit field ${f.name} (${f.length} bytes)`);
        return Buffer.from(text.padStart(f.length), 'latin1');
      }
      case 'L':
        return Buffer.from(value ? 'T' : 'F', 'latin1');
      case 'D': {
        const iso = value instanceof Date ? value.toISOString() : String(value);
        return Buffer.from(iso.slice(0, 10).replace(/-/g, ''), 'latin1');
      }
      default:
        return this.fitText(String(value), f.length);
    }
  }

  private fitText(text: string, length: number): Buffer {
    const whole = encodeText(text, this.encoding);
    if (whole.length <= length) return whole;
    const parts: Buffer[] = [];
    let used = 0;
    for (const ch of text) {
      const b = encodeText(ch, this.encoding);
      if (used + b.length > length) break;
      parts.push(b);
      used += b.length;
    }
    return Buffer.concat(parts);
  }
}

/** A whole .dbf in memory with its .cpg text; for small files and test fixtures. */
export function buildDbf(fields: DbfFieldSpec[], rows: Record<string, unknown>[], encoding: TextEncoding): { dbf: Buffer; cpg: string } {
  const writer = new DbfWriter(fields, encoding);
  return { dbf: Buffer.concat([writer.header(rows.length), ...rows.map((r) => writer.record(r)), DbfWriter.EOF]), cpg: writer.cpg };
}

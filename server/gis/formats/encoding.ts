import iconv from 'iconv-lite';
import { GisFileError, hex } from './errors.ts';

/** The two text encodings city GIS data comes in: the bureau's GBK (code page 936) or UTF-8. */
export type TextEncoding = 'gbk' | 'utf-8';

const ALIASES: Record<string, TextEncoding> = {
  '936': 'gbk',
  cp936: 'gbk',
  'windows-936': 'gbk',
  gbk: 'gbk',
  gb2312: 'gbk',
  'gb-2312': 'gbk',
  gb18030: 'gbk',
  'euc-cn': 'gbk',
  '65001': 'utf-8',
  'utf-8': 'utf-8',
  utf8: 'utf-8',
};

/**
 * A .cpg file's contents, an `encoding=` request field or a header value, as one of ours; undefined when
 * it names something else (then the caller falls back to the next source or a sniff).
 */
export function normaliseEncoding(name: string | undefined | null): TextEncoding | undefined {
  if (!name) return undefined;
  // .cpg files from ArcGIS carry a trailing newline, some a BOM
  const key = name
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/_/g, '-');
  return ALIASES[key] ?? ALIASES[key.replace(/^(cp|windows-)/, '')];
}

/**
 * The DBF language driver id. ArcGIS writes 0x4D for code page 936; Visual FoxPro writes 0x7A. There is no
 * id for UTF-8 (it is said by the .cpg), so 0 and unknown ids tell us nothing.
 */
export function encodingFromLdid(ldid: number): TextEncoding | undefined {
  return ldid === 0x4d || ldid === 0x7a ? 'gbk' : undefined;
}

export const LDID: Record<TextEncoding, number> = { gbk: 0x4d, 'utf-8': 0 };

// GB18030 is a superset of GBK and GB2312: decoding as it reads every file in the GBK family, and leaves
// U+FFFD where a byte sequence is not valid, which is what we look for.
const DECODER: Record<TextEncoding, string> = { gbk: 'gb18030', 'utf-8': 'utf-8' };
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Decodes without checking; for field names and text a caller has already checked. */
export function decodeText(bytes: Uint8Array, encoding: TextEncoding): string {
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), DECODER[encoding]);
}

export function encodeText(text: string, encoding: TextEncoding): Buffer {
  return iconv.encode(text, encoding === 'gbk' ? 'gbk' : 'utf-8');
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    // UTF-8 is the one encoding where Node's fatal decoder is trustworthy (it is not for GBK: it drops bad bytes)
    utf8Strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first byte sequence that is not GB18030, by its structure (1, 2 or 4 bytes); undefined when the
 * structure is fine. Used to quote the bad bytes in the message, since U+FFFD can't say where it came from.
 */
export function firstInvalidGb18030(bytes: Uint8Array): { offset: number; bytes: Uint8Array } | undefined {
  let i = 0;
  const bad = (len: number) => ({ offset: i, bytes: bytes.subarray(i, Math.min(bytes.length, i + len)) });
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    if (b === 0x80 || b === 0xff) return bad(2);
    const b2 = bytes[i + 1];
    if (b2 === undefined) return bad(1);
    if ((b2 >= 0x40 && b2 <= 0x7e) || (b2 >= 0x80 && b2 <= 0xfe)) {
      i += 2;
      continue;
    }
    const b3 = bytes[i + 2];
    const b4 = bytes[i + 3];
    if (b2 >= 0x30 && b2 <= 0x39 && b3 !== undefined && b3 >= 0x81 && b3 <= 0xfe && b4 !== undefined && b4 >= 0x30 && b4 <= 0x39) {
      i += 4;
      continue;
    }
    return bad(2);
  }
  return undefined;
}

function undecodable(where: string, bytes: Uint8Array, encodings: string): GisFileError {
  const found = firstInvalidGb18030(bytes);
  const quoted = found ? `bytes ${hex(found.bytes)} at byte ${found.offset}` : `bytes ${hex(bytes.subarray(0, 16))}`;
  return new GisFileError(
    422,
    `文字编码无法识别 the text in ${where} is not valid ${encodings} (${quoted}): save the file again as UTF-8 or GBK, or say its encoding (encoding=gbk|utf-8)`,
  );
}

/**
 * Decodes text in a declared encoding, refusing bytes that aren't valid in it rather than letting them
 * become U+FFFD in the database. `where` says which row and field, for the message.
 */
export function decodeStrict(bytes: Uint8Array, encoding: TextEncoding, where: string): string {
  if (encoding === 'utf-8') {
    if (!isUtf8(bytes)) throw undecodable(where, bytes, 'UTF-8');
    return decodeText(bytes, encoding);
  }
  const text = decodeText(bytes, encoding);
  if (text.includes('\uFFFD')) throw undecodable(where, bytes, 'GBK');
  return text;
}

/** A sample of a file's text (field names, the first rows' text fields) and where each came from. */
export interface TextSample {
  bytes: Uint8Array;
  where: string;
}

/**
 * Which encoding a file's text is in, when nothing declared it: UTF-8 if every sample is valid UTF-8 (pure
 * ASCII is, and then either is right), else GBK if every sample decodes as GB18030 without U+FFFD. Valid
 * UTF-8 is first because GBK text is almost never valid UTF-8, while UTF-8 Chinese is often "valid" GBK.
 */
export function sniffEncoding(samples: Iterable<TextSample>): TextEncoding {
  const list = [...samples];
  if (list.every((s) => isUtf8(s.bytes))) return 'utf-8';
  for (const s of list) {
    if (decodeText(s.bytes, 'gbk').includes('\uFFFD')) throw undecodable(s.where, s.bytes, 'UTF-8 nor GBK');
  }
  return 'gbk';
}

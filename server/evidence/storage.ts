import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

export type ImageMime = 'image/jpeg' | 'image/png' | 'image/webp';

/** The type a file really is, from its first bytes; the declared type is not trusted. */
export function sniffImage(head: Buffer): ImageMime | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return null;
}

/** Content-addressed files under DATA_DIR/evidence/ab/abcdef…: the same photo is stored once. */
export class EvidenceStore {
  constructor(private readonly root: string) {}

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a sha256');
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  async put(bytes: Buffer): Promise<string> {
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    const file = this.pathOf(sha256);
    if (!fs.existsSync(file)) {
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      // Written aside then renamed, so a reader never sees half a photo.
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      await fs.promises.writeFile(tmp, bytes);
      await fs.promises.rename(tmp, file);
    }
    return sha256;
  }

  read(sha256: string): fs.ReadStream {
    return fs.createReadStream(this.pathOf(sha256));
  }
}

const FORMAT_MIME: Record<string, ImageMime> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };
const LABEL: Record<ImageMime, string> = { 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'image/webp': 'WebP' };

/**
 * Why `bytes` (sniffed as `mime`) is not a photo to keep, or null: every pixel is decoded (a file that
 * only starts like an image, or is cut short, does not decode), and no part of the file outside the
 * pixel data (metadata segments, data after the end of the image) may read as HTML or script. Data after
 * the image's end (Samsung writes some after the JPEG EOI marker) is otherwise allowed: the file is kept
 * byte-exact.
 */
export async function imageProblem(bytes: Buffer, mime: ImageMime): Promise<string | null> {
  const label = LABEL[mime];
  try {
    // 'truncated': a photo cut short fails; a camera's harmless warnings do not
    const meta = await sharp(bytes, { failOn: 'truncated' }).metadata();
    if (FORMAT_MIME[meta.format ?? ''] !== mime) return `starts like a ${label} image but is ${meta.format ?? 'not an image'}`;
    await sharp(bytes, { failOn: 'truncated' }).stats();
  } catch (err) {
    const why = (err as Error).message.split('\n')[0]!.replace(/^Input buffer has corrupt header: /, '');
    return `does not decode as a ${label} image (${why}); send the photo as the camera saved it`;
  }
  const markup = markupOutsidePixels(bytes, mime);
  if (markup) return `is a ${label} image carrying ${markup} outside its pixels (a polyglot file); send the photo as the camera saved it`;
  return null;
}

const MARKUP = ['<script', '<html', '<!doctype', '<iframe', '<body', '<?php', 'javascript:'];

/** The first HTML/script marker in the parts of an image file that are not pixel data, or null. */
export function markupOutsidePixels(bytes: Buffer, mime: ImageMime): string | null {
  let ranges: [number, number][];
  try {
    ranges = nonPixelRanges(bytes, mime);
  } catch {
    ranges = [[0, bytes.length]]; // a structure we cannot follow: look at all of it
  }
  for (const [start, end] of ranges) {
    const text = bytes.toString('latin1', start, end).toLowerCase();
    const hit = MARKUP.find((m) => text.includes(m));
    if (hit) return `"${hit}"`;
  }
  return null;
}

/** Byte ranges of metadata and of anything after the image's end; the whole file if its structure is not understood. */
function nonPixelRanges(b: Buffer, mime: ImageMime): [number, number][] {
  const whole: [number, number][] = [[0, b.length]];
  const out: [number, number][] = [];
  if (mime === 'image/jpeg') {
    let p = 2;
    while (p + 1 < b.length) {
      if (b[p] !== 0xff) return whole;
      const m = b[p + 1]!;
      if (m === 0xff) {
        p++;
        continue;
      } // fill byte
      if (m === 0xd9) {
        out.push([p + 2, b.length]);
        return out;
      } // EOI: the rest is trailer
      if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
        p += 2;
        continue;
      }
      if (p + 3 >= b.length) return whole;
      const len = b.readUInt16BE(p + 2);
      if (m !== 0xda) out.push([p + 4, Math.min(p + 2 + len, b.length)]);
      p += 2 + len;
      if (m === 0xda) {
        // entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a restart marker
        while (p + 1 < b.length && !(b[p] === 0xff && b[p + 1] !== 0 && !(b[p + 1]! >= 0xd0 && b[p + 1]! <= 0xd7))) p++;
      }
    }
    return whole;
  }
  if (mime === 'image/png') {
    let p = 8;
    while (p + 12 <= b.length) {
      const len = b.readUInt32BE(p);
      const type = b.toString('latin1', p + 4, p + 8);
      const end = p + 12 + len;
      if (end > b.length) return whole;
      if (type !== 'IDAT') out.push([p + 4, end]);
      p = end;
      if (type === 'IEND') {
        out.push([p, b.length]);
        return out;
      }
    }
    return whole;
  }
  // WebP: RIFF chunks; the pixel chunks are VP8, VP8L, ALPH and ANMF
  const riffEnd = 8 + b.readUInt32LE(4);
  let p = 12;
  while (p + 8 <= Math.min(riffEnd, b.length)) {
    const type = b.toString('latin1', p, p + 4);
    const end = p + 8 + b.readUInt32LE(p + 4) + (b.readUInt32LE(p + 4) % 2);
    if (!['VP8 ', 'VP8L', 'ALPH', 'ANMF'].includes(type)) out.push([p, Math.min(end, b.length)]);
    p = end;
  }
  out.push([Math.min(riffEnd, b.length), b.length]);
  return out;
}

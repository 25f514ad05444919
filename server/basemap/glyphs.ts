// SDF glyphs for the basemap's labels, as MapLibre asks for them (`{fontstack}/{start}-{end}.pbf`, 256
// code points a range), made at build time by fontnik from an open CJK font Debian installs
// (fonts-noto-cjk or fonts-wqy-microhei, found with fontconfig). Only the ranges the labels use, and
// 0–255: the font is first cut down to the labels' characters with HarfBuzz's hb-subset (Debian
// libharfbuzz-bin), which makes 50 CJK ranges take well under a second instead of ten.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import fontnik from 'fontnik';

const run = promisify(execFile);

export interface CjkFont {
  file: string;
  /** face in a collection (.ttc) */
  index: number;
  /** the fontstack name the style and the URLs use, e.g. "WenQuanYi Micro Hei Regular" */
  fontstack: string;
}

/** The open CJK fonts we look for, best first. */
const PREFERRED = [/^Noto Sans CJK SC$/i, /^Noto Sans SC$/i, /^WenQuanYi Micro Hei$/i, /^WenQuanYi Zen Hei$/i];

/** A Simplified-Chinese font from fontconfig (or the file given), or a message saying what to install. */
export async function findCjkFont(file?: string): Promise<CjkFont> {
  if (file) {
    if (!fs.existsSync(file)) throw new Error(`font file not found: ${file}`);
    const faces = await new Promise<fontnik.FontFace[]>((resolve, reject) => fontnik.load(fs.readFileSync(file), (err, f) => (err ? reject(err) : resolve(f))));
    const face = faces[0];
    if (!face) throw new Error(`no font face in ${file}`);
    return { file, index: 0, fontstack: `${face.family_name} ${face.style_name ?? 'Regular'}` };
  }
  let listed = '';
  try {
    listed = (await run('fc-list', [':lang=zh-cn', '--format', '%{file}|%{index}|%{family[0]}|%{style[0]}\n'])).stdout;
  } catch {
    // no fontconfig: the message below says what to install
  }
  const fonts = listed
    .split('\n')
    .map((l) => l.split('|'))
    .filter((p) => p.length === 4 && /regular|book|normal/i.test(p[3]!))
    .map(([f, i, family, style]) => ({ file: f!, index: Number(i) || 0, family: family!, style: style! }));
  for (const want of PREFERRED) {
    const hit = fonts.find((f) => want.test(f.family));
    if (hit) return { file: hit.file, index: hit.index, fontstack: `${hit.family} ${hit.style}` };
  }
  const any = fonts[0];
  if (any) return { file: any.file, index: any.index, fontstack: `${any.family} ${any.style}` };
  throw new Error('no Chinese font found by fontconfig (fc-list :lang=zh-cn): install fonts-noto-cjk or fonts-wqy-microhei');
}

/** The 256-code-point ranges that hold the labels' characters, always with 0–255. */
export function glyphRanges(labels: Iterable<string>): { ranges: number[]; codePoints: Set<number> } {
  const codePoints = new Set<number>();
  for (let c = 32; c < 256; c++) codePoints.add(c);
  for (const label of labels) for (const ch of label) codePoints.add(ch.codePointAt(0)!);
  const ranges = [...new Set([...codePoints].map((c) => Math.floor(c / 256)))].sort((a, b) => a - b);
  return { ranges, codePoints };
}

const rangeName = (r: number) => `${r * 256}-${r * 256 + 255}`;

/** The font cut down to these characters (one face, a few dozen KiB); the whole face if hb-subset is missing. */
async function subset(font: CjkFont, codePoints: Set<number>, tmp: string): Promise<{ bytes: Buffer; subset: boolean }> {
  const list = path.join(tmp, 'unicodes.txt');
  const out = path.join(tmp, 'subset.ttf');
  fs.writeFileSync(list, [...codePoints].map((c) => c.toString(16)).join(','));
  try {
    await run('hb-subset', [`--face-index=${font.index}`, `--unicodes-file=${list}`, `--output-file=${out}`, font.file]);
    return { bytes: fs.readFileSync(out), subset: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`hb-subset failed on ${font.file}: ${(err as Error).message}`, { cause: err });
    // fontnik renders the first face of a collection
    if (font.index !== 0) throw new Error(`${font.file} face ${font.index} needs hb-subset (Debian libharfbuzz-bin) to be read`, { cause: err });
    return { bytes: fs.readFileSync(font.file), subset: false };
  }
}

export interface GlyphBuild {
  fontstack: string;
  ranges: string[];
  bytes: number;
  subset: boolean;
}

/** Writes `<dir>/<fontstack>/<start>-<end>.pbf` for every range the labels need. */
export async function buildGlyphs(dir: string, font: CjkFont, labels: Iterable<string>): Promise<GlyphBuild> {
  const { ranges, codePoints } = glyphRanges(labels);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-glyphs-'));
  try {
    const { bytes: fontBytes, subset: cut } = await subset(font, codePoints, tmp);
    const out = path.join(dir, font.fontstack);
    fs.mkdirSync(out, { recursive: true });
    let bytes = 0;
    await Promise.all(
      ranges.map(
        (r) =>
          new Promise<void>((resolve, reject) =>
            fontnik.range({ font: fontBytes, start: r * 256, end: r * 256 + 255 }, (err, pbf) => {
              if (err) return reject(new Error(`fontnik could not render ${rangeName(r)} of ${font.file}: ${err.message}`));
              fs.writeFileSync(path.join(out, `${rangeName(r)}.pbf`), pbf);
              bytes += pbf.length;
              resolve();
            }),
          ),
      ),
    );
    return { fontstack: font.fontstack, ranges: ranges.map(rangeName), bytes, subset: cut };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

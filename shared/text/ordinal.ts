// Natural order of names that carry a number, Chinese or Arabic: 第二中队 before 第十三中队, not
// after 第三 as code points (一 三 二) or pinyin (er san yi) put them. Squads, districts' brigades and
// any numbered unit are listed the way people count them, in the console, the leader view and exports.

const DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
const NUMERAL_RUN = /[0-9]+|[零〇一二两三四五六七八九十百千]+/g;

/** The value of a Chinese numeral up to 9999 (十三 → 13, 二十 → 20, 一百零五 → 105), or of Arabic digits. */
export function parseNumeral(s: string): number | null {
  if (/^[0-9]+$/.test(s)) return Number(s);
  let total = 0;
  let digit: number | null = null;
  for (const ch of s) {
    if (ch in DIGITS) digit = DIGITS[ch]!;
    else if (ch in UNITS) {
      total += (digit ?? 1) * UNITS[ch]!; // 十三: a bare 十 is one ten
      digit = null;
    } else return null;
  }
  return total + (digit ?? 0);
}

type Part = string | number;

function parts(name: string): Part[] {
  const out: Part[] = [];
  let last = 0;
  for (const m of name.matchAll(NUMERAL_RUN)) {
    const n = parseNumeral(m[0]);
    if (n === null) continue;
    if (m.index > last) out.push(name.slice(last, m.index));
    out.push(n);
    last = m.index + m[0].length;
  }
  if (last < name.length) out.push(name.slice(last));
  return out;
}

const collator = new Intl.Collator('zh-CN');

/** Compare two names, numbers in them by value: 第一 < 第二 < 第三 … < 第十三; the text between by zh-CN collation. */
export function compareOrdinalNames(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (typeof x === 'number' && typeof y === 'number') {
      if (x !== y) return x - y;
    } else if (typeof x === 'number')
      return -1; // a number sorts before text at the same place
    else if (typeof y === 'number') return 1;
    else {
      const c = collator.compare(x, y);
      if (c !== 0) return c;
    }
  }
  return pa.length - pb.length || collator.compare(a, b);
}

// The one normalization of place names and queries, here and in SQL (migrations/019_gazetteer.sql,
// gazetteer_norm): full-width digits and Latin letters to ASCII, ASCII letters to lower case, spaces
// and punctuation dropped. Character tables only (SQL translate()), so the answer never depends on
// the database's locale, and both sides agree on every character (tests/integration/geocode-search
// compares them).

const FULL_WIDTH = '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ';
const HALF_WIDTH = '0123456789abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** dropped: whitespace (incl. U+3000, U+00A0) and ASCII / CJK punctuation */
export const DROPPED_CHARS = ' \t\n\r\u3000\u00a0!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~、，。·・（）《》〈〉“”‘’：；！？【】—～…－／＼＆＋＃';

const map = new Map<string, string>();
[...FULL_WIDTH].forEach((c, i) => map.set(c, HALF_WIDTH[i]!));
[...UPPER].forEach((c) => map.set(c, c.toLowerCase()));
const dropped = new Set([...DROPPED_CHARS]);

/** The search form of a name or a query (see the file comment). */
export function normalizePlaceText(s: string): string {
  let out = '';
  for (const c of s) {
    if (dropped.has(c)) continue;
    out += map.get(c) ?? c;
  }
  return out;
}

/** The distinct 2-character grams of a normalized text (the text itself when one character long). */
export function bigrams(norm: string): string[] {
  const chars = [...norm];
  if (chars.length === 1) return [norm];
  const set = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) set.add(chars[i]! + chars[i + 1]!);
  return [...set];
}

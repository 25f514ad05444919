// What a dispatcher types, read as the gazetteer can answer it: the whole text (a road, a key area,
// a community… in full or in part), an intersection said in either order and in the usual forms, a
// house number on a road, or a grid code. Pure; the server searches each reading and ranks the hits
// (shared/geocode/rank.ts).
import { bigrams, normalizePlaceText } from './normalize.ts';

export interface ParsedQuery {
  /** the whole query, normalized, with a trailing 交叉口 / 路口 / 附近 … dropped */
  text: string;
  /** the whole query, normalized, as typed (a full name may end in 交叉口) */
  full: string;
  /** the two roads of an intersection, normalized, when the query reads as one (several splits may) */
  intersections: [string, string][];
  /** "玉林街12号": the road and the number */
  house: { road: string; number: string } | null;
  /** only digits: a grid code, whole or its first digits */
  gridCode: string | null;
}

/** said after an intersection or a place, not part of a name */
const TRAILER = /(十字路口|丁字路口|交叉路口|交叉口|交汇处|交界处|路口处|路口|交口|附近|一带|旁边|门口)$/u;
/** between the two roads of an intersection */
const SEPARATORS = ['与', '和', '跟', '同', '及', '交', '、', '/', '／', '&', '＆', '+', '＋', ',', '，', ' ', '\u3000'];
/** a road name ends so; "红星路口东大街" drops the 路 of 红星路 into 路口 */
const ROAD_END = /[路街道巷段桥里线环]$/u;
const MIN_PART = 2;

const clean = (s: string) => s.replace(TRAILER, '');

export function parseQuery(raw: string): ParsedQuery {
  const trimmed = raw.trim().replace(/\s+/gu, ' ');
  const full = normalizePlaceText(trimmed);
  const whole = clean(full);
  const text = whole.length >= 1 ? whole : full;
  const intersections: [string, string][] = [];
  const seen = new Set<string>();
  const add = (a: string, b: string) => {
    const na = clean(normalizePlaceText(a));
    const nb = clean(normalizePlaceText(b));
    if ([...na].length < MIN_PART || [...nb].length < MIN_PART || na === nb) return;
    const key = `${na}|${nb}`;
    if (seen.has(key)) return;
    seen.add(key);
    intersections.push([na, nb]);
  };
  // "A与B交叉口", "A和B", "A/B路口", "A B", "A、B": every place a separator splits the text in two
  const body = trimmed.replace(TRAILER, '').trim();
  const chars = [...body];
  for (let i = 1; i < chars.length - 1; i++) {
    if (!SEPARATORS.includes(chars[i]!)) continue;
    add(chars.slice(0, i).join(''), chars.slice(i + 1).join(''));
  }
  // "A路口B": 红星路口东大街 → 红星路 × 东大街
  const m = /^(.+?)路口(.+)$/u.exec(body);
  if (m) {
    const left = m[1]!.trim();
    add(ROAD_END.test(left) ? left : `${left}路`, m[2]!);
  }
  const house = /^(.*\D)(\d{1,5})(号|號)?(院|楼|栋|附\d+号)?$/u.exec(text);
  const gridCode = /^\d{2,15}$/.test(text) ? text : null;
  return {
    text,
    full,
    intersections: intersections.slice(0, 4),
    house: house && !gridCode && [...house[1]!].length >= MIN_PART ? { road: house[1]!, number: house[2]! } : null,
    gridCode,
  };
}

/**
 * The gram sets a name must contain to be the query with one character wrong, missing or extra:
 * the query's bigrams less those touching one position, for each position (sets of fewer than two
 * bigrams are left out: they would match half the city).
 */
export function typoGramSets(norm: string): string[][] {
  const chars = [...norm];
  if (chars.length < 4) return [];
  const sets: string[][] = [];
  const seen = new Set<string>();
  for (let skip = 0; skip < chars.length; skip++) {
    const grams = new Set<string>();
    for (let i = 0; i + 1 < chars.length; i++) if (i !== skip && i + 1 !== skip) grams.add(chars[i]! + chars[i + 1]!);
    // a missing character: the two around it are neighbours in the name, but not in the query
    if (grams.size < 2) continue;
    const key = [...grams].sort().join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    sets.push([...grams]);
  }
  return sets;
}

export { bigrams };

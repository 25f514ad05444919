// How well a name answers a query, and the order of the hits: text first, then nearness to the
// caller's context (the map's centre). Pure, shared by the server and its tests.
import type { PlaceKind } from './contract.ts';

/**
 * The fewest edits (a character wrong, missing or extra) that make `q` appear somewhere in `name`
 * (Sellers' approximate substring match), by Unicode characters.
 */
export function substringEditDistance(q: string, name: string): number {
  const a = [...q];
  const b = [...name];
  let prev = Array.from({ length: b.length + 1 }, () => 0);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return Math.min(...prev);
}

/** edits a query of this many characters may have and still match: one from four characters on */
export const allowedTypos = (chars: number) => (chars >= 4 ? 1 : 0);

/**
 * 0–1: 1 the whole name, ~0.9 its beginning, ~0.8 a part of it, ~0.6 a part with one character
 * wrong, missing or extra; 0 no match. Within a tier, a query covering more of the name is better.
 */
export function textScore(q: string, name: string): number {
  if (!q) return 0;
  const ql = [...q].length;
  const nl = Math.max(1, [...name].length);
  const cover = Math.min(1, ql / nl);
  if (name === q) return 1;
  if (name.startsWith(q)) return 0.9 + 0.08 * cover;
  if (name.includes(q)) return 0.8 + 0.08 * cover;
  const d = allowedTypos(ql) ? substringEditDistance(q, name) : Infinity;
  if (d <= allowedTypos(ql)) return 0.6 + 0.08 * cover;
  return 0;
}

/**
 * Both roads of an intersection in its name: the mean of the two matches (both must match), lifted a
 * tenth since two roads agreeing say more than one, and kept under a whole-name match.
 */
export function intersectionScore(parts: [string, string], name: string): number {
  const a = textScore(parts[0], name);
  const b = textScore(parts[1], name);
  return a > 0 && b > 0 ? Math.min(0.97, (a + b) / 2 + 0.1) : 0;
}

/** great-circle metres (spherical, R = 6,371,008.8 m); enough to order hits by nearness */
export function haversineMeters(a: { lon: number; lat: number }, b: { lon: number; lat: number }): number {
  const r = Math.PI / 180;
  const dLat = (b.lat - a.lat) * r;
  const dLon = (b.lon - a.lon) * r;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Among equal matches: a place a caller names before the areas it lies in. */
const KIND_ORDER: Record<PlaceKind, number> = {
  intersection: 0,
  address: 0,
  road: 1,
  key_area: 2,
  place: 2,
  street: 3,
  community: 3,
  district: 4,
  grid: 4,
};

/** text in steps of 0.02, so kind and nearness (together under one step) only order equal matches */
const STEP = 0.02;

/**
 * The score a hit is shown and sorted with: its text match rounded down to a step of 0.02 (×0.95), less
 * 0.002 per kind rank, plus up to 0.009 for nearness (1 at the point, ½ at 2 km) — so nearness
 * never lifts a weaker match over a better one.
 */
export function hitScore(text: number, kind: PlaceKind, meters: number | null): number {
  const tier = Math.floor(text / STEP + 1e-9) * STEP;
  const near = meters === null ? 0 : 1 / (1 + meters / 2_000);
  return Math.max(0, Math.min(1, tier * 0.95 - KIND_ORDER[kind] * 0.002 + near * 0.009));
}

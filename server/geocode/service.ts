import type pg from 'pg';
import type { Landmark, PlaceContext, PlaceHit } from '#shared/geocode/contract.ts';
import { bigrams } from '#shared/geocode/normalize.ts';
import { parseQuery, typoGramSets } from '#shared/geocode/parse.ts';
import { haversineMeters, hitScore, intersectionScore, textScore } from '#shared/geocode/rank.ts';
import { locate } from '../cases/repository.ts';
import type { Queryable } from '../db/transaction.ts';
import * as repo from './repository.ts';

/**
 * An intersection this close is what a caller would name ("在人民南路和玉林东路路口"): about a city
 * block's half — past it the nearest road (and the metres along it) says more. Central Chengdu's
 * blocks are 150–300 m, so 150 m keeps a point in a block's middle on its street.
 */
export const INTERSECTION_RADIUS_M = 150;
/** Beyond this from every named road a point is not "on" any road a caller would name. */
export const ROAD_RADIUS_M = 500;

/** rows each reading of a query brings back for ranking */
const CANDIDATES = 120;

export interface SearchInput {
  q: string;
  lon: number | null;
  lat: number | null;
  limit: number;
}

/**
 * Places answering what a dispatcher typed: every reading of the query (shared/geocode/parse.ts) is
 * searched, each hit scored on its text (shared/geocode/rank.ts), then on nearness to (lon, lat).
 */
export async function searchPlaces(db: Queryable, input: SearchInput): Promise<PlaceHit[]> {
  const p = parseQuery(input.q);
  const origin: repo.Origin = { lon: input.lon, lat: input.lat };
  const scored = new Map<string, { c: repo.Candidate; text: number }>();
  const consider = (c: repo.Candidate, text: number) => {
    if (text <= 0) return;
    const key = `${c.kind}|${c.name}|${c.lon.toFixed(6)}|${c.lat.toFixed(6)}`;
    const had = scored.get(key);
    if (!had || had.text < text) scored.set(key, { c, text });
  };

  if (p.gridCode) {
    for (const c of await repo.gridByPrefix(db, p.gridCode, CANDIDATES)) consider(c, textScore(p.gridCode, c.norm));
  } else if (p.text) {
    const exact = await repo.containing(db, p.text, bigrams(p.text), origin, CANDIDATES);
    const wholeScore = (norm: string) => Math.max(textScore(p.text, norm), p.full === p.text ? 0 : textScore(p.full, norm));
    for (const c of exact) consider(c, wholeScore(c.norm));
    // one character wrong, missing or extra: only when the text itself is not enough
    if (exact.length < input.limit) {
      for (const c of await repo.holdingAll(db, [typoGramSets(p.text)], origin, CANDIDATES)) consider(c, wholeScore(c.norm));
    }
    // both roads of an intersection, as typed; then each with one typo allowed
    for (const parts of p.intersections) {
      const score = (c: repo.Candidate) => consider(c, intersectionScore(parts, c.norm));
      const found = await repo.holdingAll(db, [[bigrams(parts[0])], [bigrams(parts[1])]], origin, CANDIDATES, 'intersection');
      found.forEach(score);
      if (!found.some((c) => intersectionScore(parts, c.norm) >= 0.9)) {
        const loose = parts.map((x) => [bigrams(x), ...typoGramSets(x)]);
        (await repo.holdingAll(db, loose, origin, CANDIDATES, 'intersection')).forEach(score);
      }
    }
    // 玉林街 12 号 with no such address point: the road, a little below any real match
    if (p.house && ![...scored.values()].some((s) => s.c.kind === 'address')) {
      const road = p.house.road;
      for (const c of await repo.containing(db, road, bigrams(road), origin, CANDIDATES)) {
        if (c.kind === 'road') consider(c, textScore(road, c.norm) * 0.85);
      }
    }
  }

  const hasOrigin = input.lon !== null && input.lat !== null;
  const hits = [...scored.values()].map(({ c, text }) => {
    const meters = hasOrigin ? haversineMeters({ lon: input.lon!, lat: input.lat! }, c) : null;
    return { hit: { kind: c.kind, name: c.name, context: c.context, lon: c.lon, lat: c.lat, score: hitScore(text, c.kind, meters) }, meters };
  });
  hits.sort((a, b) => b.hit.score - a.hit.score || (a.meters ?? 0) - (b.meters ?? 0) || a.hit.name.localeCompare(b.hit.name));
  // one name once per kind (an interchange is several nodes of one name): the best-placed stays
  const seen = new Set<string>();
  const out: PlaceHit[] = [];
  for (const { hit } of hits) {
    const key = `${hit.kind}|${hit.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...hit, score: Math.round(hit.score * 10_000) / 10_000 });
    if (out.length >= input.limit) break;
  }
  return out;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const bearingOf = (b: number | null) => (b === null || !Number.isFinite(b) ? 0 : Math.round(((b % 360) + 360) % 360));

/** The landmark a point is known by: a named intersection within INTERSECTION_RADIUS_M, else a named road within ROAD_RADIUS_M. */
export async function nearestLandmark(db: Queryable, point: { lon: number; lat: number }): Promise<Landmark | null> {
  const x = await repo.nearestIntersection(db, point.lon, point.lat);
  if (x && x.meters <= INTERSECTION_RADIUS_M) return { kind: 'intersection', name: x.name, meters: round1(x.meters), bearing: bearingOf(x.bearing) };
  const r = await repo.nearestRoad(db, point.lon, point.lat, ROAD_RADIUS_M);
  if (r) return { kind: 'road', name: r.name, meters: round1(r.meters), bearing: bearingOf(r.bearing) };
  return null;
}

/**
 * Everything a point is known by: its landmark (bearing from the landmark to the point) and the
 * district, street, community and grid cell it falls in (the case intake's `locate`). `db` is a pool
 * or a transaction's client (pg.Pool and pg.PoolClient are both Queryable).
 */
export async function reverseGeocode(db: Queryable, point: { lon: number; lat: number }): Promise<PlaceContext> {
  const landmark = await nearestLandmark(db, point);
  const where = await locate(db, point.lon, point.lat);
  return {
    landmark,
    districtName: where?.districtName ?? null,
    streetName: where?.streetName ?? null,
    communityName: where?.communityName ?? null,
    gridCode: where?.gridCode ?? null,
  };
}

/** The geocoder as the routes use it. */
export class GeocodeService {
  constructor(private readonly pool: pg.Pool) {}

  search(input: SearchInput): Promise<PlaceHit[]> {
    return searchPlaces(this.pool, input);
  }

  reverse(point: { lon: number; lat: number }): Promise<PlaceContext> {
    return reverseGeocode(this.pool, point);
  }
}

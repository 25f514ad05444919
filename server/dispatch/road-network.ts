// The road network the recommendation routes on: junctions and directed edges built from road
// segments (the demo's OSM roads, or a deployment's roads GeoJSON of the same shape), with travel
// costs from shared/dispatch/travel-speeds.ts. One function builds it (pure), one loads it.
import fs from 'node:fs';
import { driveSpeed } from '#shared/dispatch/travel-speeds.ts';
import type { Queryable } from '../db/transaction.ts';
import { replaceRoadNetwork } from './repository.ts';

/** One road segment of the source data, WGS84 (the shape of server/seed/osm-roads.ts's OsmRoad). */
export interface RoadSegment {
  id: string;
  name: string;
  highway: string;
  lanes?: number | null;
  coordinates: [number, number][];
  /**
   * Explicit direction, when the data says it (an OSM `oneway` tag: true = only along the geometry).
   * Undefined: the SUMO convention of the demo data decides: `-<id>` runs against `<id>`, so a
   * segment with its twin is two-way and one without is one-way.
   */
  oneway?: boolean;
}

export interface RoadNode {
  id: number;
  lon: number;
  lat: number;
  routable: boolean;
}

export interface RoadEdge {
  id: number;
  source: number;
  target: number;
  /** seconds by car along the geometry */
  cost: number;
  /** seconds by car against it; -1 one-way */
  reverseCost: number;
  lengthM: number;
  oneway: boolean;
  highway: string;
  name: string;
  lanes: number | null;
  sourceIds: string[];
  coordinates: [number, number][];
}

export interface RoadNetwork {
  nodes: RoadNode[];
  edges: RoadEdge[];
}

export interface BuildOptions {
  /**
   * Segment ends this close (metres) are one junction. SUMO cuts each edge back from the junction's
   * centre and offsets a two-way road's directions by a lane, so the demo data's ends at one junction
   * lie up to ~30 m apart; data that shares exact coordinates at junctions needs 0–1.
   */
  snapMeters?: number;
  /** No junction grows wider than this (metres), so snapping never chains along a street. */
  maxJunctionMeters?: number;
}

/** What the demo's SUMO-cut OSM data needs (measured: 96 % of edges in one strongly connected part). */
export const DEMO_SNAP = { snapMeters: 30, maxJunctionMeters: 45 } as const;

const R = 6_371_008.8;
const rad = (d: number) => (d * Math.PI) / 180;
/** Great-circle metres (haversine); within a few centimetres of the spheroid at this scale. */
export function meters(a: readonly [number, number], b: readonly [number, number]): number {
  const dLat = rad(b[1] - a[1]);
  const dLon = rad(b[0] - a[0]);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a[1])) * Math.cos(rad(b[1])) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

function lineMeters(cs: [number, number][]): number {
  let m = 0;
  for (let i = 1; i < cs.length; i++) m += meters(cs[i - 1]!, cs[i]!);
  return m;
}

interface Way {
  ids: string[];
  name: string;
  highway: string;
  lanes: number | null;
  coordinates: [number, number][];
  oneway: boolean;
}

/** Pairs each segment with its reverse twin (one two-way way), or keeps it one-way. */
function directedWays(segments: RoadSegment[]): Way[] {
  const byId = new Map(segments.map((s) => [s.id, s]));
  const used = new Set<string>();
  const ways: Way[] = [];
  for (const s of segments) {
    if (used.has(s.id) || s.coordinates.length < 2) continue;
    used.add(s.id);
    const base = { ids: [s.id], name: s.name ?? '', highway: s.highway ?? '', lanes: s.lanes ?? null, coordinates: s.coordinates };
    if (s.oneway !== undefined) {
      ways.push({ ...base, oneway: s.oneway });
      continue;
    }
    const twinId = s.id.startsWith('-') ? s.id.slice(1) : `-${s.id}`;
    const twin = byId.get(twinId);
    if (twin && !used.has(twinId) && twin.oneway === undefined) {
      used.add(twinId);
      // the way's own direction carries the geometry (the twin is the same road a lane over)
      const along = s.id.startsWith('-') ? twin : s;
      ways.push({ ...base, ids: [along.id, along === s ? twinId : s.id], coordinates: along.coordinates, oneway: false });
    } else {
      ways.push({ ...base, oneway: true });
    }
  }
  return ways;
}

/**
 * Junctions from segment ends: the closest pairs first (Kruskal-like), joining two groups unless that
 * would put both ends of one way in one junction or make a junction wider than maxJunctionMeters.
 * Returns each end's junction (index 2i = start of way i, 2i + 1 = its end).
 */
function snapEnds(ways: Way[], snap: number, maxWidth: number): { of: number[]; centres: [number, number][] } {
  const pts: [number, number][] = [];
  for (const w of ways) pts.push(w.coordinates[0]!, w.coordinates.at(-1)!);
  const group = pts.map((_, i) => i);
  const members = pts.map((_, i) => [i]);
  const waysOf = pts.map((_, i) => new Set([i >> 1]));
  // candidate pairs through a grid of snap-sized cells
  const pairs: [number, number, number][] = [];
  if (snap > 0) {
    const cellLat = snap / 111_000;
    const cellLon = snap / (111_000 * Math.cos(rad(pts[0]?.[1] ?? 30)));
    const cells = new Map<string, number[]>();
    const key = (x: number, y: number) => `${x},${y}`;
    pts.forEach((p, i) => {
      const k = key(Math.floor(p[0] / cellLon), Math.floor(p[1] / cellLat));
      (cells.get(k) ?? cells.set(k, []).get(k)!).push(i);
    });
    pts.forEach((p, i) => {
      const cx = Math.floor(p[0] / cellLon);
      const cy = Math.floor(p[1] / cellLat);
      for (let dx = -1; dx <= 1; dx++)
        for (let dy = -1; dy <= 1; dy++)
          for (const j of cells.get(key(cx + dx, cy + dy)) ?? []) {
            if (j <= i) continue;
            const d = meters(p, pts[j]!);
            if (d <= snap) pairs.push([d, i, j]);
          }
    });
  } else {
    // exact coordinates only
    const seen = new Map<string, number>();
    pts.forEach((p, i) => {
      const k = `${p[0]},${p[1]}`;
      const j = seen.get(k);
      if (j === undefined) seen.set(k, i);
      else pairs.push([0, j, i]);
    });
  }
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  for (const [, i, j] of pairs) {
    const a = group[i]!;
    const b = group[j]!;
    if (a === b) continue;
    const [big, small] = members[a]!.length >= members[b]!.length ? [a, b] : [b, a];
    let clash = false;
    for (const w of waysOf[small]!) if (waysOf[big]!.has(w)) clash = true;
    if (clash) continue;
    let wide = false;
    for (const x of members[big]!) {
      for (const y of members[small]!) if (meters(pts[x]!, pts[y]!) > maxWidth) wide = true;
      if (wide) break;
    }
    if (wide) continue;
    for (const y of members[small]!) {
      group[y] = big;
      members[big]!.push(y);
    }
    for (const w of waysOf[small]!) waysOf[big]!.add(w);
    members[small] = [];
  }
  // number the junctions in order of their first end, each at the mean of its ends
  const index = new Map<number, number>();
  const centres: [number, number][] = [];
  const of = pts.map((_, i) => {
    const g = group[i]!;
    let n = index.get(g);
    if (n === undefined) {
      n = centres.length;
      index.set(g, n);
      const m = members[g]!;
      centres.push([m.reduce((s, k) => s + pts[k]![0], 0) / m.length, m.reduce((s, k) => s + pts[k]![1], 0) / m.length]);
    }
    return n;
  });
  return { of, centres };
}

/** The nodes in the largest strongly connected part of the driving graph (iterative Kosaraju). */
function largestStrongComponent(n: number, edges: { source: number; target: number; oneway: boolean }[]): Set<number> {
  const out: number[][] = Array.from({ length: n }, () => []);
  const inn: number[][] = Array.from({ length: n }, () => []);
  for (const e of edges) {
    out[e.source]!.push(e.target);
    inn[e.target]!.push(e.source);
    if (!e.oneway) {
      out[e.target]!.push(e.source);
      inn[e.source]!.push(e.target);
    }
  }
  const seen = new Uint8Array(n);
  const order: number[] = [];
  for (let s = 0; s < n; s++) {
    if (seen[s]) continue;
    seen[s] = 1;
    const stack: [number, number][] = [[s, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const next = out[top[0]]![top[1]++];
      if (next === undefined) {
        order.push(top[0]);
        stack.pop();
      } else if (!seen[next]) {
        seen[next] = 1;
        stack.push([next, 0]);
      }
    }
  }
  const comp = new Int32Array(n).fill(-1);
  let best = -1;
  let bestSize = 0;
  for (let k = order.length - 1; k >= 0; k--) {
    const root = order[k]!;
    if (comp[root] !== -1) continue;
    comp[root] = root;
    let size = 0;
    const stack = [root];
    while (stack.length) {
      const x = stack.pop()!;
      size++;
      for (const w of inn[x]!)
        if (comp[w] === -1) {
          comp[w] = root;
          stack.push(w);
        }
    }
    if (size > bestSize) [best, bestSize] = [root, size];
  }
  const set = new Set<number>();
  for (let i = 0; i < n; i++) if (comp[i] === best) set.add(i);
  return set;
}

/** Junctions and edges with travel costs from road segments. Deterministic: the same input, the same ids. */
export function buildRoadNetwork(segments: RoadSegment[], opts: BuildOptions = DEMO_SNAP): RoadNetwork {
  const snap = opts.snapMeters ?? DEMO_SNAP.snapMeters;
  const maxWidth = Math.max(snap, opts.maxJunctionMeters ?? snap * 1.5);
  const ways = directedWays(segments);
  const { of, centres } = snapEnds(ways, snap, maxWidth);
  const raw = ways
    .map((w, i) => ({ w, source: of[2 * i]!, target: of[2 * i + 1]! }))
    // a way whose ends fell into one junction lies inside it: no edge
    .filter((e) => e.source !== e.target);
  const routable = largestStrongComponent(
    centres.length,
    raw.map((e) => ({ source: e.source, target: e.target, oneway: e.w.oneway })),
  );
  const edges: RoadEdge[] = raw.map(({ w, source, target }, i) => {
    const lengthM = Math.max(0.1, lineMeters(w.coordinates));
    const cost = lengthM / driveSpeed(w.highway);
    return {
      id: i + 1,
      source: source + 1,
      target: target + 1,
      cost,
      reverseCost: w.oneway ? -1 : cost,
      lengthM,
      oneway: w.oneway,
      highway: w.highway,
      name: w.name,
      lanes: w.lanes,
      sourceIds: w.ids,
      coordinates: w.coordinates,
    };
  });
  const nodes = centres.map(([lon, lat], i) => ({ id: i + 1, lon, lat, routable: routable.has(i) }));
  return { nodes, edges };
}

/** Builds the network from `segments` and puts it in place of the loaded one (one statement each, in the caller's transaction). */
export async function loadRoadNetwork(
  db: Queryable,
  segments: RoadSegment[],
  opts: BuildOptions = DEMO_SNAP,
): Promise<{ roadNodes: number; roadEdges: number; routableNodes: number }> {
  const net = buildRoadNetwork(segments, opts);
  await replaceRoadNetwork(db, net);
  return { roadNodes: net.nodes.length, roadEdges: net.edges.length, routableNodes: net.nodes.filter((n) => n.routable).length };
}

const ONEWAY_YES = new Set(['yes', 'true', '1']);

/**
 * A roads GeoJSON (FeatureCollection of LineStrings or MultiLineStrings, WGS84) as segments: the demo
 * file's shape (`id`, `name`, `highway`, `lanes`), and OSM exports' `oneway` (yes / -1 / no) when
 * present. A feature without an id gets its index.
 */
export function readRoadsGeoJson(file: string): RoadSegment[] {
  const c = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    features?: { id?: string | number; properties?: Record<string, unknown> | null; geometry?: { type: string; coordinates: unknown } | null }[];
  };
  if (!Array.isArray(c.features)) throw new Error(`${file}: not a GeoJSON FeatureCollection`);
  const out: RoadSegment[] = [];
  c.features.forEach((f, i) => {
    const p = f.properties ?? {};
    const g = f.geometry;
    if (!g || (g.type !== 'LineString' && g.type !== 'MultiLineString')) return;
    const lines = (g.type === 'LineString' ? [g.coordinates] : g.coordinates) as [number, number][][];
    const id = String(p.id ?? f.id ?? `f${i}`);
    const ow = p.oneway === undefined || p.oneway === null ? undefined : String(p.oneway).toLowerCase();
    lines.forEach((coordinates, k) => {
      const reversed = ow === '-1';
      out.push({
        id: lines.length > 1 ? `${id}~${k}` : id,
        name: typeof p.name === 'string' ? p.name : '',
        highway: typeof p.highway === 'string' ? p.highway : '',
        lanes: typeof p.lanes === 'number' ? p.lanes : Number(p.lanes) || null,
        coordinates: reversed ? [...coordinates].reverse() : coordinates.map((c) => [c[0], c[1]] as [number, number]),
        oneway: ow === undefined ? undefined : ONEWAY_YES.has(ow) || reversed,
      });
    });
  });
  return out;
}

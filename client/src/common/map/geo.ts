// Small planar geometry helpers for label placement and camera fitting (lon/lat, city scale).
import type { FeatureCollection, Geometry, Position } from 'geojson';
import type { BBox } from '../api-types.ts';

function eachPosition(g: Geometry, fn: (p: Position) => void): void {
  switch (g.type) {
    case 'Point':
      fn(g.coordinates);
      break;
    case 'MultiPoint':
    case 'LineString':
      g.coordinates.forEach(fn);
      break;
    case 'MultiLineString':
    case 'Polygon':
      g.coordinates.forEach((r) => r.forEach(fn));
      break;
    case 'MultiPolygon':
      g.coordinates.forEach((p) => p.forEach((r) => r.forEach(fn)));
      break;
    case 'GeometryCollection':
      g.geometries.forEach((c) => eachPosition(c, fn));
      break;
  }
}

export function bboxOf(fc: FeatureCollection): BBox | null {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const f of fc.features) {
    if (!f.geometry) continue;
    eachPosition(f.geometry, ([x, y]) => {
      if (x === undefined || y === undefined) return;
      if (x < minX) minX = x;
      if (y < minY) minY = y;
      if (x > maxX) maxX = x;
      if (y > maxY) maxY = y;
    });
  }
  return Number.isFinite(minX) ? [minX, minY, maxX, maxY] : null;
}

/** true when `inner` lies inside `outer` */
export function bboxContains(outer: BBox, inner: BBox): boolean {
  return inner[0] >= outer[0] && inner[1] >= outer[1] && inner[2] <= outer[2] && inner[3] <= outer[3];
}

type Ring = Position[];

function ringArea(ring: Ring): number {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi = 0, yi = 0] = ring[i] ?? [];
    const [xj = 0, yj = 0] = ring[j] ?? [];
    a += xj * yi - xi * yj;
  }
  return a / 2;
}

function ringCentroid(ring: Ring): [number, number] {
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi = 0, yi = 0] = ring[i] ?? [];
    const [xj = 0, yj = 0] = ring[j] ?? [];
    const f = xj * yi - xi * yj;
    a += f;
    cx += (xj + xi) * f;
    cy += (yj + yi) * f;
  }
  if (a === 0) {
    const [x = 0, y = 0] = ring[0] ?? [];
    return [x, y];
  }
  return [cx / (3 * a), cy / (3 * a)];
}

/** x positions where the horizontal line at `y` crosses the polygon's rings */
function crossings(poly: Ring[], y: number): number[] {
  const xs: number[] = [];
  for (const ring of poly) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi = 0, yi = 0] = ring[i] ?? [];
      const [xj = 0, yj = 0] = ring[j] ?? [];
      if (yi > y !== yj > y) xs.push(xi + ((y - yi) / (yj - yi)) * (xj - xi));
    }
  }
  return xs.sort((a, b) => a - b);
}

/**
 * A point well inside a polygon for its label: the centroid of the largest part when it falls
 * inside, otherwise the middle of the widest inside span on the horizontal line through it.
 */
export function labelPoint(g: Geometry): [number, number] | null {
  let polys: Ring[][];
  if (g.type === 'Polygon') polys = [g.coordinates];
  else if (g.type === 'MultiPolygon') polys = g.coordinates;
  else if (g.type === 'Point') return [g.coordinates[0] ?? 0, g.coordinates[1] ?? 0];
  else return null;
  let best: Ring[] | undefined;
  let bestArea = -1;
  for (const p of polys) {
    const outer = p[0];
    if (!outer) continue;
    const a = Math.abs(ringArea(outer));
    if (a > bestArea) {
      bestArea = a;
      best = p;
    }
  }
  const outer = best?.[0];
  if (!best || !outer) return null;
  const [cx, cy] = ringCentroid(outer);
  const xs = crossings(best, cy);
  let spanMid: number | null = null;
  let spanWidth = -1;
  for (let i = 0; i + 1 < xs.length; i += 2) {
    const a = xs[i] ?? 0;
    const b = xs[i + 1] ?? 0;
    if (cx >= a && cx <= b) return [cx, cy]; // centroid is inside
    if (b - a > spanWidth) {
      spanWidth = b - a;
      spanMid = (a + b) / 2;
    }
  }
  return spanMid === null ? [cx, cy] : [spanMid, cy];
}

/** Sutherland–Hodgman clip of one ring to a rectangle (the rectangle is convex, so this is exact). */
function clipRing(ring: Ring, b: BBox): Ring {
  const edges: [(p: Position) => boolean, (p: Position, q: Position) => Position][] = [
    [(p) => (p[0] ?? 0) >= b[0], (p, q) => atX(p, q, b[0])],
    [(p) => (p[0] ?? 0) <= b[2], (p, q) => atX(p, q, b[2])],
    [(p) => (p[1] ?? 0) >= b[1], (p, q) => atY(p, q, b[1])],
    [(p) => (p[1] ?? 0) <= b[3], (p, q) => atY(p, q, b[3])],
  ];
  let out = ring;
  for (const [inside, cut] of edges) {
    const input = out;
    out = [];
    for (let i = 0; i < input.length; i++) {
      const cur = input[i] as Position;
      const prev = input[(i + input.length - 1) % input.length] as Position;
      if (inside(cur)) {
        if (!inside(prev)) out.push(cut(prev, cur));
        out.push(cur);
      } else if (inside(prev)) {
        out.push(cut(prev, cur));
      }
    }
    if (out.length === 0) break;
  }
  return out;
}

function atX(p: Position, q: Position, x: number): Position {
  const [px = 0, py = 0] = p;
  const [qx = 0, qy = 0] = q;
  return [x, py + ((x - px) / (qx - px)) * (qy - py)];
}

function atY(p: Position, q: Position, y: number): Position {
  const [px = 0, py = 0] = p;
  const [qx = 0, qy = 0] = q;
  return [px + ((y - py) / (qy - py)) * (qx - px), y];
}

/**
 * The label point of the part of a polygon that is inside `view`, so a district's name stays on
 * screen while the camera is inside the district. Null when the polygon is out of view.
 */
export function visibleLabelPoint(g: Geometry, view: BBox): [number, number] | null {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  const clipped: Ring[][] = [];
  for (const p of polys) {
    const [outer, ...holes] = p.map((r) => clipRing(r, view));
    if (outer && outer.length >= 3) clipped.push([outer, ...holes.filter((r) => r.length >= 3)]);
  }
  if (clipped.length === 0) return null;
  return labelPoint({ type: 'MultiPolygon', coordinates: clipped });
}

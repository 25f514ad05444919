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
  let polys: Ring[][] = [];
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

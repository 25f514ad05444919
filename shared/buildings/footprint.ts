/**
 * Whether a footprint as sent (GeoJSON Polygon or MultiPolygon) can be stored, checked before any SQL:
 * PostGIS answers a malformed GeoJSON with an error, not a reason, and a user must be told what to fix.
 * What the structure cannot show (self-intersection, the district, the area) the database checks after.
 */
export const FOOTPRINT_MAX_VERTICES = 5_000;
/** A building smaller than this is a slip of the pen (a click, not an outline). */
export const FOOTPRINT_MIN_M2 = 1;
/** Larger than a city block: an outline of something else (a district, a street) sent by mistake. */
export const FOOTPRINT_MAX_M2 = 100_000;

type Position = unknown;

function ringProblem(ring: unknown, where: string): string | null {
  if (!Array.isArray(ring)) return `${where} is not an array of [lon, lat] positions`;
  if (ring.length < 4) return `${where} has ${ring.length} position(s): a ring needs at least 4 (3 corners and the first again to close it)`;
  for (const [i, p] of (ring as Position[]).entries()) {
    if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number' || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
      return `${where} position ${i} is not [lon, lat] numbers`;
    }
    if (p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90) return `${where} position ${i} (${p[0]}, ${p[1]}) is not a longitude and latitude`;
  }
  const first = ring[0] as number[];
  const last = ring[ring.length - 1] as number[];
  if (first[0] !== last[0] || first[1] !== last[1]) return `${where} is not closed: its last position must repeat the first (${first[0]}, ${first[1]})`;
  return null;
}

function polygonProblem(poly: unknown, where: string): string | null {
  if (!Array.isArray(poly) || poly.length === 0) return `${where} has no rings: give [[outer ring], [hole]…]`;
  for (const [i, ring] of poly.entries()) {
    const p = ringProblem(ring, `${where} ring ${i}`);
    if (p) return p;
  }
  return null;
}

/** Why the footprint's structure cannot be stored, or null. */
export function footprintProblem(g: { type: string; coordinates: unknown[] }): string | null {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : null;
  if (!polys) return `geometry.type ${g.type} is not a footprint: send a Polygon or a MultiPolygon`;
  if (polys.length === 0) return 'geometry has no polygons';
  let vertices = 0;
  for (const [i, poly] of polys.entries()) {
    const p = polygonProblem(poly, g.type === 'Polygon' ? 'the polygon' : `polygon ${i}`);
    if (p) return p;
    vertices += (poly as unknown[][]).reduce((n, r) => n + r.length, 0);
  }
  if (vertices > FOOTPRINT_MAX_VERTICES) return `the footprint has ${vertices} positions; at most ${FOOTPRINT_MAX_VERTICES}: simplify the outline`;
  return null;
}

/** Why a valid footprint's area (m², on the spheroid) is not a building's, or null. */
export function footprintSizeProblem(areaM2: number): string | null {
  if (areaM2 < FOOTPRINT_MIN_M2)
    return `the footprint covers ${areaM2.toFixed(2)} m²: less than ${FOOTPRINT_MIN_M2} m² is not an outline of a building (is it in WGS84 degrees?)`;
  if (areaM2 > FOOTPRINT_MAX_M2)
    return `the footprint covers ${Math.round(areaM2)} m²: more than ${FOOTPRINT_MAX_M2} m² is not one building; draw each building apart`;
  return null;
}

/** A WGS84 bounding box: [minLon, minLat, maxLon, maxLat]. */
export type Bbox = readonly [number, number, number, number];

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Largest box a map client may ask for: a whole city at low zoom, not a continent. */
export const MAX_BBOX_SPAN_DEGREES = 2;

/**
 * Parses "minLon,minLat,maxLon,maxLat" and says exactly what is wrong when it cannot,
 * so a 400 tells the caller what to fix.
 */
export function parseBbox(text: string, maxSpan = MAX_BBOX_SPAN_DEGREES): ParseResult<Bbox> {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length !== 4) {
    return { ok: false, message: `bbox must be 4 comma-separated numbers minLon,minLat,maxLon,maxLat; got ${parts.length} value(s)` };
  }
  const nums = parts.map((p) => (p === '' ? Number.NaN : Number(p)));
  const names = ['minLon', 'minLat', 'maxLon', 'maxLat'];
  for (let i = 0; i < 4; i++) {
    if (!Number.isFinite(nums[i])) return { ok: false, message: `bbox ${names[i]} is not a number: "${parts[i]}"` };
  }
  const [minLon, minLat, maxLon, maxLat] = nums as [number, number, number, number];
  for (const [name, v] of [
    ['minLon', minLon],
    ['maxLon', maxLon],
  ] as const) {
    if (v < -180 || v > 180) return { ok: false, message: `bbox ${name} ${v} is out of range: longitude must be within -180..180` };
  }
  for (const [name, v] of [
    ['minLat', minLat],
    ['maxLat', maxLat],
  ] as const) {
    if (v < -90 || v > 90) return { ok: false, message: `bbox ${name} ${v} is out of range: latitude must be within -90..90` };
  }
  if (minLon >= maxLon) return { ok: false, message: `bbox minLon ${minLon} must be less than maxLon ${maxLon}` };
  if (minLat >= maxLat) return { ok: false, message: `bbox minLat ${minLat} must be less than maxLat ${maxLat}` };
  if (maxLon - minLon > maxSpan || maxLat - minLat > maxSpan) {
    return { ok: false, message: `bbox spans more than ${maxSpan}° on a side; zoom in or split the request` };
  }
  return { ok: true, value: [minLon, minLat, maxLon, maxLat] };
}

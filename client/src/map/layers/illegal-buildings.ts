// 违法建设: footprints filled red (new, zero tolerance) or orange (stock), from zoom 12.
// Footprints are a pixel or two wide at zoom 12–14, so the source also carries one marker point per
// footprint (added by `withMarkers`) that a circle layer draws up to zoom 15.
import type { Feature, FeatureCollection } from 'geojson';
import type { ExpressionSpecification, FilterSpecification } from 'maplibre-gl';
import { labelPoint } from '../geo.ts';
import { palette } from '../palette.ts';
import type { OverlayDef } from './overlay.ts';

const source = 'zh-illegal-buildings';
export const BUILDINGS_MIN_ZOOM = 12;

const kindColour: ExpressionSpecification = [
  'match',
  ['get', 'kind'],
  'new',
  palette.building.new,
  palette.building.stock,
];
const isMarker: FilterSpecification = ['==', ['geometry-type'], 'Point'];
const isFootprint: FilterSpecification = ['!=', ['geometry-type'], 'Point'];
const settled: ExpressionSpecification = ['match', ['get', 'stage'], ['demolished', 'closed'], true, false];

export const illegalBuildings: OverlayDef = {
  name: 'illegalBuildings',
  sourceId: source,
  promoteId: 'code',
  minzoom: BUILDINGS_MIN_ZOOM,
  base: [
    {
      id: 'zh-buildings-fill',
      type: 'fill',
      source,
      filter: isFootprint,
      minzoom: BUILDINGS_MIN_ZOOM,
      paint: { 'fill-color': kindColour, 'fill-opacity': ['case', settled, 0.3, 0.8] },
    },
  ],
  top: [
    {
      id: 'zh-buildings-line',
      type: 'line',
      source,
      filter: isFootprint,
      minzoom: 14,
      paint: { 'line-color': kindColour, 'line-width': 2, 'line-opacity': ['case', settled, 0.5, 1] },
    },
    {
      id: 'zh-buildings-dot',
      type: 'circle',
      source,
      filter: isMarker,
      minzoom: BUILDINGS_MIN_ZOOM,
      maxzoom: 15,
      paint: {
        'circle-color': kindColour,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 12, 3, 14, 4.5],
        'circle-opacity': ['case', settled, 0.35, 0.95],
        'circle-stroke-width': 0,
      },
    },
  ],
  interactive: ['zh-buildings-fill', 'zh-buildings-dot'],
};

/** The footprints plus one marker point each (same properties), for the low-zoom dot layer. */
export function withMarkers(fc: FeatureCollection): FeatureCollection {
  const markers: Feature[] = [];
  for (const f of fc.features) {
    const at = f.geometry ? labelPoint(f.geometry) : null;
    if (at) markers.push({ type: 'Feature', geometry: { type: 'Point', coordinates: at }, properties: f.properties });
  }
  return { type: 'FeatureCollection', features: [...fc.features, ...markers] };
}

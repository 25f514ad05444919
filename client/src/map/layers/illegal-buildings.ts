// 违法建设: footprints filled red (new, zero tolerance) or orange (stock), from zoom 12.
// Footprints are a few pixels wide at zoom 12–14, so a circle layer on the same source marks them
// there (a circle is drawn on each vertex, which at that scale collapse to one dot).
import type { ExpressionSpecification } from 'maplibre-gl';
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
      minzoom: BUILDINGS_MIN_ZOOM,
      paint: { 'fill-color': kindColour, 'fill-opacity': ['case', settled, 0.3, 0.8] },
    },
  ],
  top: [
    {
      id: 'zh-buildings-line',
      type: 'line',
      source,
      minzoom: 14,
      paint: { 'line-color': kindColour, 'line-width': 2, 'line-opacity': ['case', settled, 0.5, 1] },
    },
    {
      id: 'zh-buildings-dot',
      type: 'circle',
      source,
      minzoom: BUILDINGS_MIN_ZOOM,
      maxzoom: 15.5,
      paint: {
        'circle-color': kindColour,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 12, 2.5, 14, 3.5, 15.5, 3],
        'circle-opacity': ['case', settled, 0.35, 0.95],
        'circle-stroke-width': 0,
      },
    },
  ],
  interactive: ['zh-buildings-fill', 'zh-buildings-dot'],
};

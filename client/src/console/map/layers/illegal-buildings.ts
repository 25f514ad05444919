// 违法建设: footprints filled red (new, zero tolerance) or orange (stock), from zoom 12, as vector
// tiles. A footprint is a pixel or two wide at zoom 12–14, so a thick outline (wider when zoomed
// out) keeps each one visible as a blob there and becomes a thin edge close up.
import type { ExpressionSpecification, FilterSpecification } from 'maplibre-gl';
import { palette } from '../../../common/map/palette.ts';
import type { OverlayDef } from '../../../common/map/layers/overlay.ts';

const source = 'zh-illegal-buildings';
const sourceLayer = 'illegal_buildings';
export const BUILDINGS_MIN_ZOOM = 12;

const kindColour: ExpressionSpecification = ['match', ['get', 'kind'], 'new', palette.building.new, palette.building.stock];
const settled: ExpressionSpecification = ['match', ['get', 'stage'], ['demolished', 'closed'], true, false];
const footprint: FilterSpecification = ['!=', ['geometry-type'], 'Point'];

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
      'source-layer': sourceLayer,
      filter: footprint,
      minzoom: BUILDINGS_MIN_ZOOM,
      paint: { 'fill-color': kindColour, 'fill-opacity': ['case', settled, 0.3, 0.8] },
    },
  ],
  top: [
    {
      id: 'zh-buildings-line',
      type: 'line',
      source,
      'source-layer': sourceLayer,
      filter: footprint,
      minzoom: BUILDINGS_MIN_ZOOM,
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': kindColour,
        'line-width': ['interpolate', ['linear'], ['zoom'], 12, 5, 14, 4, 15, 2],
        'line-opacity': ['case', settled, 0.45, 1],
      },
    },
  ],
  interactive: ['zh-buildings-fill', 'zh-buildings-line'],
  tiles: { path: 'illegal-buildings', sourceLayer, maxzoom: 16 },
};

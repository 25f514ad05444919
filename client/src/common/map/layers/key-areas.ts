// 重点地区: warm translucent fill and strong outline; city level orange-red, district level amber,
// de-listed (inactive) areas grey and dashed.
import type { ExpressionSpecification } from 'maplibre-gl';
import { palette } from '../palette.ts';
import type { OverlayDef } from './overlay.ts';

const source = 'zh-key-areas';
const k = palette.keyArea;

const byLevel = (city: string, district: string): ExpressionSpecification => [
  'case',
  ['!', ['get', 'active']],
  k.inactive.line,
  ['==', ['get', 'level'], 'city'],
  city,
  district,
];

export const keyAreas: OverlayDef = {
  name: 'keyAreas',
  sourceId: source,
  promoteId: 'id',
  minzoom: 0,
  base: [
    {
      id: 'zh-key-areas-fill',
      type: 'fill',
      source,
      paint: {
        'fill-color': byLevel(k.city.fill, k.district.fill),
        'fill-opacity': ['interpolate', ['linear'], ['zoom'], 11, ['case', ['get', 'active'], 0.32, 0.08], 15, ['case', ['get', 'active'], 0.2, 0.06]],
      },
    },
  ],
  top: [
    {
      id: 'zh-key-areas-line',
      type: 'line',
      source,
      filter: ['==', ['get', 'active'], true],
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': byLevel(k.city.line, k.district.line),
        'line-width': ['case', ['==', ['get', 'level'], 'city'], 3.5, 2.5],
      },
    },
    {
      id: 'zh-key-areas-line-inactive',
      type: 'line',
      source,
      filter: ['!=', ['get', 'active'], true],
      paint: { 'line-color': k.inactive.line, 'line-width': 2, 'line-dasharray': [2, 2] },
    },
  ],
  interactive: ['zh-key-areas-fill'],
};

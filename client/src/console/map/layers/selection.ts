// The highlight of the feature whose details are open: its own small source, above everything.
import type { GeoJSONSourceSpecification, LayerSpecification } from 'maplibre-gl';
import { palette } from '../../../common/map/palette.ts';
import { emptyCollection } from '../../../common/map/layers/overlay.ts';

export const SELECTION_SOURCE = 'zh-selection';

export const selectionSource: GeoJSONSourceSpecification = { type: 'geojson', data: emptyCollection() };

export const selectionLayers: LayerSpecification[] = [
  {
    id: 'zh-selection-glow',
    type: 'line',
    source: SELECTION_SOURCE,
    filter: ['!=', ['geometry-type'], 'Point'],
    paint: { 'line-color': palette.selection, 'line-width': 12, 'line-opacity': 0.25, 'line-blur': 4 },
  },
  {
    id: 'zh-selection-line',
    type: 'line',
    source: SELECTION_SOURCE,
    filter: ['!=', ['geometry-type'], 'Point'],
    paint: { 'line-color': palette.selection, 'line-width': 4 },
  },
  {
    id: 'zh-selection-ring',
    type: 'circle',
    source: SELECTION_SOURCE,
    filter: ['==', ['geometry-type'], 'Point'],
    paint: {
      'circle-radius': 20,
      'circle-color': 'rgba(0,0,0,0)',
      'circle-stroke-color': palette.selection,
      'circle-stroke-width': 4,
    },
  },
];

/** The point of a case being written (新建案件), placed by a click on the map. */
export const DRAFT_SOURCE = 'zh-draft';

export const draftSource: GeoJSONSourceSpecification = { type: 'geojson', data: emptyCollection() };

export const draftLayers: LayerSpecification[] = [
  {
    id: 'zh-draft-ring',
    type: 'circle',
    source: DRAFT_SOURCE,
    paint: {
      'circle-radius': 24,
      'circle-color': 'rgba(255, 242, 122, 0.18)',
      'circle-stroke-color': '#fff27a',
      'circle-stroke-width': 3,
    },
  },
  {
    id: 'zh-draft-dot',
    type: 'circle',
    source: DRAFT_SOURCE,
    paint: { 'circle-radius': 6, 'circle-color': '#fff27a', 'circle-stroke-color': '#0a1020', 'circle-stroke-width': 2 },
  },
];

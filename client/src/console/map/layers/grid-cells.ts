// 单元网格: thin outlines from zoom 13, as vector tiles (≈54,000 cells; a view loads only its tiles).
import { palette } from '../../../common/map/palette.ts';
import type { OverlayDef } from '../../../common/map/layers/overlay.ts';

const source = 'zh-grid-cells';
const sourceLayer = 'grid_cells';
export const GRID_MIN_ZOOM = 13;

export const gridCells: OverlayDef = {
  name: 'gridCells',
  sourceId: source,
  promoteId: 'code',
  minzoom: GRID_MIN_ZOOM,
  base: [
    {
      // invisible fill so a click inside a cell finds the cell
      id: 'zh-grid-hit',
      type: 'fill',
      source,
      'source-layer': sourceLayer,
      minzoom: GRID_MIN_ZOOM,
      paint: { 'fill-color': '#000000', 'fill-opacity': 0 },
    },
    {
      id: 'zh-grid-line',
      type: 'line',
      source,
      'source-layer': sourceLayer,
      minzoom: GRID_MIN_ZOOM,
      paint: {
        'line-color': palette.grid.line,
        'line-width': ['interpolate', ['linear'], ['zoom'], 13, 0.4, 15, 0.8, 17, 1.4],
        'line-opacity': ['interpolate', ['linear'], ['zoom'], 13, 0.22, 14.5, 0.38, 16, 0.5],
      },
    },
  ],
  top: [],
  interactive: ['zh-grid-hit'],
  tiles: { path: 'grid-cells', sourceLayer, maxzoom: 16 },
};

// 执法队员: one circle layer on one source (no DOM marker per officer). Colour = duty status;
// a thick white ring marks a certified officer (持证), a thin dark ring an auxiliary (协管员).
// An officer whose last position is old (`stale`) is drawn grey and faint: not where the dot says.
import { palette } from '../../../common/map/palette.ts';
import type { OverlayDef } from '../../../common/map/layers/overlay.ts';

const source = 'zh-officers';
const o = palette.officer;

export const officers: OverlayDef = {
  name: 'officers',
  sourceId: source,
  promoteId: 'id',
  minzoom: 0,
  base: [],
  top: [
    {
      id: 'zh-officers-dot',
      type: 'circle',
      source,
      layout: {
        // busy on top of available on top of off duty
        'circle-sort-key': ['match', ['get', 'dutyStatus'], 'busy', 3, 'available', 2, 1],
      },
      paint: {
        'circle-color': [
          'case',
          ['==', ['get', 'stale'], true],
          o.stale,
          ['match', ['get', 'dutyStatus'], 'available', o.available, 'busy', o.busy, o.off_duty],
        ],
        'circle-radius': [
          'interpolate',
          ['linear'],
          ['zoom'],
          10,
          ['match', ['get', 'kind'], 'officer', 4.5, 3.5],
          13,
          ['match', ['get', 'kind'], 'officer', 7, 5.5],
          16,
          ['match', ['get', 'kind'], 'officer', 10, 8],
        ],
        'circle-stroke-color': ['match', ['get', 'kind'], 'officer', o.certifiedRing, o.auxiliaryRing],
        'circle-stroke-width': ['match', ['get', 'kind'], 'officer', 2.5, 1.5],
        'circle-opacity': ['case', ['==', ['get', 'stale'], true], 0.45, ['match', ['get', 'dutyStatus'], 'off_duty', 0.7, 1]],
        'circle-stroke-opacity': ['case', ['==', ['get', 'stale'], true], 0.4, 1],
      },
    },
  ],
  interactive: ['zh-officers-dot'],
};

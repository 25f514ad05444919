// 执法队员: one circle layer on one source (no DOM marker per officer). Colour = duty status;
// a thick white ring marks a certified officer (持证), a thin dark ring an auxiliary (协管员).
// Three looks (`look`, shared/position-fix.ts): on duty with a fresh fix = a filled dot in the duty
// colour; on duty with an old fix = a hollow ring in the duty colour (on duty, but maybe not where the
// dot is); off duty = a faint grey dot. An old fix is not off duty, so it never borrows the off-duty grey.
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
          'match',
          ['get', 'look'],
          'stale',
          o.staleFill,
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
        'circle-stroke-color': [
          'match',
          ['get', 'look'],
          'stale',
          ['match', ['get', 'dutyStatus'], 'busy', o.busy, o.available],
          ['match', ['get', 'kind'], 'officer', o.certifiedRing, o.auxiliaryRing],
        ],
        'circle-stroke-width': [
          'match',
          ['get', 'look'],
          'stale',
          ['match', ['get', 'kind'], 'officer', 3, 2],
          ['match', ['get', 'kind'], 'officer', 2.5, 1.5],
        ],
        'circle-opacity': ['match', ['get', 'look'], 'stale', 0.85, 'off', 0.7, 1],
        'circle-stroke-opacity': ['match', ['get', 'look'], 'off', 0.6, 1],
      },
    },
  ],
  interactive: ['zh-officers-dot'],
};

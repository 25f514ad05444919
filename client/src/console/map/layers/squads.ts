// 中队驻地: squad bases as a purple disc with a white ring on a soft halo.
import { palette } from '../../../common/map/palette.ts';
import type { OverlayDef } from '../../../common/map/layers/overlay.ts';

const source = 'zh-squads';

export const squads: OverlayDef = {
  name: 'squads',
  sourceId: source,
  promoteId: 'id',
  minzoom: 0,
  base: [],
  top: [
    {
      id: 'zh-squads-halo',
      type: 'circle',
      source,
      paint: {
        'circle-color': palette.squad.halo,
        'circle-opacity': 0.28,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 10, 14, 18],
        'circle-blur': 0.4,
      },
    },
    {
      id: 'zh-squads-base',
      type: 'circle',
      source,
      paint: {
        'circle-color': palette.squad.fill,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 6, 14, 10],
        'circle-stroke-color': palette.squad.stroke,
        'circle-stroke-width': 3,
      },
    },
  ],
  interactive: ['zh-squads-base', 'zh-squads-halo'],
};

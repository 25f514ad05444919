// 行政区: very subtle fill, glowing bright outline; names are HTML labels (no glyph server).
import type { FeatureCollection, Geometry } from 'geojson';
import type { DistrictProps } from '../../api-types.ts';
import type { LabelItem } from '../html-labels.ts';
import { palette } from '../palette.ts';
import type { OverlayDef } from './overlay.ts';

const source = 'zh-districts';

export const districts: OverlayDef = {
  name: 'districts',
  sourceId: source,
  promoteId: 'adcode',
  minzoom: 0,
  base: [
    {
      id: 'zh-districts-fill',
      type: 'fill',
      source,
      paint: { 'fill-color': palette.district.fill, 'fill-opacity': 0.06 },
    },
  ],
  top: [
    {
      id: 'zh-districts-glow',
      type: 'line',
      source,
      layout: { 'line-join': 'round' },
      paint: { 'line-color': palette.district.glow, 'line-width': 10, 'line-opacity': 0.16, 'line-blur': 6 },
    },
    {
      id: 'zh-districts-line',
      type: 'line',
      source,
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': palette.district.line,
        'line-width': ['interpolate', ['linear'], ['zoom'], 9, 1.6, 13, 2.6, 16, 3.5],
      },
    },
  ],
  interactive: ['zh-districts-fill'],
};

/** A name label per district, at the point `at` picks in its shape (none where it picks nothing). */
export function districtLabels(fc: FeatureCollection, at: (g: Geometry) => [number, number] | null): LabelItem[] {
  return fc.features.flatMap((f) => {
    const p = f.properties as DistrictProps;
    const lngLat = f.geometry ? at(f.geometry) : null;
    return lngLat ? [{ id: p.adcode, lngLat, zh: p.name, en: p.nameEn }] : [];
  });
}

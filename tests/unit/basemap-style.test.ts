// The shared basemap style, checked against MapLibre's own style specification validator (a layer
// MapLibre refuses fails the whole style on the phone, which loads it as its map's style).
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { describe, expect, it } from 'vitest';
import { BASEMAP_THEMES, buildBasemapStyle } from '../../shared/basemap-style.ts';

describe.each(BASEMAP_THEMES)('the %s basemap style', (theme) => {
  const style = buildBasemapStyle({
    theme,
    origin: 'http://127.0.0.1:3000',
    fontstack: 'WenQuanYi Micro Hei Regular',
    attribution: '© OpenStreetMap contributors',
    note: { zh: '演示底图仅覆盖成都市南部局部', en: 'demo basemap covers part of south-central Chengdu' },
    bounds: [104.039, 30.62, 104.078, 30.651],
    minzoom: 10,
    maxzoom: 17,
  });

  it('is valid by the MapLibre style specification', () => {
    expect(validateStyleMin(style)).toEqual([]);
  });

  it('labels roads with their Chinese name in our font, over every road class', () => {
    const label = style.layers.find((l) => l.id === 'bm-road-label')!;
    expect(label.type).toBe('symbol');
    expect((label as { layout: Record<string, unknown> }).layout['text-font']).toEqual(['WenQuanYi Micro Hei Regular']);
    expect(style.layers.filter((l) => l.id.startsWith('bm-road-') && l.type === 'line').length).toBeGreaterThanOrEqual(4);
  });

  it('credits OpenStreetMap and says the demo basemap is partial, Chinese first', () => {
    const src = style.sources['zhihui-basemap'] as { attribution: string };
    expect(src.attribution).toBe('© OpenStreetMap contributors · 演示底图仅覆盖成都市南部局部 / demo basemap covers part of south-central Chengdu');
  });
});

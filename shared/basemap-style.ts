// The MapLibre style of Zhihui's own basemap (server/basemap): dark for the wall console, light for the
// officer's phone. The server answers it at GET /api/basemap/style and the console adds its layers
// under our overlays; every layer id starts with `bm-` and the source is `zhihui-basemap`.
import type { LayerSpecification, StyleSpecification, VectorSourceSpecification } from 'maplibre-gl';

export type BasemapTheme = 'dark' | 'light';
export const BASEMAP_THEMES: readonly BasemapTheme[] = ['dark', 'light'];
export const BASEMAP_SOURCE = 'zhihui-basemap';
export const BASEMAP_LAYER_PREFIX = 'bm-';

/** The archive's JSON metadata (PMTiles v3), written by the build and read by the style route. */
export interface BasemapMetadata {
  name: string;
  format: 'pbf';
  attribution: string;
  /** e.g. that the demo basemap covers only part of the city: zh-CN first, English second */
  note: { zh: string; en: string } | null;
  fontstack: string;
  glyphRanges: string[];
  source: string;
  built: string;
  vector_layers: { id: string; minzoom: number; maxzoom: number; fields: Record<string, string> }[];
}

export interface BasemapStyleInput {
  theme: BasemapTheme;
  /** absolute URL prefix of the API, e.g. http://127.0.0.1:3000 */
  origin: string;
  fontstack: string;
  attribution: string;
  note: { zh: string; en: string } | null;
  bounds: [number, number, number, number];
  minzoom: number;
  maxzoom: number;
}

interface Palette {
  background: string;
  water: string;
  waterLine: string;
  rail: string;
  casing: string;
  major: string;
  primary: string;
  secondary: string;
  minor: string;
  path: string;
  label: string;
  halo: string;
  place: string;
  waterLabel: string;
}

const PALETTES: Record<BasemapTheme, Palette> = {
  // the wall: quiet roads under bright overlays, labels light on a dark halo
  dark: {
    background: '#070d1a',
    water: '#0d2742',
    waterLine: '#1a4a73',
    rail: '#5a6275',
    casing: '#03060d',
    major: '#6a80a8',
    primary: '#587096',
    secondary: '#445a7e',
    minor: '#334563',
    path: '#1f2a3d',
    label: '#d3deee',
    halo: '#070d1a',
    place: '#e8eef8',
    waterLabel: '#6fa4d6',
  },
  // the phone in daylight
  light: {
    background: '#f3f1ec',
    water: '#a9d3e6',
    waterLine: '#86bcd6',
    rail: '#8d8d99',
    casing: '#c9c2b5',
    major: '#f6c76b',
    primary: '#fbdc92',
    secondary: '#fff1c2',
    minor: '#ffffff',
    path: '#e0dcd3',
    label: '#2b2f38',
    halo: '#ffffff',
    place: '#1e2430',
    waterLabel: '#2f6f96',
  },
};

const cls = (...names: string[]) => ['match', ['get', 'class'], names, true, false];
/** line width by zoom: thin at 10, `at17` px at 17 */
const width = (at12: number, at17: number) => ['interpolate', ['exponential', 1.6], ['zoom'], 10, at12 * 0.4, 12, at12, 17, at17];
/** a river or canal is wider than a stream */
const big = (river: number, stream: number) => ['match', ['get', 'class'], ['river', 'canal'], river, stream];
/** Chinese name first, the English one (when the data has it) on a second, smaller line */
const label = [
  'format',
  ['coalesce', ['get', 'name'], ['get', 'name_en']],
  {},
  ['case', ['all', ['has', 'name'], ['has', 'name_en']], ['concat', '\n', ['get', 'name_en']], ''],
  { 'font-scale': 0.8 },
];

export function basemapLayers(theme: BasemapTheme, fontstack: string): LayerSpecification[] {
  const p = PALETTES[theme];
  const font = [fontstack];
  const src = { source: BASEMAP_SOURCE };
  const roads = [
    ['major', ['motorway', 'trunk'], p.major, 1.6, 12],
    ['primary', ['primary'], p.primary, 1.4, 10],
    ['secondary', ['secondary', 'tertiary'], p.secondary, 1, 7],
    ['minor', ['minor', 'service'], p.minor, 0.6, 5],
  ] as const;
  const layers = [
    { id: 'bm-background', type: 'background', paint: { 'background-color': p.background } },
    { id: 'bm-water', type: 'fill', ...src, 'source-layer': 'water', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': p.water } },
    {
      id: 'bm-waterway',
      type: 'line',
      ...src,
      'source-layer': 'water',
      filter: ['==', ['geometry-type'], 'LineString'],
      // one zoom curve, the class inside its stops (MapLibre allows `zoom` only at the top)
      paint: {
        'line-color': p.waterLine,
        'line-width': ['interpolate', ['exponential', 1.6], ['zoom'], 10, big(0.6, 0.2), 12, big(1.5, 0.5), 17, big(8, 2)],
      },
    },
    {
      id: 'bm-path',
      type: 'line',
      ...src,
      'source-layer': 'roads',
      filter: cls('path'),
      paint: { 'line-color': p.path, 'line-width': width(0.3, 1.5), 'line-dasharray': [2, 1] },
    },
    // light roads need an edge to be seen; dark ones sit on the ground as they are
    ...(theme === 'light'
      ? roads.map(([name, classes, , w12, w17]) => ({
          id: `bm-road-${name}-casing`,
          type: 'line',
          ...src,
          'source-layer': 'roads',
          filter: cls(...classes),
          layout: { 'line-cap': 'round', 'line-join': 'round' },
          paint: { 'line-color': p.casing, 'line-width': width(w12 + 0.8, w17 + 2) },
        }))
      : []),
    ...[...roads].reverse().map(([name, classes, color, w12, w17]) => ({
      id: `bm-road-${name}`,
      type: 'line',
      ...src,
      'source-layer': 'roads',
      filter: cls(...classes),
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': color, 'line-width': width(w12, w17) },
    })),
    {
      id: 'bm-rail',
      type: 'line',
      ...src,
      'source-layer': 'rail',
      paint: { 'line-color': p.rail, 'line-width': width(0.8, 3), 'line-dasharray': [3, 2] },
    },
    {
      id: 'bm-water-label',
      type: 'symbol',
      ...src,
      'source-layer': 'water',
      minzoom: 13,
      filter: ['has', 'name'],
      layout: { 'symbol-placement': 'line', 'text-field': label, 'text-font': font, 'text-size': 13 },
      paint: { 'text-color': p.waterLabel, 'text-halo-color': p.halo, 'text-halo-width': 1.5 },
    },
    {
      id: 'bm-road-label',
      type: 'symbol',
      ...src,
      'source-layer': 'roads',
      minzoom: 13,
      filter: ['has', 'name'],
      layout: {
        'symbol-placement': 'line',
        'symbol-spacing': 280,
        'text-field': ['coalesce', ['get', 'name'], ['get', 'name_en']],
        'text-font': font,
        'text-size': ['interpolate', ['linear'], ['zoom'], 13, 12, 17, 16],
        'text-max-angle': 35,
        'text-padding': 4,
      },
      paint: { 'text-color': p.label, 'text-halo-color': p.halo, 'text-halo-width': 2, 'text-halo-blur': 0.5 },
    },
    {
      id: 'bm-place-label',
      type: 'symbol',
      ...src,
      'source-layer': 'places',
      layout: { 'text-field': label, 'text-font': font, 'text-size': ['match', ['get', 'class'], ['city', 'town', 'district'], 16, 13], 'text-max-width': 8 },
      paint: { 'text-color': p.place, 'text-halo-color': p.halo, 'text-halo-width': 2 },
    },
  ];
  return layers as LayerSpecification[];
}

export function basemapSource(s: BasemapStyleInput): VectorSourceSpecification {
  const note = s.note ? ` · ${s.note.zh} / ${s.note.en}` : '';
  return {
    type: 'vector',
    tiles: [`${s.origin}/api/basemap/tiles/{z}/{x}/{y}.pbf`],
    minzoom: s.minzoom,
    maxzoom: s.maxzoom,
    bounds: s.bounds,
    attribution: `${s.attribution}${note}`,
  };
}

export const glyphsUrl = (origin: string) => `${origin}/api/basemap/fonts/{fontstack}/{range}.pbf`;

/** The whole style: our basemap alone (overlays are added on top by the console and the phone). */
export function buildBasemapStyle(s: BasemapStyleInput): StyleSpecification {
  return {
    version: 8,
    name: `zhihui-basemap-${s.theme}`,
    metadata: { 'zhihui:note': s.note, 'zhihui:theme': s.theme },
    glyphs: glyphsUrl(s.origin),
    sources: { [BASEMAP_SOURCE]: basemapSource(s) },
    layers: basemapLayers(s.theme, s.fontstack),
    center: [(s.bounds[0] + s.bounds[2]) / 2, (s.bounds[1] + s.bounds[3]) / 2],
    zoom: 14,
  };
}

// 案件: open cases as one circle layer on one GeoJSON source (no DOM marker per case). Fill colour =
// state, size = priority, a red ring = overdue; a dark centre dot tells a case from an officer.
// Newly arrived cases get `fresh` and a pulsing halo (animated by ConsoleMap while any is fresh).
import type { FeatureCollection, Point } from 'geojson';
import type { ExpressionSpecification } from 'maplibre-gl';
import { OVERDUE_COLOR, stateColor } from '../../cases/labels.ts';
import type { IncidentView } from '../../cases/types.ts';
import type { OverlayDef } from './overlay.ts';

const source = 'zh-incidents';
export const INCIDENT_FLASH_LAYER = 'zh-incidents-flash';

const colorByState = [
  'match',
  ['get', 'state'],
  ...Object.entries(stateColor).flat(),
  '#ffffff',
] as unknown as ExpressionSpecification;

/** radius grows with priority (0–100) and zoom */
const radius = (extra: number): ExpressionSpecification => [
  'interpolate',
  ['linear'],
  ['zoom'],
  10,
  ['+', 7 + extra, ['*', ['get', 'priority'], 0.05]],
  14,
  ['+', 10 + extra, ['*', ['get', 'priority'], 0.07]],
  17,
  ['+', 13 + extra, ['*', ['get', 'priority'], 0.08]],
];

export interface IncidentProps {
  id: number;
  code: string;
  state: string;
  priority: number;
  overdue: boolean;
  fresh: boolean;
}

export function incidentCollection(list: IncidentView[], fresh: (id: number) => boolean): FeatureCollection<Point, IncidentProps> {
  return {
    type: 'FeatureCollection',
    features: list.map((i) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [i.lon, i.lat] },
      properties: { id: i.id, code: i.code, state: i.state, priority: i.priority, overdue: i.overdue, fresh: fresh(i.id) },
    })),
  };
}

export const incidents: OverlayDef = {
  name: 'incidents',
  sourceId: source,
  promoteId: 'id',
  minzoom: 0,
  base: [],
  top: [
    {
      id: INCIDENT_FLASH_LAYER,
      type: 'circle',
      source,
      filter: ['==', ['get', 'fresh'], true],
      paint: {
        'circle-color': 'rgba(0,0,0,0)',
        'circle-radius': 26,
        'circle-stroke-color': '#fff27a',
        'circle-stroke-width': 4,
        'circle-stroke-opacity': 0.9,
      },
    },
    {
      id: 'zh-incidents-overdue',
      type: 'circle',
      source,
      filter: ['==', ['get', 'overdue'], true],
      paint: {
        'circle-color': OVERDUE_COLOR,
        'circle-opacity': 0.35,
        'circle-blur': 0.3,
        'circle-radius': radius(9),
      },
    },
    {
      id: 'zh-incidents-dot',
      type: 'circle',
      source,
      layout: { 'circle-sort-key': ['get', 'priority'] },
      paint: {
        'circle-color': colorByState,
        'circle-radius': radius(0),
        'circle-stroke-color': ['case', ['get', 'overdue'], OVERDUE_COLOR, '#0a1020'],
        'circle-stroke-width': ['case', ['get', 'overdue'], 4, 2.5],
      },
    },
    {
      id: 'zh-incidents-core',
      type: 'circle',
      source,
      layout: { 'circle-sort-key': ['get', 'priority'] },
      paint: {
        'circle-color': '#0a1020',
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 2.2, 14, 3, 17, 4.5],
      },
    },
  ],
  interactive: ['zh-incidents-dot', 'zh-incidents-core'],
};

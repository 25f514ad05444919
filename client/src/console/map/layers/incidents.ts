// 案件: open cases as one circle layer on one GeoJSON source (no DOM marker per case). Fill colour =
// state, size = priority, a red ring = overdue; a dark centre dot tells a case from an officer.
// Newly arrived cases get `fresh` and a steady yellow halo: the map is not animated for it (every
// frame redraws the whole map); the queue row flashes instead.
// Zoomed out, nearby cases gather into clusters sized by count, red when one of them is overdue,
// and keep their halo when a fresh case is inside; counts are HTML labels (no glyphs offline).
import type { FeatureCollection, Point } from 'geojson';
import type { ExpressionSpecification, FilterSpecification, GeoJSONSourceSpecification } from 'maplibre-gl';
import { OVERDUE_COLOR, stateColor } from '../../../common/cases/labels.ts';
import type { CaseView } from '../../../common/cases/types.ts';
import type { OverlayDef } from '../../../common/map/layers/overlay.ts';

const source = 'zh-incidents';
export const INCIDENT_FLASH_LAYER = 'zh-incidents-flash';
export const INCIDENT_CLUSTER_LAYER = 'zh-incidents-cluster';
/** from this zoom on every case is its own dot */
export const CLUSTER_MAX_ZOOM = 12;

const single: FilterSpecification = ['!', ['has', 'point_count']];
const cluster: FilterSpecification = ['has', 'point_count'];

/** what a cluster keeps of its cases */
export const clusterProperties = {
  overdueCount: ['+', ['case', ['get', 'overdue'], 1, 0]],
  maxPriority: ['max', ['get', 'priority']],
  fresh: ['any', ['get', 'fresh']],
} as const;

const colorByState = ['match', ['get', 'state'], ...Object.entries(stateColor).flat(), '#ffffff'] as unknown as ExpressionSpecification;

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

export interface CaseProps {
  id: number;
  code: string;
  state: string;
  priority: number;
  overdue: boolean;
  fresh: boolean;
}

export function caseCollection(list: CaseView[], fresh: (id: number) => boolean): FeatureCollection<Point, CaseProps> {
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
      // a fresh case inside a cluster rings the cluster
      paint: {
        'circle-color': 'rgba(0,0,0,0)',
        'circle-radius': 26,
        'circle-stroke-color': '#fff27a',
        'circle-stroke-width': 4,
        'circle-stroke-opacity': 0.9,
      },
    },
    {
      id: INCIDENT_CLUSTER_LAYER,
      type: 'circle',
      source,
      filter: cluster,
      paint: {
        'circle-color': ['case', ['>', ['get', 'overdueCount'], 0], OVERDUE_COLOR, ['>=', ['get', 'maxPriority'], 70], '#ff8c1a', '#2f7fd0'],
        'circle-opacity': 0.88,
        'circle-radius': ['interpolate', ['linear'], ['get', 'point_count'], 2, 16, 20, 24, 200, 36, 2000, 50],
        'circle-stroke-color': '#eaf8ff',
        'circle-stroke-width': 2.5,
      },
    },
    {
      id: 'zh-incidents-overdue',
      type: 'circle',
      source,
      filter: ['all', single, ['==', ['get', 'overdue'], true]],
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
      filter: single,
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
      filter: single,
      layout: { 'circle-sort-key': ['get', 'priority'] },
      paint: {
        'circle-color': '#0a1020',
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 2.2, 14, 3, 17, 4.5],
      },
    },
  ],
  interactive: [INCIDENT_CLUSTER_LAYER, 'zh-incidents-dot', 'zh-incidents-core'],
  source: {
    cluster: true,
    clusterMaxZoom: CLUSTER_MAX_ZOOM,
    clusterRadius: 44,
    clusterProperties: clusterProperties as unknown as GeoJSONSourceSpecification['clusterProperties'],
  },
};

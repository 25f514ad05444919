// 违法建设: footprints filled by stage (hot while untouched, cooling as they are dealt with, grey once
// 销号), edged red when new (新增, zero tolerance), with a white dashed edge when the next step is
// overdue; from zoom 12, as vector tiles. A footprint is a pixel or two wide at zoom 12–14, so a
// thick outline (wider when zoomed out) keeps each one visible as a blob there.
import type { ExpressionSpecification, FilterSpecification } from 'maplibre-gl';
import { BUILDING_STAGES, type BuildingKind, type BuildingStage } from '#shared/buildings/stage-machine.ts';
import { palette } from '../../../common/map/palette.ts';
import type { OverlayDef } from '../../../common/map/layers/overlay.ts';

const source = 'zh-illegal-buildings';
const sourceLayer = 'illegal_buildings';
export const BUILDINGS_MIN_ZOOM = 12;

const stageColour = [
  'match',
  ['get', 'stage'],
  ...BUILDING_STAGES.flatMap((s) => [s, palette.building.stage[s]]),
  palette.building.stock,
] as unknown as ExpressionSpecification;
const edgeColour: ExpressionSpecification = ['match', ['get', 'kind'], 'new', palette.building.new, stageColour];
const settled: ExpressionSpecification = ['match', ['get', 'stage'], ['demolished', 'rectified', 'closed'], true, false];
const footprint: FilterSpecification = ['!=', ['geometry-type'], 'Point'];
const overdue: FilterSpecification = ['==', ['get', 'overdue'], true];

/** Which buildings the map draws: the stages ticked, stock / new / both, only those past their step's due time. */
export interface BuildingFilter {
  stages: BuildingStage[];
  kind: BuildingKind | 'all';
  overdueOnly: boolean;
}

export const ALL_BUILDINGS: BuildingFilter = { stages: [...BUILDING_STAGES], kind: 'all', overdueOnly: false };

/** The MapLibre filter of each building layer for `f` (the dashed overdue edge keeps its own condition too). */
export function buildingLayerFilter(f: BuildingFilter, layerId: string): FilterSpecification {
  const parts: FilterSpecification[] = [footprint];
  if (f.stages.length < BUILDING_STAGES.length) parts.push(['in', ['get', 'stage'], ['literal', f.stages]] as FilterSpecification);
  if (f.kind !== 'all') parts.push(['==', ['get', 'kind'], f.kind]);
  if (f.overdueOnly || layerId === OVERDUE_LAYER) parts.push(overdue);
  return (parts.length === 1 ? footprint : ['all', ...parts]) as FilterSpecification;
}

const OVERDUE_LAYER = 'zh-buildings-overdue';

export const illegalBuildings: OverlayDef = {
  name: 'illegalBuildings',
  sourceId: source,
  promoteId: 'code',
  minzoom: BUILDINGS_MIN_ZOOM,
  base: [
    {
      id: 'zh-buildings-fill',
      type: 'fill',
      source,
      'source-layer': sourceLayer,
      filter: footprint,
      minzoom: BUILDINGS_MIN_ZOOM,
      paint: { 'fill-color': stageColour, 'fill-opacity': ['case', settled, 0.35, 0.8] },
    },
  ],
  top: [
    {
      id: 'zh-buildings-line',
      type: 'line',
      source,
      'source-layer': sourceLayer,
      filter: footprint,
      minzoom: BUILDINGS_MIN_ZOOM,
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': edgeColour,
        'line-width': ['interpolate', ['linear'], ['zoom'], 12, 5, 14, 4, 15, 2.5],
        'line-opacity': ['case', settled, 0.5, 1],
      },
    },
    {
      id: OVERDUE_LAYER,
      type: 'line',
      source,
      'source-layer': sourceLayer,
      filter: ['all', footprint, overdue],
      minzoom: 14,
      layout: { 'line-join': 'round' },
      paint: { 'line-color': palette.building.overdue, 'line-width': 2, 'line-dasharray': [2, 1.5] },
    },
  ],
  interactive: ['zh-buildings-fill', 'zh-buildings-line'],
  tiles: { path: 'illegal-buildings', sourceLayer, maxzoom: 16 },
};

// All overlay layers in drawing order: fills first (districts, grid, key areas, buildings), then
// outlines and points, then the selection highlight.
import type { SourceSpecification, LayerSpecification } from 'maplibre-gl';
import type { LayerName } from '../../../common/i18n.ts';
import { districts } from '../../../common/map/layers/districts.ts';
import { gridCells } from './grid-cells.ts';
import { illegalBuildings } from './illegal-buildings.ts';
import { incidents } from './incidents.ts';
import { keyAreas } from '../../../common/map/layers/key-areas.ts';
import { officers } from './officers.ts';
import { sourceSpec, type OverlayDef } from '../../../common/map/layers/overlay.ts';
import { DRAFT_SOURCE, draftLayers, draftSource, SELECTION_SOURCE, selectionLayers, selectionSource } from './selection.ts';
import { squads } from './squads.ts';

export { GRID_MIN_ZOOM } from './grid-cells.ts';
export { BUILDINGS_MIN_ZOOM } from './illegal-buildings.ts';
export { DRAFT_SOURCE, SELECTION_SOURCE } from './selection.ts';
export { CLUSTER_MAX_ZOOM, INCIDENT_CLUSTER_LAYER, INCIDENT_FLASH_LAYER, caseCollection, type CaseProps } from './incidents.ts';
export type { OverlayDef } from '../../../common/map/layers/overlay.ts';

/** bottom to top */
const drawOrder: OverlayDef[] = [districts, gridCells, keyAreas, illegalBuildings, squads, officers, incidents];

export const overlays: Record<LayerName, OverlayDef> = {
  districts,
  gridCells,
  keyAreas,
  illegalBuildings,
  squads,
  officers,
  incidents,
};

/** The overlays' sources; the tiled ones (grid cells, illegal buildings) only with `tiles`. */
export function overlaySources(tiles = true): Record<string, SourceSpecification> {
  const out: Record<string, SourceSpecification> = {};
  for (const def of drawOrder) if (tiles || !def.tiles) out[def.sourceId] = sourceSpec(def);
  out[SELECTION_SOURCE] = selectionSource;
  out[DRAFT_SOURCE] = draftSource;
  return out;
}

/** Every overlay style layer, bottom to top; the tiled overlays' layers only with `tiles`. */
export function overlayLayers(tiles = true): LayerSpecification[] {
  const defs = drawOrder.filter((d) => tiles || !d.tiles);
  return [...defs.flatMap((d) => d.base), ...defs.flatMap((d) => d.top), ...selectionLayers, ...draftLayers];
}

/** The overlays served as vector tiles (grid cells, illegal buildings). */
export const tiledOverlays: OverlayDef[] = drawOrder.filter((d) => d.tiles);

/** Which overlay a style layer belongs to. */
export function overlayOfLayer(layerId: string): OverlayDef | undefined {
  return drawOrder.find((d) => d.base.some((l) => l.id === layerId) || d.top.some((l) => l.id === layerId));
}

/** Interactive layer ids, topmost first: a click picks the first hit in this order. */
export const clickPriority: string[] = [...drawOrder].reverse().flatMap((d) => d.interactive);

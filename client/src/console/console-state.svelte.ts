// The console's reactive state (Svelte 5 runes); what tests wait on is mirrored into the plain
// `window.__zhihui` hook (common/test-hook.ts).
import type { Health } from '../common/api-types.ts';
import type { LayerName } from '../common/i18n.ts';
import { hook, zeroCounts } from '../common/test-hook.ts';
import { ALL_BUILDINGS, type BuildingFilter } from './map/layers/illegal-buildings.ts';

export interface Selection {
  layer: LayerName;
  id: string | number;
  properties: Record<string, unknown>;
}

export const consoleState = $state({
  ready: false,
  layers: zeroCounts(),
  visible: {
    districts: true,
    gridCells: true,
    keyAreas: true,
    illegalBuildings: true,
    squads: true,
    officers: true,
    incidents: true,
  } as Record<LayerName, boolean>,
  zoom: 0,
  health: null as Health | null,
  officersOnDuty: 0,
  officersTotal: 0,
  keyAreasActive: 0,
  selected: null as Selection | null,
  /** which illegal buildings the map draws (stage, stock/new, overdue) */
  buildingFilter: { ...ALL_BUILDINGS, stages: [...ALL_BUILDINGS.stages] } as BuildingFilter,
  /** set when a configured basemap style is in use */
  basemap: null as string | null,
});

export function setLayerCount(name: LayerName, n: number): void {
  consoleState.layers[name] = n;
  hook.layers[name] = n;
}

export function markReady(): void {
  consoleState.ready = true;
  hook.ready = true;
  document.documentElement.dataset.ready = 'true';
}

/** The map's layers are being (re)loaded for a new session: not ready until they are. */
export function markNotReady(): void {
  consoleState.ready = false;
  hook.ready = false;
  delete document.documentElement.dataset.ready;
}

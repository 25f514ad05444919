// The console's reactive state (Svelte 5 runes) and the browser-test hook `window.__zhihui`,
// which mirrors it with plain values.
import type { Health } from '../common/api-types.ts';
import type { LiveStatus } from '../common/cases/types.ts';
import type { LayerName } from '../common/i18n.ts';

export interface ZhihuiHook {
  /**
   * true once the map fired `idle` after every layer the session may see was loaded (or failed);
   * false again while a login, logout or new user reloads them
   */
  ready: boolean;
  /** features currently loaded into each layer's source */
  layers: Record<LayerName, number>;
  /** human-readable fetch and map errors, oldest first */
  errors: string[];
  /** the live feed: off (logged out), connecting (or reconnecting), catching-up (replaying missed events), live */
  live: LiveStatus;
  /** seq of the newest event applied (0 until one was seen) */
  lastSeq: number;
  /** ids of the cases last handed to the map */
  mapCases: number[];
  /** alert tones started */
  sounds: number;
}

declare global {
  interface Window {
    __zhihui: ZhihuiHook;
    /** the MapLibre map, for browser tests that need to move the camera (not serialisable) */
    __zhihuiMap?: import('maplibre-gl').Map;
  }
}

export interface Selection {
  layer: LayerName;
  id: string | number;
  properties: Record<string, unknown>;
}

export interface ShownError {
  at: Date;
  message: string;
  count: number;
}

const zeroCounts = (): Record<LayerName, number> => ({
  districts: 0,
  gridCells: 0,
  keyAreas: 0,
  illegalBuildings: 0,
  squads: 0,
  officers: 0,
  incidents: 0,
});

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
  errors: [] as ShownError[],
  /** set when a configured basemap style is in use */
  basemap: null as string | null,
});

const hook: ZhihuiHook = { ready: false, layers: zeroCounts(), errors: [], live: 'off', lastSeq: 0, mapCases: [], sounds: 0 };
window.__zhihui = hook;

const MAX_HOOK_ERRORS = 200;
const MAX_SHOWN_ERRORS = 6;

export function setLayerCount(name: LayerName, n: number): void {
  consoleState.layers[name] = n;
  hook.layers[name] = n;
}

export function reportError(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  console.error('[zhihui]', err);
  if (hook.errors.length < MAX_HOOK_ERRORS) hook.errors.push(message);
  // the same message again (a refresh that keeps failing) bumps a counter instead of a new line
  const same = consoleState.errors.find((e) => e.message === message);
  if (same) {
    same.count += 1;
    same.at = new Date();
    return;
  }
  consoleState.errors.push({ at: new Date(), message, count: 1 });
  if (consoleState.errors.length > MAX_SHOWN_ERRORS) consoleState.errors.shift();
}

export function dismissErrors(): void {
  consoleState.errors.length = 0;
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

export function setMapCasesHook(ids: number[]): void {
  hook.mapCases = ids;
}

export function countSoundHook(): void {
  hook.sounds += 1;
}

export function setLiveHook(status: LiveStatus, lastSeq: number): void {
  hook.live = status;
  hook.lastSeq = lastSeq;
}

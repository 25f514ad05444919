// The browser-test hook `window.__zhihui`: plain values mirroring what the page shows, so that a
// test can wait on them without scraping the DOM. Installed on every page (main.ts), because the live
// client and the alert sound, which every screen shares, report into it.
import type { LiveStatus } from './cases/types.ts';
import type { LayerName } from './i18n.ts';

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

export const zeroCounts = (): Record<LayerName, number> => ({
  districts: 0,
  gridCells: 0,
  keyAreas: 0,
  illegalBuildings: 0,
  squads: 0,
  officers: 0,
  incidents: 0,
});

export const hook: ZhihuiHook = { ready: false, layers: zeroCounts(), errors: [], live: 'off', lastSeq: 0, mapCases: [], sounds: 0 };
window.__zhihui = hook;

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

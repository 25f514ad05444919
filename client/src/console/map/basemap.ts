// The style under our overlays: the offline one, or the basemap `GET /api/config` names. Our
// overlays go on each style as it loads; a basemap that cannot be loaded falls back to the offline
// style, and map errors are told apart (basemap data, our tiles refused, anything else).
import type { ErrorEvent as MapErrorEvent, Map as MapLibreMap, StyleSpecification } from 'maplibre-gl';
import { api } from '../../common/api.ts';
import { reportError } from '../../common/errors.svelte.ts';
import { ui } from '../../common/i18n.ts';
import { consoleState } from '../console-state.svelte.ts';
import { addOverlays, buildOfflineStyle } from './offline-style.ts';

/** a tile refused (401) sends at most one session check per this long */
const TILE_401_CHECK_MS = 30_000;

export class Basemap {
  /** our sources and layers are on the current style */
  installed = false;
  /** resolves once the first style has our overlays and the data held for them */
  readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private lastTileCheck = 0;

  static offline(): StyleSpecification {
    return buildOfflineStyle();
  }

  /**
   * `onInstalled` puts what the console holds onto a style that just got our overlays; `authorized`
   * says whether a refused tile may mean the session ended.
   */
  constructor(
    private readonly map: MapLibreMap,
    private remote: string | null,
    private readonly onInstalled: () => Promise<void>,
    private readonly authorized: () => boolean,
  ) {
    this.ready = new Promise<void>((r) => (this.resolveReady = r));
    consoleState.basemap = remote;
    map.on('style.load', () => void this.install());
    map.on('error', (e) => this.onError(e));
  }

  private async install(): Promise<void> {
    // a new style replaced ours (fallback from a failed basemap): the overlays go on again
    this.installed = false;
    let applied: Promise<void>;
    try {
      addOverlays(this.map);
      this.installed = true;
      applied = this.onInstalled();
    } catch (err) {
      this.installed = false;
      reportError(new Error(`图层初始化失败 overlay setup failed: ${(err as Error).message}`));
      return;
    }
    await applied;
    this.resolveReady();
  }

  private onError(e: MapErrorEvent): void {
    const msg = e.error?.message ?? String(e.error);
    const sourceId = (e as MapErrorEvent & { sourceId?: string }).sourceId;
    if (this.remote !== null && !this.installed) {
      // the configured basemap could not be loaded: carry on with the offline style
      this.remote = null;
      consoleState.basemap = null;
      reportError(new Error(`${ui.mapStyleFallback.zh} ${ui.mapStyleFallback.en}: ${msg}`));
      this.map.setStyle(buildOfflineStyle(), { diff: false });
      return;
    }
    if (sourceId && !sourceId.startsWith('zh-')) {
      reportError(new Error(`底图数据加载失败 basemap data failed (${sourceId})`));
      return;
    }
    const status = (e.error as { status?: number } | undefined)?.status;
    if (sourceId && (status === 401 || status === 403)) {
      // a tile refused: the session may be over (GET /api/auth/me ends it if so); nothing to show here
      const now = Date.now();
      if (this.authorized() && status === 401 && now - this.lastTileCheck > TILE_401_CHECK_MS) {
        this.lastTileCheck = now;
        api.me().catch(() => {});
      }
      return;
    }
    reportError(new Error(`地图错误 map error: ${msg}`));
  }
}

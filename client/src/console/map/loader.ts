// Loads the console's GeoJSON layers for whoever is logged in. Each change of session — log in, log
// out, another user — aborts what was loading, forgets what the new session may not see (or sees
// differently), puts the tile sources on afresh, and marks the map ready again once all is drawn.
import type { FeatureCollection } from 'geojson';
import { api, ApiError, isAbort } from '../../common/api.ts';
import { reportError } from '../../common/errors.svelte.ts';
import { emptyCollection } from '../../common/map/layers/overlay.ts';
import { markNotReady, markReady, setLayerCount } from '../console-state.svelte.ts';
import type { GeoJsonLayer, MapHost } from './geojson-layer.ts';
import type { OfficersLayer } from './officers-layer.ts';
import type { Selection } from './selection.ts';
import type { TileLayers } from './tile-layers.ts';

const OFFICERS_REFRESH_MS = 30_000;

type Loaded = 'districts' | 'keyAreas' | 'squads' | 'officers';
/** the GeoJSON layers behind the same login as the tiles (public with PUBLIC_MAP_LAYERS) */
const MAP_LAYERS: Loaded[] = ['districts', 'keyAreas', 'squads'];

export class LayerLoader {
  /** whom the layers are loaded for (a session key; null: nobody logged in); undefined until told */
  private access: string | null | undefined = undefined;
  private generation = 0;
  private abort: AbortController | null = null;
  private readonly refresh: ReturnType<typeof setInterval>;

  /** `publicLayers`: the server serves the map layers without a login */
  constructor(
    private readonly host: MapHost,
    private readonly publicLayers: boolean,
    private readonly layers: Record<Exclude<Loaded, 'officers'>, GeoJsonLayer> & { officers: OfficersLayer },
    private readonly tiles: TileLayers,
    private readonly selection: Selection,
    private readonly styleReady: Promise<void>,
  ) {
    this.refresh = setInterval(() => {
      if (this.authorized) void this.loadLayer('officers', this.generation, this.abort?.signal);
    }, OFFICERS_REFRESH_MS);
  }

  /** a console user is logged in */
  get authorized(): boolean {
    return this.access !== null && this.access !== undefined;
  }

  /** the session may see the map layers (districts, key areas, squads, grid, buildings) */
  private get layersAllowed(): boolean {
    return this.authorized || this.publicLayers;
  }

  /**
   * Who is logged in (a session key; null when nobody, or not a console user). A change loads what
   * the new session may see, forgets what it may not, and refetches the tiles; `ready` goes false
   * until the layers are loaded and drawn.
   */
  setAccess(key: string | null): void {
    if (key === this.access) return;
    const first = this.access === undefined;
    this.access = key;
    const gen = ++this.generation;
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    markNotReady();
    if (!first) this.forget();
    // public tiles are the same for everyone; tiles behind a login are fetched afresh for each session
    this.tiles.setFor(!this.layersAllowed ? null : this.publicLayers ? 'public' : `session ${gen}`);
    void this.load(gen, abort.signal);
  }

  /** A new version of the city's geography was committed: the map layers and their tiles are fetched again. */
  geographyChanged(): void {
    if (!this.layersAllowed) return;
    this.tiles.refresh();
    for (const name of MAP_LAYERS) void this.loadLayer(name, this.generation, this.abort?.signal);
  }

  destroy(): void {
    this.abort?.abort();
    clearInterval(this.refresh);
  }

  /** Load what the session may see, then mark the map ready once it has drawn it. */
  private async load(gen: number, signal: AbortSignal): Promise<void> {
    const names: Loaded[] = [...(this.layersAllowed ? MAP_LAYERS : []), ...(this.authorized ? (['officers'] as const) : [])];
    await Promise.allSettled([this.styleReady, ...names.map((n) => this.loadLayer(n, gen, signal))]);
    if (this.stale(gen)) return;
    await this.drawn();
    if (this.stale(gen)) return;
    this.tiles.count();
    markReady();
  }

  private stale(gen: number): boolean {
    return this.host.destroyed || gen !== this.generation;
  }

  /**
   * Resolves once every source (tiles too) is loaded and a frame has been drawn with them. Not
   * `idle`: logged in, officers glide and new cases pulse, so the map may not be idle for long.
   */
  private drawn(): Promise<void> {
    const map = this.host.map;
    return new Promise<void>((resolve) => {
      let loadedOnce = false;
      const check = () => {
        if (!this.host.destroyed && !map.loaded()) {
          loadedOnce = false;
          return;
        }
        // loaded at the end of a frame: one more frame, drawn with everything
        if (!loadedOnce && !this.host.destroyed) {
          loadedOnce = true;
          map.triggerRepaint();
          return;
        }
        map.off('render', check);
        map.off('idle', check);
        resolve();
      };
      map.on('render', check);
      map.on('idle', check);
      map.triggerRepaint();
    });
  }

  private async loadLayer(name: Loaded, gen: number, signal?: AbortSignal): Promise<void> {
    try {
      const fc: FeatureCollection = await api[name](signal);
      // logged out or in as someone else meanwhile: not for this session
      if (this.stale(gen)) return;
      await this.layers[name].set(fc);
    } catch (err) {
      if (this.stale(gen) || isAbort(err)) return;
      // the session is over: api.ts sent the page to the login form, which says why
      if (err instanceof ApiError && err.status === 401) return;
      reportError(err);
    }
  }

  /** The session changed: nothing stays on the map that the next one may not see, or sees differently. */
  private forget(): void {
    const names: Loaded[] = ['officers', ...(this.publicLayers ? [] : MAP_LAYERS)];
    for (const name of names) {
      this.layers[name].data = emptyCollection();
      setLayerCount(name, 0);
      void this.layers[name].apply();
      this.selection.clearIf(name);
    }
    this.layers.officers.forgetPending();
  }
}

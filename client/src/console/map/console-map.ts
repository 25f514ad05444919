// The console's map: creates MapLibre with the offline (or configured) style, hands each overlay to
// its controller (areas, tiles, officers, cases, selection) and loads what the session may see.
//
// The layers are behind a login (unless the server says `publicMapLayers`; the officers always are):
// MapView tells the map who is logged in (setAccess), and each change — log in, log out, another
// user — reloads what that session may see and forgets the rest.
import type { FeatureCollection, Point } from 'geojson';
import type { Map as MapLibreMap, StyleSpecification } from 'maplibre-gl';
import type { ClientConfig } from '../../common/api-types.ts';
import type { CaseView, PositionUpdate } from '../../common/cases/types.ts';
import { declutter } from '../../common/map/html-labels.ts';
import { createMap, fitCollection } from '../../common/map/setup.ts';
import { fetchStreetStyle, StreetLayers } from '../../common/map/street-basemap.ts';
import { reportError } from '../../common/errors.svelte.ts';
import type { LayerName } from '../../common/i18n.ts';
import { session } from '../../common/session.svelte.ts';
import { consoleState } from '../console-state.svelte.ts';
import { DistrictsLayer, KeyAreasLayer, SquadsLayer } from './area-layers.ts';
import { Basemap } from './basemap.ts';
import { CasesLayer } from './cases-layer.ts';
import type { ConsoleMapApi } from './context.ts';
import type { MapHost } from './geojson-layer.ts';
import type { CaseProps } from './layers/index.ts';
import { overlays } from './layers/index.ts';
import { fitMargin, type Insets } from './insets.ts';
import { LayerLoader } from './loader.ts';
import { OfficersLayer } from './officers-layer.ts';
import { Selection, type CaseHooks } from './selection.ts';
import type { BuildingFilter } from './layers/illegal-buildings.ts';
import { TileLayers } from './tile-layers.ts';

export type { CaseHooks } from './selection.ts';

/** room around the city when fitting it into the part of the map the panels leave free */
const FIT_MARGIN = 40;
/** a found place is shown at street level: the roads around it and their names readable */
const PLACE_ZOOM = 16.5;

export class ConsoleMap implements ConsoleMapApi, MapHost {
  readonly map: MapLibreMap;
  private readonly home: { center: [number, number]; zoom: number };
  private readonly districts: DistrictsLayer;
  private readonly keyAreas: KeyAreasLayer;
  private readonly squads: SquadsLayer;
  private readonly officers: OfficersLayer;
  private readonly cases: CasesLayer;
  private readonly tiles: TileLayers;
  private readonly selection: Selection;
  private readonly basemap: Basemap;
  private readonly loader: LayerLoader;
  /** no MAP_STYLE_URL: Zhihui's own street basemap goes under the overlays once the session may see it */
  private readonly ownBasemap: boolean;
  private readonly publicLayers: boolean;
  private streetStyle: Promise<StyleSpecification | null> | null = null;
  private streets: StreetLayers | null = null;
  private gone = false;

  constructor(container: HTMLElement, config: ClientConfig) {
    this.home = { center: config.center, zoom: config.zoom };
    const remote = config.mapStyleUrl !== null && config.mapStyleUrl !== '' ? config.mapStyleUrl : null;
    this.ownBasemap = remote === null && config.basemap === true;
    this.publicLayers = config.publicMapLayers === true;
    this.map = createMap({
      container,
      style: remote ?? Basemap.offline(),
      center: config.center,
      zoom: config.zoom,
      minZoom: 8,
      maxZoom: 19,
      attribution: remote !== null,
      styleGlyphs: this.ownBasemap,
      controls: true,
      // our tiles go with the session's token (the cookie goes too); nothing else gets it
      transformRequest: (url) =>
        session.token && url.startsWith(`${location.origin}/api/`) ? { url, headers: { authorization: `Bearer ${session.token}` } } : undefined,
    });
    // test-only: browser tests move the camera through it; the console's components use the context
    window.__zhihuiMap = this.map;

    this.districts = new DistrictsLayer(this);
    this.keyAreas = new KeyAreasLayer(this);
    this.squads = new SquadsLayer(this);
    this.officers = new OfficersLayer(this, () => this.cases.flushPending());
    this.cases = new CasesLayer(this, () => this.officers.lastBatchAt);
    const layers = { districts: this.districts, keyAreas: this.keyAreas, squads: this.squads, officers: this.officers, incidents: this.cases };
    this.selection = new Selection(this.map, layers, this.cases);
    this.tiles = new TileLayers(
      this.map,
      () => this.basemap.installed,
      (name) => this.selection.clearIf(name),
    );
    this.basemap = new Basemap(
      this.map,
      remote,
      () => this.overlaysInstalled(),
      () => this.loader.authorized,
    );
    this.loader = new LayerLoader(this, config.publicMapLayers === true, layers, this.tiles, this.selection, this.basemap.ready);

    this.map.on('moveend', () => {
      this.districts.placeLabels();
      this.declutterLabels();
    });
    this.map.on('zoom', () => (consoleState.zoom = this.map.getZoom()));
    consoleState.zoom = this.map.getZoom();
  }

  get styled(): boolean {
    return this.basemap.installed;
  }

  get destroyed(): boolean {
    return this.gone;
  }

  /** A layer's data changed: the label layout and an open details panel follow. */
  changed(name: LayerName): void {
    if (name === 'districts' || name === 'keyAreas' || name === 'squads') this.declutterLabels();
    this.selection.follow(name);
  }

  /** Who is logged in (a session key; null when nobody, or not a console user); see LayerLoader. */
  setAccess(key: string | null): void {
    if (this.destroyed) return;
    this.loader.setAccess(key);
    this.syncStreets();
  }

  /**
   * The street basemap is map data: on the map while the session may see the map layers (always with
   * PUBLIC_MAP_LAYERS), under every overlay; only when the server says it has one built (`basemap` in its config).
   */
  private syncStreets(): void {
    if (!this.ownBasemap || this.gone) return;
    const allowed = this.loader.authorized || this.publicLayers;
    if (!allowed) {
      this.streets?.remove();
      consoleState.basemap = null;
      return;
    }
    if (!this.basemap.installed) return; // the style's load calls again
    this.streetStyle ??= fetchStreetStyle('dark').catch((err: unknown) => {
      this.streetStyle = null; // asked again at the next login
      reportError(new Error(`底图样式加载失败 street basemap unavailable: ${(err as Error).message}`));
      return null;
    });
    void this.streetStyle.then((style) => {
      if (!style || this.gone || !this.basemap.installed || !(this.loader.authorized || this.publicLayers)) return;
      this.streets ??= new StreetLayers(this.map, style);
      this.streets.add('zh-background');
      consoleState.basemap = 'zhihui';
    });
  }

  /**
   * Fit the five districts into the free part of the map; `clear` is more room wanted inside it (a
   * floating legend). The margin is cut to what the canvas has, so the fit always happens.
   */
  fitCity(clear: Partial<Insets> = {}): void {
    const fc = this.districts.data;
    if (!fc) return;
    const want = { top: FIT_MARGIN, right: FIT_MARGIN, bottom: FIT_MARGIN, left: FIT_MARGIN };
    for (const side of ['top', 'right', 'bottom', 'left'] as const) want[side] = Math.max(want[side], clear[side] ?? 0);
    const c = this.map.getContainer();
    const padding = fitMargin(want, this.selection.padding, c.clientWidth, c.clientHeight);
    fitCollection(this.map, fc, { padding, duration: 1200 });
  }

  /** The docked panels cover this much of the map, in px from each edge: the camera's padding follows. */
  setInsets(p: Insets): void {
    this.selection.setInsets(p);
  }

  /** Fly back to the configured start view (the demo's 天府广场, a real city's centre). */
  flyHome(): void {
    this.map.flyTo({ center: this.home.center, zoom: this.home.zoom, duration: 1500, essential: true });
  }

  setOverlayVisible(name: LayerName, visible: boolean): void {
    consoleState.visible[name] = visible;
    const def = overlays[name];
    if (this.basemap.installed) {
      for (const layer of [...def.base, ...def.top]) {
        if (this.map.getLayer(layer.id)) this.map.setLayoutProperty(layer.id, 'visibility', visible ? 'visible' : 'none');
      }
    }
    const labels = name === 'districts' ? this.districts.labels : name === 'keyAreas' ? this.keyAreas.labels : name === 'squads' ? this.squads.labels : null;
    if (labels) {
      labels.setVisible(visible);
      this.declutterLabels();
    }
    if (!visible) this.selection.clearIf(name);
  }

  /** Which illegal buildings to draw (the legend's filter); a selected one the filter hides stays selected. */
  setBuildingFilter(f: BuildingFilter): void {
    consoleState.buildingFilter = f;
    this.tiles.filterBuildings();
  }

  clearSelection(): void {
    this.selection.clear();
  }

  setCaseHooks(hooks: CaseHooks | null): void {
    this.selection.caseHooks = hooks;
  }

  /** Draw the open cases (throttled: see CasesLayer). */
  setCases(build: () => FeatureCollection<Point, CaseProps>): void {
    this.cases.schedule(build);
  }

  updateOfficerPositions(batch: PositionUpdate[]): void {
    this.officers.updatePositions(batch);
  }

  geographyChanged(): void {
    if (!this.destroyed) this.loader.geographyChanged();
  }

  setOfficerDuty(officerId: number, dutyStatus: string): void {
    this.officers.setDuty(officerId, dutyStatus);
  }

  showCase(inc: CaseView | null, move = true): void {
    this.selection.showCase(inc, move);
  }

  startPick(onPick: (lngLat: [number, number]) => void): void {
    this.selection.startPick(onPick);
  }

  stopPick(): void {
    this.selection.stopPick();
  }

  setDraftPoint(lngLat: [number, number] | null): void {
    this.selection.setDraftPoint(lngLat);
  }

  flyToPlace(lngLat: [number, number]): void {
    // the camera's padding already leaves out the docked panels (Selection.setInsets)
    this.map.flyTo({ center: lngLat, zoom: Math.max(this.map.getZoom(), PLACE_ZOOM), duration: 1200, essential: true });
  }

  center(): [number, number] {
    const c = this.map.getCenter();
    return [c.lng, c.lat];
  }

  destroy(): void {
    this.gone = true;
    this.loader.destroy();
    for (const layer of [this.districts, this.keyAreas, this.squads, this.officers, this.cases]) layer.destroy();
    this.selection.destroy();
    if (window.__zhihuiMap === this.map) delete window.__zhihuiMap;
    this.map.remove();
  }

  private declutterLabels(): void {
    declutter([this.keyAreas.labels, this.squads.labels, this.districts.labels]);
  }

  /** Our overlays are on a (new) style: tiles for the session, visibility, and the data we hold. */
  private overlaysInstalled(): Promise<void> {
    this.tiles.styleReplaced();
    this.syncStreets();
    for (const name of Object.keys(overlays) as LayerName[]) {
      if (!consoleState.visible[name]) this.setOverlayVisible(name, false);
    }
    return Promise.all([this.districts, this.keyAreas, this.squads, this.officers, this.cases].map((l) => l.apply())).then(() => undefined);
  }
}

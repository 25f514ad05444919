// The console's map: creates MapLibre with the offline (or configured) style, loads every layer
// (grid cells and illegal buildings come as vector tiles), and answers clicks with a selection.
//
// The layers are behind a login (unless the server says `publicMapLayers`; the officers always are):
// MapView tells the map who is logged in (setAccess), and each change — log in, log out, another
// user — reloads what that session may see and forgets the rest. The tile sources are taken off the
// map while nobody may see them and put back afresh for each session, so no tile refused (401) or
// loaded for an earlier session stays in MapLibre's tile cache.
import type { Feature, FeatureCollection, Point } from 'geojson';
import {
  LngLatBounds,
  Map as MapLibreMap,
  NavigationControl,
  ScaleControl,
  setWorkerUrl,
  type ErrorEvent as MapErrorEvent,
  type GeoJSONFeatureDiff,
  GeoJSONSource,
  type MapMouseEvent,
} from 'maplibre-gl';
// The worker ships as its own module file: bundle it as an asset (no CDN) and point MapLibre at it.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { api, ApiError, isAbort } from '../../common/api.ts';
import type { IncidentView, PositionUpdate } from '../../common/cases/types.ts';
import type { BBox, ClientConfig, DistrictProps, KeyAreaProps, OfficerProps, SquadProps } from '../../common/api-types.ts';
import { reportError } from '../../common/errors.svelte.ts';
import { setMapCasesHook } from '../../common/test-hook.ts';
import { consoleState, markNotReady, markReady, setLayerCount } from '../console-state.svelte.ts';
import { session } from '../../common/session.svelte.ts';
import { ui, type LayerName } from '../../common/i18n.ts';
import { bboxOf, labelPoint, visibleLabelPoint } from '../../common/map/geo.ts';
import { declutter, LabelSet } from '../../common/map/html-labels.ts';
import {
  CLUSTER_MAX_ZOOM,
  clickPriority,
  DRAFT_SOURCE,
  INCIDENT_CLUSTER_LAYER,
  type IncidentProps,
  overlayOfLayer,
  overlays,
  SELECTION_SOURCE,
  tiledOverlays,
} from './layers/index.ts';
import { emptyCollection } from '../../common/map/layers/overlay.ts';
import { addOverlays, addTiledOverlay, buildOfflineStyle, removeTiledOverlay } from './offline-style.ts';
import { OfficerMotion, isStale, type OfficerMove } from './officer-motion.ts';

setWorkerUrl(workerUrl);

const OFFICERS_REFRESH_MS = 30_000;
/** at most this often the whole case set goes to the map (thousands of points: one setData) */
const INCIDENTS_MIN_INTERVAL_MS = 1000;
const POSITIONS_MERGE_MS = 100;
/** a positions batch comes about once a second: the next one is expected by this long after the last */
const POSITIONS_EXPECTED_MS = 1150;
const STALE_SWEEP_MS = 15_000;
/** a tile refused (401) sends at most one session check per this long */
const TILE_401_CHECK_MS = 30_000;
/** room left for the legend (left) and the details panel (right) when fitting the city */
const FIT_PADDING = { top: 60, bottom: 90, left: 420, right: 120 };
/** screen margins kept free of district labels (legend on the left, buttons, status bar) */
const LABEL_INSET = { top: 90, bottom: 110, left: 420, right: 100 };
/** layers whose features make the cursor a pointer (districts and grid cover everything) */
const POINTER_LAYERS = new Set(
  clickPriority.filter((id) => !id.startsWith('zh-districts') && !id.startsWith('zh-grid')),
);

type StaticLayer = 'districts' | 'keyAreas' | 'squads' | 'officers';
/** the GeoJSON layers behind the same login as the tiles (public with PUBLIC_MAP_LAYERS) */
const MAP_LAYERS: StaticLayer[] = ['districts', 'keyAreas', 'squads'];

/** What the console does when a case dot is clicked, and where the case panels leave the map free. */
export interface CaseHooks {
  onCaseClick(id: number): void;
  /** right-hand screen space taken by the queue and details panels, in px */
  rightInset(): number;
}

export class ConsoleMap {
  readonly map: MapLibreMap;
  private readonly data: Partial<Record<LayerName, FeatureCollection>> = {};
  private readonly labels: { districts: LabelSet; keyAreas: LabelSet; squads: LabelSet };
  private readonly clusterLabels: LabelSet;
  private readonly motion: OfficerMotion;
  private pendingIncidents: (() => FeatureCollection<Point, IncidentProps>) | null = null;
  private readonly pendingPositions = new Map<number, PositionUpdate>();
  private positionsTimer: ReturnType<typeof setTimeout> | null = null;
  private incidentsTimer: ReturnType<typeof setTimeout> | null = null;
  private lastIncidentsAt = 0;
  private lastPositionsAt = -Infinity;
  private incidentsSignature = '';
  private clusterFrame = 0;
  /** a tiled layer received tiles since its features were last counted */
  private readonly tilesChanged = new Set<'gridCells' | 'illegalBuildings'>();
  private readonly home: { center: [number, number]; zoom: number };
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private styleInstalled = false;
  private usingRemoteStyle: boolean;
  private resolveStyle!: () => void;
  private readonly styleReady = new Promise<void>((r) => (this.resolveStyle = r));
  private hoverFrame = 0;
  private destroyed = false;
  private caseHooks: CaseHooks | null = null;
  private picking: ((lngLat: [number, number]) => void) | null = null;
  private officerIndex = new Map<number, Feature>();
  private selectedCase: IncidentView | null = null;
  /** the server serves the map layers without a login */
  private readonly publicLayers: boolean;
  /** whom the layers are loaded for (a session key; null: nobody logged in); undefined until told */
  private access: string | null | undefined = undefined;
  private accessGeneration = 0;
  private loadAbort: AbortController | null = null;
  /** whom the tile sources should be loaded for (null: no tile sources on the map), and whom they are */
  private tilesFor: string | null = null;
  private tilesOnMap: string | null = null;
  private lastTileCheck = 0;

  constructor(container: HTMLElement, config: ClientConfig) {
    this.publicLayers = config.publicMapLayers === true;
    this.home = { center: config.center, zoom: config.zoom };
    this.usingRemoteStyle = config.mapStyleUrl !== null && config.mapStyleUrl !== '';
    consoleState.basemap = this.usingRemoteStyle ? config.mapStyleUrl : null;

    this.map = new MapLibreMap({
      container,
      style: this.usingRemoteStyle ? (config.mapStyleUrl as string) : buildOfflineStyle(),
      center: config.center,
      zoom: config.zoom,
      minZoom: 8,
      maxZoom: 19,
      // a basemap brings its own attributions; the offline style credits its data in the status bar
      attributionControl: this.usingRemoteStyle ? { compact: true } : false,
      dragRotate: false,
      pitchWithRotate: false,
      fadeDuration: 0,
      // our tiles go with the session's token (the cookie goes too); nothing else gets it
      transformRequest: (url) =>
        session.token && url.startsWith(`${location.origin}/api/`) ? { url, headers: { authorization: `Bearer ${session.token}` } } : undefined,
    });
    this.map.touchZoomRotate.disableRotation();
    window.__zhihuiMap = this.map;
    this.map.addControl(new NavigationControl({ showCompass: false }), 'bottom-right');
    this.map.addControl(new ScaleControl({ maxWidth: 160, unit: 'metric' }), 'bottom-right');

    this.labels = {
      districts: new LabelSet(this.map, 'district', {
        priority: 1,
        alternatives: [
          [0, -70],
          [0, 70],
          [-140, 0],
          [140, 0],
          [0, -140],
          [0, 140],
        ],
      }),
      keyAreas: new LabelSet(this.map, 'key-area', { minzoom: 11.5, priority: 3 }),
      squads: new LabelSet(this.map, 'squad', { minzoom: 14, anchor: 'top', offset: [0, 16], priority: 2 }),
    };

    this.clusterLabels = new LabelSet(this.map, 'cluster');
    this.motion = new OfficerMotion(this.map, overlays.officers.sourceId);

    this.map.on('style.load', () => void this.installOverlays());
    this.map.on('error', (e) => this.onMapError(e));
    this.map.on('moveend', () => {
      this.scheduleClusterLabels();
      this.placeDistrictLabels();
      this.declutterLabels();
    });
    this.map.on('zoom', () => (consoleState.zoom = this.map.getZoom()));
    this.map.on('sourcedata', (e) => {
      if (e.sourceId === overlays.incidents.sourceId && e.isSourceLoaded) this.scheduleClusterLabels();
      if (e.sourceId === overlays.gridCells.sourceId && e.tile) this.tilesChanged.add('gridCells');
      if (e.sourceId === overlays.illegalBuildings.sourceId && e.tile) this.tilesChanged.add('illegalBuildings');
    });
    this.map.on('idle', () => this.countTiledFeatures());
    this.map.on('click', (e) => this.onClick(e));
    this.map.on('mousemove', (e) => this.onHover(e));
    consoleState.zoom = this.map.getZoom();

    // the layers load once MapView says who is logged in (setAccess)
    this.timers.push(
      setInterval(() => {
        if (this.authorized) void this.loadStatic('officers', this.accessGeneration, this.loadAbort?.signal);
      }, OFFICERS_REFRESH_MS),
    );
    this.timers.push(setInterval(() => this.sweepStaleOfficers(), STALE_SWEEP_MS));
  }

  /** a console user is logged in */
  private get authorized(): boolean {
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
    if (key === this.access || this.destroyed) return;
    const first = this.access === undefined;
    this.access = key;
    const gen = ++this.accessGeneration;
    this.loadAbort?.abort();
    const abort = (this.loadAbort = new AbortController());
    markNotReady();
    if (!first) this.forget();
    // public tiles are the same for everyone; tiles behind a login are fetched afresh for each session
    this.tilesFor = !this.layersAllowed ? null : this.publicLayers ? 'public' : `session ${gen}`;
    this.syncTiles();
    void this.load(gen, abort.signal);
  }

  /** Fit the five districts in view. */
  fitCity(): void {
    const fc = this.data.districts;
    const b = fc ? bboxOf(fc) : null;
    if (!b) return;
    const right = FIT_PADDING.right + (this.caseHooks?.rightInset() ?? 0);
    this.map.fitBounds(new LngLatBounds([b[0], b[1]], [b[2], b[3]]), { padding: { ...FIT_PADDING, right }, duration: 1200 });
  }

  /** Fly back to the configured initial view (天府广场). */
  flyHome(): void {
    this.map.flyTo({ center: this.home.center, zoom: this.home.zoom, duration: 1500, essential: true });
  }

  setOverlayVisible(name: LayerName, visible: boolean): void {
    consoleState.visible[name] = visible;
    const def = overlays[name];
    if (this.styleInstalled) {
      for (const layer of [...def.base, ...def.top]) {
        if (this.map.getLayer(layer.id)) this.map.setLayoutProperty(layer.id, 'visibility', visible ? 'visible' : 'none');
      }
    }
    if (name === 'districts' || name === 'keyAreas' || name === 'squads') {
      this.labels[name].setVisible(visible);
      this.declutterLabels();
    }
    if (!visible && consoleState.selected?.layer === name) this.clearSelection();
  }

  clearSelection(): void {
    consoleState.selected = null;
    // the selected case keeps its ring: it is deselected from its panel, not by clicking the map
    if (this.selectedCase) this.showCase(this.selectedCase, false);
    else this.setSelectionFeature(null);
  }

  // ---- cases and live positions ------------------------------------------------------------------

  setCaseHooks(hooks: CaseHooks | null): void {
    this.caseHooks = hooks;
  }

  /**
   * Draw the open cases: the whole set in one setData, at most every INCIDENTS_MIN_INTERVAL_MS, and
   * together with the next batch of officer positions when one comes first, so that both changes
   * cost one map frame. `build` is called only then (thousands of features are not rebuilt per event).
   */
  setIncidents(build: () => FeatureCollection<Point, IncidentProps>): void {
    this.pendingIncidents = build;
    if (this.incidentsTimer) return;
    // while positions stream in (a batch a second), the next batch carries the change in the same
    // frame; the timer fires only if that batch does not come
    const now = performance.now();
    const throttle = Math.max(0, this.lastIncidentsAt + INCIDENTS_MIN_INTERVAL_MS - now);
    const nextBatch = this.lastPositionsAt + POSITIONS_EXPECTED_MS - now;
    const wait = nextBatch > 0 ? Math.max(throttle, nextBatch) : throttle;
    this.incidentsTimer = setTimeout(() => this.flushIncidents(), wait);
  }

  private flushIncidents(): void {
    if (this.incidentsTimer) clearTimeout(this.incidentsTimer);
    this.incidentsTimer = null;
    const build = this.pendingIncidents;
    this.pendingIncidents = null;
    if (!build || this.destroyed) return;
    const next = build();
    // the same picture again (a refetch that changed nothing the map shows) costs a frame for nothing
    const signature = next.features.map((f) => { const p = f.properties; return `${p.id}:${p.state}:${p.priority}:${+p.overdue}:${+p.fresh}:${f.geometry.coordinates.join(',')}`; }).join('|');
    if (signature === this.incidentsSignature) return;
    this.incidentsSignature = signature;
    this.lastIncidentsAt = performance.now();
    this.data.incidents = next;
    setMapCasesHook(next.features.map((f) => f.properties.id));
    void this.apply('incidents');
  }

  /**
   * Live officer positions (a batch about once a second). Batches that arrive close together (a
   * page that fell behind) are merged, newest position per officer, and applied once.
   */
  updateOfficerPositions(batch: PositionUpdate[]): void {
    for (const p of batch) this.pendingPositions.set(p.officerId, p);
    this.positionsTimer ??= setTimeout(() => {
      this.positionsTimer = null;
      const merged = [...this.pendingPositions.values()];
      this.pendingPositions.clear();
      if (!this.destroyed) this.applyPositions(merged);
    }, POSITIONS_MERGE_MS);
  }

  /** Officers moved in place, gliding where it shows; pending case changes go in the same frame. */
  private applyPositions(batch: PositionUpdate[]): void {
    this.lastPositionsAt = performance.now();
    const fc = this.data.officers;
    if (!fc) return;
    const moved: OfficerMove[] = [];
    for (const p of batch) {
      const f = this.officerIndex.get(p.officerId);
      if (!f || !f.properties) continue;
      f.properties.positionAt = p.at;
      f.properties.dutyStatus = p.dutyStatus;
      f.properties.stale = false;
      moved.push({ id: p.officerId, feature: f as Feature<Point>, to: [p.lon, p.lat] });
    }
    if (moved.length === 0) return;
    this.refreshDerived('officers', fc);
    if (!this.styleInstalled) {
      for (const m of moved) m.feature.geometry = { type: 'Point', coordinates: m.to };
      return;
    }
    this.motion.move(moved);
    if (this.pendingIncidents) this.flushIncidents();
  }

  /** Officers whose last position is old turn grey (checked every STALE_SWEEP_MS). */
  private sweepStaleOfficers(): void {
    const fc = this.data.officers;
    if (!fc || !this.styleInstalled) return;
    const now = Date.now();
    const update: GeoJSONFeatureDiff[] = [];
    for (const f of fc.features) {
      const p = f.properties as OfficerProps & { stale?: boolean };
      const stale = isStale(p.positionAt, now);
      if (stale !== (p.stale ?? false)) {
        p.stale = stale;
        update.push({ id: p.id, addOrUpdateProperties: [{ key: 'stale', value: stale }] });
      }
    }
    if (update.length) void this.map.getSource<GeoJSONSource>(overlays.officers.sourceId)?.updateData({ update });
  }

  /** An officer went on or off duty (officer.duty event). */
  setOfficerDuty(officerId: number, dutyStatus: string): void {
    const fc = this.data.officers;
    const f = this.officerIndex.get(officerId);
    if (!fc || !f?.properties) return;
    f.properties.dutyStatus = dutyStatus;
    this.refreshDerived('officers', fc);
    if (!this.styleInstalled) return;
    void this.map
      .getSource<GeoJSONSource>(overlays.officers.sourceId)
      ?.updateData({ update: [{ id: officerId, addOrUpdateProperties: [{ key: 'dutyStatus', value: dutyStatus }] }] });
  }

  /** Ring the selected case and bring it into the free part of the map. */
  showCase(inc: IncidentView | null, move = true): void {
    this.selectedCase = inc;
    if (!inc) {
      this.setSelectionFeature(null);
      return;
    }
    consoleState.selected = null;
    this.setSelectionFeature({ type: 'Feature', geometry: { type: 'Point', coordinates: [inc.lon, inc.lat] }, properties: { id: inc.id } });
    if (!move) return;
    const right = this.caseHooks?.rightInset() ?? 0;
    const c = this.map.getContainer();
    const pt = this.map.project([inc.lon, inc.lat]);
    const inView = pt.x > 220 && pt.x < c.clientWidth - right - 60 && pt.y > 80 && pt.y < c.clientHeight - 120;
    if (inView && this.map.getZoom() >= 13) return;
    this.map.easeTo({
      center: [inc.lon, inc.lat],
      zoom: Math.max(this.map.getZoom(), 14.5),
      padding: { left: 200, right, top: 0, bottom: 50 },
      duration: 900,
      essential: true,
    });
  }

  /** Let the next map click place a point (新建案件) instead of selecting. */
  startPick(onPick: (lngLat: [number, number]) => void): void {
    this.picking = onPick;
    this.map.getCanvas().style.cursor = 'crosshair';
  }

  stopPick(): void {
    this.picking = null;
    this.map.getCanvas().style.cursor = '';
  }

  setDraftPoint(lngLat: [number, number] | null): void {
    const source = this.map.getSource<GeoJSONSource>(DRAFT_SOURCE);
    void source?.setData({
      type: 'FeatureCollection',
      features: lngLat ? [{ type: 'Feature', geometry: { type: 'Point', coordinates: lngLat }, properties: {} }] : [],
    });
  }

  /** Cluster counts as HTML labels, after the map settles or the cases change. */
  private scheduleClusterLabels(): void {
    cancelAnimationFrame(this.clusterFrame);
    this.clusterFrame = requestAnimationFrame(() => {
      if (this.destroyed || !this.map.getLayer(INCIDENT_CLUSTER_LAYER)) return;
      if (this.map.getZoom() > CLUSTER_MAX_ZOOM + 1 || !consoleState.visible.incidents) {
        this.clusterLabels.set([]);
        return;
      }
      const seen = new Set<string>();
      const items = this.map.queryRenderedFeatures({ layers: [INCIDENT_CLUSTER_LAYER] }).flatMap((f) => {
        const id = String(f.properties?.cluster_id);
        if (seen.has(id) || f.geometry.type !== 'Point') return [];
        seen.add(id);
        return [{ id, lngLat: f.geometry.coordinates as [number, number], zh: String(f.properties?.point_count_abbreviated ?? f.properties?.point_count) }];
      });
      this.clusterLabels.set(items);
    });
  }

  destroy(): void {
    this.destroyed = true;
    this.loadAbort?.abort();
    if (this.incidentsTimer) clearTimeout(this.incidentsTimer);
    if (this.positionsTimer) clearTimeout(this.positionsTimer);
    cancelAnimationFrame(this.clusterFrame);
    this.motion.destroy();
    this.clusterLabels.destroy();
    this.timers.forEach(clearInterval);
    cancelAnimationFrame(this.hoverFrame);
    Object.values(this.labels).forEach((l) => l.destroy());
    if (window.__zhihuiMap === this.map) delete window.__zhihuiMap;
    this.map.remove();
  }

  // ---- loading -------------------------------------------------------------------------------

  /** Load what the session may see, then mark the map ready once it has drawn it. */
  private async load(gen: number, signal: AbortSignal): Promise<void> {
    const names: StaticLayer[] = [...(this.layersAllowed ? MAP_LAYERS : []), ...(this.authorized ? (['officers'] as const) : [])];
    await Promise.allSettled([this.styleReady, ...names.map((n) => this.loadStatic(n, gen, signal))]);
    if (this.destroyed || gen !== this.accessGeneration) return;
    await this.drawn();
    if (this.destroyed || gen !== this.accessGeneration) return;
    this.countTiledFeatures();
    markReady();
  }

  /**
   * Resolves once every source (tiles too) is loaded and a frame has been drawn with them. Not
   * `idle`: logged in, officers glide and new cases pulse, so the map may not be idle for long.
   */
  private drawn(): Promise<void> {
    return new Promise<void>((resolve) => {
      let loadedOnce = false;
      const check = () => {
        if (!this.destroyed && !this.map.loaded()) {
          loadedOnce = false;
          return;
        }
        // loaded at the end of a frame: one more frame, drawn with everything
        if (!loadedOnce && !this.destroyed) {
          loadedOnce = true;
          this.map.triggerRepaint();
          return;
        }
        this.map.off('render', check);
        this.map.off('idle', check);
        resolve();
      };
      this.map.on('render', check);
      this.map.on('idle', check);
      this.map.triggerRepaint();
    });
  }

  private async loadStatic(name: StaticLayer, gen: number, signal?: AbortSignal): Promise<void> {
    try {
      const fc = await api[name](signal);
      // logged out or in as someone else meanwhile: not for this session
      if (this.destroyed || gen !== this.accessGeneration) return;
      this.data[name] = fc;
      await this.apply(name);
    } catch (err) {
      if (this.destroyed || gen !== this.accessGeneration || isAbort(err)) return;
      // the session is over: api.ts sent the page to the login form, which says why
      if (err instanceof ApiError && err.status === 401) return;
      reportError(err);
    }
  }

  /** The session changed: nothing stays on the map that the next one may not see, or sees differently. */
  private forget(): void {
    const names: StaticLayer[] = ['officers', ...(this.publicLayers ? [] : MAP_LAYERS)];
    for (const name of names) {
      this.data[name] = emptyCollection();
      setLayerCount(name, 0);
      void this.apply(name);
      if (consoleState.selected?.layer === name) this.clearSelection();
    }
    this.pendingPositions.clear();
  }

  /** Put the tile sources on the map afresh for the session, or take them off. */
  private syncTiles(): void {
    if (!this.styleInstalled || this.tilesFor === this.tilesOnMap) return;
    for (const def of tiledOverlays) {
      removeTiledOverlay(this.map, def);
      setLayerCount(def.name, 0);
      this.tilesChanged.delete(def.name as 'gridCells' | 'illegalBuildings');
      if (consoleState.selected?.layer === def.name) this.clearSelection();
    }
    this.tilesOnMap = this.tilesFor;
    if (this.tilesFor === null) return;
    for (const def of tiledOverlays) {
      addTiledOverlay(this.map, def);
      if (!consoleState.visible[def.name]) this.setOverlayVisible(def.name, false);
    }
  }

  /** Push a layer's data into its source (once the style is there) and refresh what derives from it. */
  private async apply(name: LayerName): Promise<void> {
    const fc = this.data[name];
    if (!fc) return;
    this.refreshDerived(name, fc);
    if (!this.styleInstalled) return; // installOverlays() applies it
    const source = this.map.getSource(overlays[name].sourceId);
    if (!(source instanceof GeoJSONSource)) return;
    if (name === 'officers') this.motion.reset();
    // the count is of the layer's own features, not of the marker points added for drawing
    await source.setData(fc);
    setLayerCount(name, fc.features.length);
  }

  private refreshDerived(name: LayerName, fc: FeatureCollection): void {
    switch (name) {
      case 'districts':
        this.placeDistrictLabels();
        break;
      case 'keyAreas': {
        consoleState.keyAreasActive = fc.features.filter((f) => (f.properties as KeyAreaProps).active).length;
        this.labels.keyAreas.set(
          fc.features.flatMap((f) => {
            const p = f.properties as KeyAreaProps;
            const at = f.geometry ? labelPoint(f.geometry) : null;
            const variant = p.active ? `ka-${p.level}` : 'ka-inactive';
            return at ? [{ id: String(p.id), lngLat: at, zh: p.name, en: p.nameEn ?? undefined, variant }] : [];
          }),
        );
        break;
      }
      case 'squads':
        this.labels.squads.set(
          fc.features.flatMap((f) => {
            const p = f.properties as SquadProps;
            const at = f.geometry ? labelPoint(f.geometry) : null;
            return at ? [{ id: String(p.id), lngLat: at, zh: p.name }] : [];
          }),
        );
        break;
      case 'officers': {
        const now = Date.now();
        for (const f of fc.features) {
          const p = f.properties as OfficerProps & { stale?: boolean };
          p.stale = isStale(p.positionAt, now);
        }
        if (this.officerIndex.size !== fc.features.length || fc.features.some((f) => this.officerIndex.get((f.properties as OfficerProps).id) !== f)) {
          this.officerIndex = new Map(fc.features.map((f) => [(f.properties as OfficerProps).id, f]));
        }
        const props = fc.features.map((f) => f.properties as OfficerProps);
        consoleState.officersTotal = props.length;
        consoleState.officersOnDuty = props.filter((p) => p.dutyStatus !== 'off_duty').length;
        break;
      }
      default:
        break;
    }
    if (name === 'districts' || name === 'keyAreas' || name === 'squads') this.declutterLabels();
    // keep an open details panel in step with refreshed data
    const sel = consoleState.selected;
    if (sel && sel.layer === name) {
      const f = this.findFeature(name, sel.id);
      if (f) {
        consoleState.selected = { layer: name, id: sel.id, properties: { ...(f.properties ?? {}) } };
        this.setSelectionFeature(f);
      }
    }
  }

  /** How many grid cells / buildings the loaded tiles hold (distinct ids), after tiles came in. */
  private countTiledFeatures(): void {
    for (const name of this.tilesChanged) {
      const def = overlays[name];
      if (!def.tiles || !this.map.getSource(def.sourceId)) continue;
      const ids = new Set<string | number>();
      for (const f of this.map.querySourceFeatures(def.sourceId, { sourceLayer: def.tiles.sourceLayer })) {
        if (f.id !== undefined) ids.add(f.id);
      }
      setLayerCount(name, ids.size);
    }
    this.tilesChanged.clear();
  }

  private declutterLabels(): void {
    declutter([this.labels.keyAreas, this.labels.squads, this.labels.districts]);
  }

  /** District names go in the visible part of each district, clear of the legend and the edges. */
  private placeDistrictLabels(): void {
    const fc = this.data.districts;
    if (!fc) return;
    const c = this.map.getContainer();
    const inset = LABEL_INSET;
    const nw = this.map.unproject([inset.left, inset.top]);
    const se = this.map.unproject([c.clientWidth - inset.right, c.clientHeight - inset.bottom]);
    const view: BBox = [nw.lng, se.lat, se.lng, nw.lat];
    this.labels.districts.set(
      fc.features.flatMap((f) => {
        const p = f.properties as DistrictProps;
        const at = f.geometry ? visibleLabelPoint(f.geometry, view) : null;
        return at ? [{ id: p.adcode, lngLat: at, zh: p.name, en: p.nameEn }] : [];
      }),
    );
  }

  private async installOverlays(): Promise<void> {
    if (this.styleInstalled) {
      // a new style replaced ours (fallback from a failed basemap): put the overlays back
      this.styleInstalled = false;
    }
    try {
      addOverlays(this.map);
      // a new style has none of our tile sources: add them if the session may see them
      this.tilesOnMap = null;
      this.styleInstalled = true;
      this.syncTiles();
    } catch (err) {
      this.styleInstalled = false;
      reportError(new Error(`图层初始化失败 overlay setup failed: ${(err as Error).message}`));
      return;
    }
    for (const name of Object.keys(overlays) as LayerName[]) {
      if (!consoleState.visible[name]) this.setOverlayVisible(name, false);
    }
    await Promise.all((Object.keys(this.data) as LayerName[]).map((n) => this.apply(n)));
    this.resolveStyle();
  }

  private onMapError(e: MapErrorEvent): void {
    const msg = e.error?.message ?? String(e.error);
    const sourceId = (e as MapErrorEvent & { sourceId?: string }).sourceId;
    if (this.usingRemoteStyle && !this.styleInstalled) {
      // the configured basemap could not be loaded: carry on with the offline style
      this.usingRemoteStyle = false;
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
      if (this.authorized && status === 401 && now - this.lastTileCheck > TILE_401_CHECK_MS) {
        this.lastTileCheck = now;
        api.me().catch(() => {});
      }
      return;
    }
    reportError(new Error(`地图错误 map error: ${msg}`));
  }

  // ---- selection -------------------------------------------------------------------------------

  private queryHits(e: MapMouseEvent, layers: string[]) {
    const present = layers.filter((id) => this.map.getLayer(id));
    if (present.length === 0) return [];
    const { x, y } = e.point;
    const r = 6; // px of tolerance around the pointer, for small dots
    return this.map.queryRenderedFeatures(
      [
        [x - r, y - r],
        [x + r, y + r],
      ],
      { layers: present },
    );
  }

  private onClick(e: MapMouseEvent): void {
    if (this.picking) {
      this.picking([Number(e.lngLat.lng.toFixed(6)), Number(e.lngLat.lat.toFixed(6))]);
      return;
    }
    const hits = this.queryHits(e, clickPriority);
    if (hits.length === 0) {
      this.clearSelection();
      return;
    }
    const rank = (id: string) => clickPriority.indexOf(id);
    hits.sort((a, b) => rank(a.layer.id) - rank(b.layer.id));
    const top = hits[0];
    if (top?.layer.id === INCIDENT_CLUSTER_LAYER && top.geometry.type === 'Point') {
      const center = top.geometry.coordinates as [number, number];
      const source = this.map.getSource<GeoJSONSource>(overlays.incidents.sourceId);
      void source
        ?.getClusterExpansionZoom(Number(top.properties?.cluster_id))
        .then((z) => this.map.easeTo({ center, zoom: Math.min(z + 0.3, 18), duration: 700 }))
        .catch((err: unknown) => reportError(err));
      return;
    }
    const def = top ? overlayOfLayer(top.layer.id) : undefined;
    if (!top || !def) return;
    const id = top.properties?.[def.promoteId] as string | number | undefined;
    // tiled layers keep no data of their own: the clicked feature (clipped to its tile) is the selection
    const tiled: Feature | undefined = def.tiles ? { type: 'Feature', geometry: top.geometry, properties: { ...top.properties } } : undefined;
    if (id === undefined) return;
    if (def.name === 'incidents') {
      this.caseHooks?.onCaseClick(Number(id));
      return;
    }
    this.selectedCase = null;
    const f = this.findFeature(def.name, id) ?? tiled;
    consoleState.selected = { layer: def.name, id, properties: { ...(f?.properties ?? top.properties ?? {}) } };
    this.setSelectionFeature(f ?? null);
  }

  private onHover(e: MapMouseEvent): void {
    cancelAnimationFrame(this.hoverFrame);
    this.hoverFrame = requestAnimationFrame(() => {
      if (this.picking) return;
      const hits = this.queryHits(e, [...POINTER_LAYERS]);
      this.map.getCanvas().style.cursor = hits.length > 0 ? 'pointer' : '';
    });
  }

  private findFeature(name: LayerName, id: string | number): Feature | undefined {
    const key = overlays[name].promoteId;
    return this.data[name]?.features.find((f) => String(f.properties?.[key]) === String(id));
  }

  private setSelectionFeature(f: Feature | null): void {
    const source = this.map.getSource<GeoJSONSource>(SELECTION_SOURCE);
    void source?.setData({ type: 'FeatureCollection', features: f ? [f] : [] });
  }
}

// What is selected on the map and what a click does: a case dot opens the case (the console's
// panels own case selection), a cluster zooms in, any other feature shows in the details panel with
// a ring around it; while the new-case form picks a place, a click places its point instead.
import type { Feature } from 'geojson';
import type { GeoJSONSource, Map as MapLibreMap, MapGeoJSONFeature, MapMouseEvent } from 'maplibre-gl';
import type { CaseView } from '../../common/cases/types.ts';
import type { LayerName } from '../../common/i18n.ts';
import { consoleState } from '../console-state.svelte.ts';
import type { CasesLayer } from './cases-layer.ts';
import type { GeoJsonLayer } from './geojson-layer.ts';
import { clampInsets, inFree, NO_INSETS, sameInsets, type Insets } from './insets.ts';
import { clickPriority, DRAFT_SOURCE, overlayOfLayer, SELECTION_SOURCE } from './layers/index.ts';

/** layers whose features make the cursor a pointer (districts and grid cover everything) */
const POINTER_LAYERS = clickPriority.filter((id) => !id.startsWith('zh-districts') && !id.startsWith('zh-grid'));
/** px of tolerance around the pointer, for small dots */
const CLICK_TOLERANCE = 6;
/** a selected case or a placed point this close to a panel's edge is brought further in */
const IN_VIEW_MARGIN = 60;
/** a selected case is shown at this zoom at least (streets and grid cells readable) */
const CASE_ZOOM = 14.5;

/** What the console does when a case dot is clicked. */
export interface CaseHooks {
  onCaseClick(id: number): void;
}

export class Selection {
  caseHooks: CaseHooks | null = null;
  private selectedCase: CaseView | null = null;
  private picking: ((lngLat: [number, number]) => void) | null = null;
  private draft: [number, number] | null = null;
  /** the screen the docked panels cover, kept as the camera's padding */
  private insets: Insets = NO_INSETS;
  private hoverFrame = 0;

  constructor(
    private readonly map: MapLibreMap,
    private readonly layers: Partial<Record<LayerName, GeoJsonLayer>>,
    private readonly cases: CasesLayer,
  ) {
    map.on('click', (e) => this.onClick(e));
    map.on('mousemove', (e) => this.onHover(e));
  }

  clear(): void {
    consoleState.selected = null;
    // the selected case keeps its ring: it is deselected from its panel, not by clicking the map
    if (this.selectedCase) this.showCase(this.selectedCase, false);
    else this.setFeature(null);
  }

  /** Drop the selection if it is of this layer (the layer was hidden or emptied). */
  clearIf(name: LayerName): void {
    if (consoleState.selected?.layer === name) this.clear();
  }

  /** Keep an open details panel in step with the layer's refreshed data. */
  follow(name: LayerName): void {
    const sel = consoleState.selected;
    if (!sel || sel.layer !== name) return;
    const f = this.layers[name]?.find(sel.id);
    if (!f) return;
    consoleState.selected = { layer: name, id: sel.id, properties: { ...(f.properties ?? {}) } };
    this.setFeature(f);
  }

  /** Ring the selected case and bring it into the free part of the map. */
  showCase(inc: CaseView | null, move = true): void {
    this.selectedCase = inc;
    if (!inc) {
      this.setFeature(null);
      return;
    }
    consoleState.selected = null;
    this.setFeature({ type: 'Feature', geometry: { type: 'Point', coordinates: [inc.lon, inc.lat] }, properties: { id: inc.id } });
    if (move && !this.shows([inc.lon, inc.lat], CASE_ZOOM - 1.5)) this.bringIn([inc.lon, inc.lat], CASE_ZOOM);
  }

  /**
   * The docked panels now cover `p` (px from each edge). The camera's padding follows, so the view's
   * centre stays in the free part (what was in the middle of it stays there); the selected case, or
   * else the placed point, is brought in if the panels now cover it.
   */
  setInsets(p: Insets): void {
    const c = this.map.getContainer();
    const next = clampInsets(p, c.clientWidth, c.clientHeight);
    if (sameInsets(next, this.insets)) return;
    const prev = this.insets;
    this.insets = next;
    const focus = this.selectedCase ? ([this.selectedCase.lon, this.selectedCase.lat] as [number, number]) : this.draft;
    // keeping the centre moves everything on screen by the shift of the free part's centre
    const shift = { x: (next.left - next.right - prev.left + prev.right) / 2, y: (next.top - next.bottom - prev.top + prev.bottom) / 2 };
    if (focus && !this.shows(focus, this.selectedCase ? CASE_ZOOM - 1.5 : 0, shift)) {
      this.bringIn(focus, this.selectedCase ? CASE_ZOOM : 0);
      return;
    }
    this.map.easeTo({ padding: next, duration: 300, essential: true });
  }

  /** The camera padding the panels ask for (clamped to the canvas). */
  get padding(): Insets {
    return this.insets;
  }

  /** Is the point in the free part (after moving by `shift`) at no less than `minZoom`? */
  private shows(lngLat: [number, number], minZoom: number, shift = { x: 0, y: 0 }): boolean {
    const c = this.map.getContainer();
    const pt = this.map.project(lngLat);
    const at = { x: pt.x + shift.x, y: pt.y + shift.y };
    return this.map.getZoom() >= minZoom && inFree(at, this.insets, c.clientWidth, c.clientHeight, IN_VIEW_MARGIN);
  }

  /** Centre the free part on the point, zooming in to `minZoom` if the map is further out. */
  private bringIn(lngLat: [number, number], minZoom: number): void {
    this.map.easeTo({ center: lngLat, zoom: Math.max(this.map.getZoom(), minZoom), padding: this.insets, duration: 900, essential: true });
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

  /** Show the new case's point; one typed in where the panels cover it is brought into view. */
  setDraftPoint(lngLat: [number, number] | null): void {
    this.draft = lngLat;
    if (lngLat && !this.selectedCase && !this.shows(lngLat, 0)) this.bringIn(lngLat, 0);
    void this.map.getSource<GeoJSONSource>(DRAFT_SOURCE)?.setData({
      type: 'FeatureCollection',
      features: lngLat ? [{ type: 'Feature', geometry: { type: 'Point', coordinates: lngLat }, properties: {} }] : [],
    });
  }

  destroy(): void {
    cancelAnimationFrame(this.hoverFrame);
  }

  private queryHits(e: MapMouseEvent, layers: string[]): MapGeoJSONFeature[] {
    const present = layers.filter((id) => this.map.getLayer(id));
    if (present.length === 0) return [];
    const { x, y } = e.point;
    const r = CLICK_TOLERANCE;
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
      this.clear();
      return;
    }
    const rank = (id: string) => clickPriority.indexOf(id);
    hits.sort((a, b) => rank(a.layer.id) - rank(b.layer.id));
    const top = hits[0];
    if (!top || this.cases.expandCluster(top)) return;
    const def = overlayOfLayer(top.layer.id);
    if (!def) return;
    const id = top.properties?.[def.promoteId] as string | number | undefined;
    if (id === undefined) return;
    if (def.name === 'incidents') {
      this.caseHooks?.onCaseClick(Number(id));
      return;
    }
    // tiled layers keep no data of their own: the clicked feature (clipped to its tile) is the selection
    const tiled: Feature | undefined = def.tiles ? { type: 'Feature', geometry: top.geometry, properties: { ...top.properties } } : undefined;
    this.selectedCase = null;
    const f = this.layers[def.name]?.find(id) ?? tiled;
    consoleState.selected = { layer: def.name, id, properties: { ...(f?.properties ?? top.properties ?? {}) } };
    this.setFeature(f ?? null);
  }

  private onHover(e: MapMouseEvent): void {
    cancelAnimationFrame(this.hoverFrame);
    this.hoverFrame = requestAnimationFrame(() => {
      if (this.picking) return;
      const hits = this.queryHits(e, POINTER_LAYERS);
      this.map.getCanvas().style.cursor = hits.length > 0 ? 'pointer' : '';
    });
  }

  private setFeature(f: Feature | null): void {
    void this.map.getSource<GeoJSONSource>(SELECTION_SOURCE)?.setData({ type: 'FeatureCollection', features: f ? [f] : [] });
  }
}

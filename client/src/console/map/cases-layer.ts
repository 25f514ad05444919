// The open cases on the map: one source (clustered at city zoom), redrawn whole but throttled, with
// cluster counts as HTML labels and a click on a cluster zooming into it.
import type { FeatureCollection, Point } from 'geojson';
import type { MapGeoJSONFeature } from 'maplibre-gl';
import { reportError } from '../../common/errors.svelte.ts';
import { LabelSet } from '../../common/map/html-labels.ts';
import { setMapCasesHook } from '../../common/test-hook.ts';
import { consoleState } from '../console-state.svelte.ts';
import { GeoJsonLayer, type MapHost } from './geojson-layer.ts';
import { CLUSTER_MAX_ZOOM, INCIDENT_CLUSTER_LAYER, type CaseProps } from './layers/index.ts';

/** at most this often the whole case set goes to the map (thousands of points: one setData) */
const INCIDENTS_MIN_INTERVAL_MS = 1000;
/** a positions batch comes about once a second: the next one is expected by this long after the last */
const POSITIONS_EXPECTED_MS = 1150;

export class CasesLayer extends GeoJsonLayer {
  private pending: (() => FeatureCollection<Point, CaseProps>) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastAt = 0;
  private signature = '';
  private clusterFrame = 0;
  private readonly clusterLabels: LabelSet;

  /** `lastPositionsAt`: when officers last moved, so that a case change can share that frame */
  constructor(
    host: MapHost,
    private readonly lastPositionsAt: () => number,
  ) {
    super(host, 'incidents');
    this.clusterLabels = new LabelSet(host.map, 'cluster');
    host.map.on('sourcedata', (e) => {
      if (e.sourceId === this.sourceId && e.isSourceLoaded) this.scheduleClusterLabels();
    });
    host.map.on('moveend', () => this.scheduleClusterLabels());
  }

  /**
   * Draw the open cases: the whole set in one setData, at most every INCIDENTS_MIN_INTERVAL_MS, and
   * together with the next batch of officer positions when one comes first, so that both changes
   * cost one map frame. `build` is called only then (thousands of features are not rebuilt per event).
   */
  schedule(build: () => FeatureCollection<Point, CaseProps>): void {
    this.pending = build;
    if (this.timer) return;
    // while positions stream in (a batch a second), the next batch carries the change in the same
    // frame; the timer fires only if that batch does not come
    const now = performance.now();
    const throttle = Math.max(0, this.lastAt + INCIDENTS_MIN_INTERVAL_MS - now);
    const nextBatch = this.lastPositionsAt() + POSITIONS_EXPECTED_MS - now;
    const wait = nextBatch > 0 ? Math.max(throttle, nextBatch) : throttle;
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Draw a pending change now (officers just moved: the same frame carries both). */
  flushPending(): void {
    if (this.pending) this.flush();
  }

  /** Zoom into a clicked cluster; false if the feature is not one. */
  expandCluster(hit: MapGeoJSONFeature): boolean {
    if (hit.layer.id !== INCIDENT_CLUSTER_LAYER || hit.geometry.type !== 'Point') return false;
    const center = hit.geometry.coordinates as [number, number];
    const map = this.host.map;
    void this.source()
      ?.getClusterExpansionZoom(Number(hit.properties?.cluster_id))
      .then((z) => map.easeTo({ center, zoom: Math.min(z + 0.3, 18), duration: 700 }))
      .catch((err: unknown) => reportError(err));
    return true;
  }

  override destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    cancelAnimationFrame(this.clusterFrame);
    this.clusterLabels.destroy();
    super.destroy();
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const build = this.pending;
    this.pending = null;
    if (!build || this.host.destroyed) return;
    const next = build();
    // the same picture again (a refetch that changed nothing the map shows) costs a frame for nothing
    const signature = next.features
      .map((f) => {
        const p = f.properties;
        return `${p.id}:${p.state}:${p.priority}:${+p.overdue}:${+p.fresh}:${f.geometry.coordinates.join(',')}`;
      })
      .join('|');
    if (signature === this.signature) return;
    this.signature = signature;
    this.lastAt = performance.now();
    setMapCasesHook(next.features.map((f) => f.properties.id));
    void this.set(next);
  }

  /** Cluster counts as HTML labels, after the map settles or the cases change. */
  private scheduleClusterLabels(): void {
    cancelAnimationFrame(this.clusterFrame);
    this.clusterFrame = requestAnimationFrame(() => {
      const map = this.host.map;
      if (this.host.destroyed || !map.getLayer(INCIDENT_CLUSTER_LAYER)) return;
      if (map.getZoom() > CLUSTER_MAX_ZOOM + 1 || !consoleState.visible.incidents) {
        this.clusterLabels.set([]);
        return;
      }
      const seen = new Set<string>();
      const items = map.queryRenderedFeatures({ layers: [INCIDENT_CLUSTER_LAYER] }).flatMap((f) => {
        const id = String(f.properties?.cluster_id);
        if (seen.has(id) || f.geometry.type !== 'Point') return [];
        seen.add(id);
        return [{ id, lngLat: f.geometry.coordinates as [number, number], zh: String(f.properties?.point_count_abbreviated ?? f.properties?.point_count) }];
      });
      this.clusterLabels.set(items);
    });
  }
}

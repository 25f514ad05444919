// Loads a layer for the visible bbox (padded a little) after the map stops moving, only at or
// above the layer's minimum zoom. A newer request cancels an older one; a view still inside the
// last complete (not truncated) load is not fetched again.
import type { FeatureCollection } from 'geojson';
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { BBox } from '../api-types.ts';
import { isAbort } from '../api.ts';
import { bboxContains } from './geo.ts';

export type ViewportResult = FeatureCollection & { truncated: boolean };

export interface ViewportLoaderOptions {
  minzoom: number;
  /** fraction of the view's width/height added on each side */
  padding?: number;
  debounceMs?: number;
  fetch: (bbox: BBox, signal: AbortSignal) => Promise<ViewportResult>;
  onData: (fc: ViewportResult) => void | Promise<void>;
  onError: (err: unknown) => void;
  onLoading?: (loading: boolean) => void;
}

export class ViewportLoader {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: AbortController | undefined;
  private loaded: { bbox: BBox; truncated: boolean } | undefined;

  constructor(
    private readonly map: MapLibreMap,
    private readonly opts: ViewportLoaderOptions,
  ) {}

  /** Debounced: call on every `moveend`. */
  schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.load(), this.opts.debounceMs ?? 250);
  }

  /**
   * Load now for the current view. Resolves true when data was applied, false when the zoom is
   * too low or the view is already covered; errors are reported through `onError` and resolve false.
   */
  async load(): Promise<boolean> {
    clearTimeout(this.timer);
    if (this.map.getZoom() < this.opts.minzoom) return false;
    const view = this.viewBbox(0);
    if (this.loaded && !this.loaded.truncated && bboxContains(this.loaded.bbox, view)) return false;
    const bbox = this.viewBbox(this.opts.padding ?? 0.15);
    this.inFlight?.abort();
    const ctrl = new AbortController();
    this.inFlight = ctrl;
    this.opts.onLoading?.(true);
    try {
      const fc = await this.opts.fetch(bbox, ctrl.signal);
      if (ctrl.signal.aborted) return false;
      this.loaded = { bbox, truncated: fc.truncated === true };
      await this.opts.onData(fc);
      return true;
    } catch (err) {
      if (!isAbort(err) && !ctrl.signal.aborted) this.opts.onError(err);
      return false;
    } finally {
      if (this.inFlight === ctrl) {
        this.inFlight = undefined;
        this.opts.onLoading?.(false);
      }
    }
  }

  destroy(): void {
    clearTimeout(this.timer);
    this.inFlight?.abort();
  }

  private viewBbox(padding: number): BBox {
    const b = this.map.getBounds();
    const w = b.getEast() - b.getWest();
    const h = b.getNorth() - b.getSouth();
    const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
    return [
      clamp(b.getWest() - w * padding, -180, 180),
      clamp(b.getSouth() - h * padding, -85, 85),
      clamp(b.getEast() + w * padding, -180, 180),
      clamp(b.getNorth() + h * padding, -85, 85),
    ];
  }
}

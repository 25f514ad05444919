// What every map of ours shares, the wall's and the leader's heat map alike: the bundled worker, a
// flat north-up camera, no fade, our dark background and fitting a collection into view.
import type { FeatureCollection } from 'geojson';
import {
  LngLatBounds,
  Map as MapLibreMap,
  NavigationControl,
  ScaleControl,
  setWorkerUrl,
  type BackgroundLayerSpecification,
  type FitBoundsOptions,
  type MapOptions,
} from 'maplibre-gl';
// The worker ships as its own module file: bundle it as an asset (no CDN) and point MapLibre at it.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { bboxOf } from './geo.ts';
import { palette } from './palette.ts';

setWorkerUrl(workerUrl);

export interface MapSetup {
  container: HTMLElement;
  style: MapOptions['style'];
  center: [number, number];
  zoom: number;
  /** a basemap brings its own attributions; our offline styles credit their data elsewhere */
  attribution?: boolean;
  /** zoom buttons and scale bar, bottom right */
  controls?: boolean;
  minZoom?: number;
  maxZoom?: number;
  transformRequest?: MapOptions['transformRequest'];
  /** false: a picture that neither pans nor zooms (a small map inside a scrolling page) */
  interactive?: boolean;
  /**
   * true: Chinese labels are drawn with the style's own glyphs (our basemap ships them) rather than
   * MapLibre's default of the browser's local sans-serif, the same on every screen
   */
  styleGlyphs?: boolean;
}

export function createMap(o: MapSetup): MapLibreMap {
  const map = new MapLibreMap({
    container: o.container,
    style: o.style,
    center: o.center,
    zoom: o.zoom,
    ...(o.minZoom !== undefined ? { minZoom: o.minZoom } : {}),
    ...(o.maxZoom !== undefined ? { maxZoom: o.maxZoom } : {}),
    attributionControl: o.attribution ? { compact: true } : false,
    // a wall screen is read north-up: no rotation or tilt by drag or touch
    dragRotate: false,
    pitchWithRotate: false,
    fadeDuration: 0,
    ...(o.interactive === false ? { interactive: false } : {}),
    ...(o.styleGlyphs ? { localIdeographFontFamily: false as const } : {}),
    ...(o.transformRequest ? { transformRequest: o.transformRequest } : {}),
  });
  map.touchZoomRotate.disableRotation();
  if (o.controls) {
    map.addControl(new NavigationControl({ showCompass: false }), 'bottom-right');
    map.addControl(new ScaleControl({ maxWidth: 160, unit: 'metric' }), 'bottom-right');
  }
  return map;
}

/** The dark ground under our overlays when no basemap is drawn. */
export function backgroundLayer(id: string): BackgroundLayerSpecification {
  return { id, type: 'background', paint: { 'background-color': palette.background } };
}

/** Move the camera so that the collection fills the view; false if it has no extent. */
export function fitCollection(map: MapLibreMap, fc: FeatureCollection, options: FitBoundsOptions): boolean {
  const b = bboxOf(fc);
  if (!b) return false;
  map.fitBounds(new LngLatBounds([b[0], b[1]], [b[2], b[3]]), options);
  return true;
}

// Cuts basemap features into Mapbox Vector Tiles with MapLibre's maintained geojson-vt and vt-pbf
// (the maintained forks of mapbox/geojson-vt and mapbox/vt-pbf): one source layer per basemap layer,
// a feature in a tile only from its class's zoom on.
import zlib from 'node:zlib';
import type { Feature, FeatureCollection, Geometry, Position } from 'geojson';
import { GeoJSONVT, type GeoJSONVTTile } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import { BASEMAP_LAYERS, type BasemapFeature, type BasemapLayer } from './features.ts';
import type { PmtilesTile } from './pmtiles-writer.ts';

export const BASEMAP_MIN_ZOOM = 10;
export const BASEMAP_MAX_ZOOM = 17;
const EXTENT = 4096;

export type Bounds = [number, number, number, number];

function walk(c: unknown, b: Bounds): void {
  if (Array.isArray(c) && typeof c[0] === 'number') {
    const [x, y] = c as Position;
    if (x! < b[0]) b[0] = x!;
    if (y! < b[1]) b[1] = y!;
    if (x! > b[2]) b[2] = x!;
    if (y! > b[3]) b[3] = y!;
  } else if (Array.isArray(c)) for (const d of c) walk(d, b);
}

export function boundsOf(features: BasemapFeature[]): Bounds | null {
  const b: Bounds = [Infinity, Infinity, -Infinity, -Infinity];
  for (const f of features) walk((f.geometry as Exclude<Geometry, { type: 'GeometryCollection' }>).coordinates, b);
  return b[0] <= b[2] ? b : null;
}

const lonToX = (lon: number, z: number) => Math.floor(((lon + 180) / 360) * 2 ** z);
const latToY = (lat: number, z: number) => {
  const r = (Math.max(-85.05, Math.min(85.05, lat)) * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
};

export interface TiledBasemap {
  tiles: PmtilesTile[];
  /** features per source layer */
  counts: Record<BasemapLayer, number>;
}

/** Every non-empty tile from BASEMAP_MIN_ZOOM to BASEMAP_MAX_ZOOM over the features' extent, gzip'd. */
export function tileBasemap(features: BasemapFeature[], bounds: Bounds): TiledBasemap {
  const counts = { roads: 0, water: 0, rail: 0, places: 0 } as Record<BasemapLayer, number>;
  const indexes = new Map<BasemapLayer, GeoJSONVT>();
  for (const layer of BASEMAP_LAYERS) {
    const own = features.filter((f) => f.layer === layer);
    counts[layer] = own.length;
    if (own.length === 0) continue;
    const fc: FeatureCollection = {
      type: 'FeatureCollection',
      features: own.map((f): Feature => ({ type: 'Feature', geometry: f.geometry, properties: { ...f.properties, minzoom: f.minzoom } })),
    };
    indexes.set(layer, new GeoJSONVT(fc, { maxZoom: BASEMAP_MAX_ZOOM, indexMaxZoom: 5, indexMaxPoints: 0, tolerance: 3, extent: EXTENT, buffer: 64 }));
  }
  const tiles: PmtilesTile[] = [];
  for (let z = BASEMAP_MIN_ZOOM; z <= BASEMAP_MAX_ZOOM; z++) {
    const [x0, x1, y0, y1] = [lonToX(bounds[0], z), lonToX(bounds[2], z), latToY(bounds[3], z), latToY(bounds[1], z)];
    for (let x = x0; x <= x1; x++) {
      for (let y = y0; y <= y1; y++) {
        const layers: Record<string, GeoJSONVTTile> = {};
        for (const [name, index] of indexes) {
          const tile = index.getTile(z, x, y);
          if (!tile) continue;
          // the tags are geojson-vt's own objects, shared by every zoom: copied without `minzoom`
          const shown = tile.features
            .filter((f) => Number(f.tags?.minzoom ?? 0) <= z)
            .map((f) => {
              const { minzoom: _, ...tags } = f.tags ?? {};
              return { ...f, tags };
            });
          if (shown.length === 0) continue;
          layers[name] = { ...tile, features: shown as GeoJSONVTTile['features'] };
        }
        if (Object.keys(layers).length === 0) continue;
        const pbf = fromGeojsonVt(layers, { version: 2, extent: EXTENT });
        tiles.push({ z, x, y, data: zlib.gzipSync(pbf) });
      }
    }
  }
  return { tiles, counts };
}

// What every overlay layer module declares: one source (GeoJSON, or vector tiles from our server for
// the large polygon layers) and its style layers.
import type { FeatureCollection } from 'geojson';
import type { GeoJSONSourceSpecification, LayerSpecification, VectorSourceSpecification } from 'maplibre-gl';
import type { LayerName } from '../../i18n.ts';

export interface OverlayDef {
  name: LayerName;
  sourceId: string;
  /** the property that identifies a feature (feature-state and selection look-ups) */
  promoteId: string;
  /** below this zoom the layer is not drawn (and viewport layers are not fetched) */
  minzoom: number;
  /** fills, drawn under every outline band */
  base: LayerSpecification[];
  /** outlines and points, drawn above all fills */
  top: LayerSpecification[];
  /** ids of the style layers that answer clicks */
  interactive: string[];
  /** extra source options (clustering) */
  source?: Partial<GeoJSONSourceSpecification>;
  /** served as vector tiles by GET /api/tiles/<path>/{z}/{x}/{y}.pbf instead of GeoJSON */
  tiles?: { path: string; sourceLayer: string; maxzoom: number };
}

export const emptyCollection = (): FeatureCollection => ({ type: 'FeatureCollection', features: [] });

/** vector tile numbers: above `maxzoom` MapLibre over-zooms the last level (no new requests) */
export function sourceSpec(def: OverlayDef): GeoJSONSourceSpecification | VectorSourceSpecification {
  if (def.tiles) {
    return {
      type: 'vector',
      // absolute: MapLibre's workers fetch tiles and resolve nothing against the page (the server
      // refuses query parameters it does not know: no cache-busting query here)
      tiles: [`${location.origin}/api/tiles/${def.tiles.path}/{z}/{x}/{y}.pbf`],
      minzoom: def.minzoom,
      maxzoom: def.tiles.maxzoom,
      promoteId: { [def.tiles.sourceLayer]: def.promoteId },
    };
  }
  return { type: 'geojson', data: emptyCollection(), promoteId: def.promoteId, attribution: '', ...def.source };
}

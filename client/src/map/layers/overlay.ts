// What every overlay layer module declares: one GeoJSON source and its style layers.
import type { FeatureCollection } from 'geojson';
import type { GeoJSONSourceSpecification, LayerSpecification } from 'maplibre-gl';
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
}

export const emptyCollection = (): FeatureCollection => ({ type: 'FeatureCollection', features: [] });

export function sourceSpec(def: OverlayDef): GeoJSONSourceSpecification {
  return { type: 'geojson', data: emptyCollection(), promoteId: def.promoteId, attribution: '' };
}

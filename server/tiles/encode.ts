import { fromVectorTileJs, GeoJSONWrapper } from '@maplibre/vt-pbf';
import { EXTENT } from './layers.ts';

/** A feature whose geometry PostGIS already put in tile units: a GeoJSON (Multi)Polygon of integers. */
export interface TileFeatureRow {
  id: number;
  geom: string;
  props: Record<string, string | number | boolean | null>;
}

type Ring = [number, number][];
type TileGeometry = { type: 'Polygon'; coordinates: Ring[] } | { type: 'MultiPolygon'; coordinates: Ring[][] };

/**
 * Writes one source layer with @maplibre/vt-pbf. A polygon feature of the MVT is a flat list of
 * rings whose winding tells exteriors from holes, so a MultiPolygon is its polygons' rings in order.
 */
export function encodeTile(sourceLayer: string, rows: TileFeatureRow[]): Buffer {
  if (rows.length === 0) return Buffer.alloc(0);
  const features = rows.map((row) => {
    const g = JSON.parse(row.geom) as TileGeometry;
    const rings = g.type === 'Polygon' ? g.coordinates : g.coordinates.flat();
    return { id: row.id, type: 3 as const, tags: row.props, geometry: rings };
  });
  const layer = new GeoJSONWrapper(features, { version: 2, extent: EXTENT });
  layer.name = sourceLayer;
  const bytes = fromVectorTileJs({ layers: { [sourceLayer]: layer } });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

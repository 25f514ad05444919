import type { Geometry, Position } from './crs.ts';
import type { DbfValue } from './dbf.ts';
import type { TextEncoding } from './encoding.ts';

export type LayerFormat = 'shapefile' | 'geojson' | 'csv' | 'xlsx';

/** One feature of an uploaded layer, before any reprojection or field mapping. */
export interface SourceFeature {
  /** Where the uploader finds it: the record (Shapefile), feature (GeoJSON) or data row (CSV, from 1 after the header). */
  n: number;
  /** GeoJSON in the layer's own CRS; null when the row has none (an empty WKT cell, a null shape). */
  geometry: Geometry | null;
  properties: Record<string, DbfValue>;
  /**
   * Why the row's geometry could not be read (a CSV cell of broken WKT, a non-numeric longitude, a GeoJSON
   * geometry that is not an object); `geometry` is then null. For the pipeline to report by `n`.
   */
  geometryError?: string;
}

/**
 * An uploaded file opened as one layer, whatever its format: what the import pipeline needs to map fields,
 * settle the CRS and stream the features (one at a time: a 100k-cell grid is never one array).
 */
export interface OpenedLayer {
  format: LayerFormat;
  /** The layer's name: the .shp's basename in a zip, else the file name without extension. */
  name: string;
  fieldNames: string[];
  /** The text encoding used and where it came from; undefined for GeoJSON (always UTF-8). */
  encoding?: TextEncoding;
  encodingSource?: 'request' | 'cpg' | 'ldid' | 'bom' | 'sniff';
  /** A Shapefile's .prj WKT. */
  prj?: string;
  /** An EPSG code the file itself declares (an old-style GeoJSON `crs` member, e.g. urn:ogc:def:crs:EPSG::4490). */
  declaredEpsg?: number;
  /** CSV: the column(s) the geometry is read from, as given or proposed from the header; they are not among fieldNames. */
  geometryColumns?: { wkt: string } | { lon: string; lat: string };
  /** The number of features when the format says it up front (Shapefile); undefined otherwise. */
  count?: number;
  /** One position from the first feature with a geometry, to suggest a CRS when none is declared. */
  samplePosition(): Promise<Position | undefined>;
  features(): AsyncGenerator<SourceFeature>;
  /** Removes temp files; safe to call twice. */
  close(): Promise<void>;
}

export interface OpenLayerOptions {
  /** The name the file was uploaded under: its extension chooses the reader when the content can't. */
  filename: string;
  /** gbk or utf-8, when the administrator says so (wins over .cpg, LDID, BOM and sniff). */
  encoding?: string;
  /** Which layer of a zip with several .shp. */
  layer?: string;
  /** CSV: the column holding WKT, or the longitude and latitude columns (proposed from the header when absent). */
  wktColumn?: string;
  lonColumn?: string;
  latColumn?: string;
  tmpDir?: string;
}

// The server's JSON contract as the console reads it (GeoJSON is RFC 7946, WGS84 lon/lat). Every shape
// here is the Static type of the TypeBox schema the server validates and documents its answer with
// (shared/), so a change to the wire breaks the client's type check instead of drifting.
import type { Feature, FeatureCollection, Geometry, MultiPolygon, Point, Polygon } from 'geojson';
import type {
  DistrictProperties as DistrictProps,
  GridCellProperties as GridCellProps,
  IllegalBuildingProperties as IllegalBuildingProps,
  KeyAreaProperties as KeyAreaProps,
  OfficerProperties as OfficerProps,
  SquadProperties as SquadProps,
} from '#shared/geo-schemas.ts';
import type { OfficerSelf } from '#shared/workforce-schemas.ts';
import type { ImportState, ProblemKind } from '#shared/gis/import-workflow.ts';
import type { GisLayer, LayerSpec } from '#shared/gis/layers.ts';

export type { ClientConfig, Health } from '#shared/system-schemas.ts';

export type LngLatTuple = [number, number];

export type { DistrictProps, GridCellProps, IllegalBuildingProps, KeyAreaProps, OfficerProps, SquadProps };

export type BuildingKind = IllegalBuildingProps['kind'];
export type BuildingStage = IllegalBuildingProps['stage'];
export type KeyAreaLevel = KeyAreaProps['level'];
export type OfficerKind = OfficerProps['kind'];
export type DutyStatus = OfficerProps['dutyStatus'];

/** GET /api/officers/me: the logged-in officer's own record */
export type OfficerMe = OfficerSelf;

type Area = Polygon | MultiPolygon;

// The collections keep the 'geojson' package's geometry types: the schemas' geometries (shared/geo-schemas.ts)
// only say "Polygon or MultiPolygon with an array of coordinates", which MapLibre cannot take; the
// properties, which the console reads, are the schemas' own.
export type DistrictCollection = FeatureCollection<MultiPolygon, DistrictProps>;
export type GridCellCollection = FeatureCollection<MultiPolygon, GridCellProps> & { truncated: boolean };
export type IllegalBuildingCollection = FeatureCollection<Area, IllegalBuildingProps> & { truncated: boolean };
export type KeyAreaCollection = FeatureCollection<MultiPolygon, KeyAreaProps>;
export type SquadCollection = FeatureCollection<Point, SquadProps>;
export type OfficerCollection = FeatureCollection<Point, OfficerProps>;

export type AnyFeature = Feature<Area | Point, object>;

/** [minLon, minLat, maxLon, maxLat] */
export type BBox = [number, number, number, number];

// ---- 底图数据导入 GIS imports (GET/POST /api/gis/…, administrators only) ------------------------------
// Written out by hand from server/gis/routes.ts (its TypeBox schemas live with the routes, not in shared/).
export type { GisLayer, ImportState, LayerSpec, ProblemKind };

/** GET /api/gis/layers */
export type GisLayers = Record<GisLayer, LayerSpec>;

/** How the server read the file (the import's `reading`). */
export interface GisReading {
  layerName?: string;
  crs?: string;
  encoding?: string;
  /** request, cpg, ldid, bom, sniff, or format (GeoJSON is UTF-8 by definition) */
  encodingSource?: string;
  fields?: string[];
  /** target field → the file's field */
  mapping?: Record<string, string>;
  repair?: boolean;
  /** 'features': the file carries only some features (a map edit), upserted; the rest of the layer stays */
  scope?: 'layer' | 'features';
  /** a grid edit (scope=features): the codes in force it retires, comma-separated */
  retire?: string;
}

/** A split or merge proposed by the server (POST /api/gis/grid/split, /merge): the new cells and the codes they retire. */
export interface GridProposal {
  type: 'FeatureCollection';
  features: Feature<Polygon | MultiPolygon, GridProposalProps>[];
  retire: string[];
}
export interface GridProposalProps {
  code: string;
  street_code: string;
  street_name: string;
  community_code: string;
  community_name: string;
  area_m2: number;
}

/** rows; add / change / keep / skip / remove (grid only); baseVersion */
export interface GisCounts {
  rows?: number;
  add?: number;
  change?: number;
  keep?: number;
  skip?: number;
  remove?: number;
  baseVersion?: number;
}

export interface GisImportRecord {
  id: number;
  layer: GisLayer;
  state: ImportState;
  filename: string;
  format: string;
  reading: GisReading;
  counts: GisCounts;
  createdBy: number | null;
  createdAt: string;
  endedAt: string | null;
  versionId: number | null;
}

export interface GisProblem {
  /** the row, from 1; null for a layer-wide problem (a gap) */
  n: number | null;
  /** the other row of a pair (overlap, duplicate) */
  otherN: number | null;
  code: string | null;
  kind: ProblemKind;
  severity: 'error' | 'warning';
  message: string;
}

export interface GisImportPreview {
  import: GisImportRecord;
  problemCounts: { kind: string; severity: string; count: number }[];
  /** the first 200 problems by row */
  problems: GisProblem[];
  /** codes in force that the commit would close (first 500) */
  removed: string[];
}

/** A staged row: what a commit does to it. */
export interface GisRowProps {
  n: number;
  code: string | null;
  action: 'add' | 'change' | 'keep' | 'skip';
}

/** Where a problem is (an invalid geometry's spot, an overlap, a gap). */
export interface GisProblemProps {
  n: number | null;
  problem: ProblemKind;
  severity: 'error' | 'warning';
  message: string;
}

/** GET /api/gis/imports/:id/map */
export type GisMapCollection = FeatureCollection<Geometry, GisRowProps | GisProblemProps>;

/** The options of an upload (the query string of POST /api/gis/imports). */
export interface GisUploadOptions {
  layer: GisLayer;
  /** EPSG code, when the file does not say it (or says it wrongly) */
  crs?: string;
  coords?: 'wgs84' | 'gcj02' | 'bd09';
  encoding?: 'gbk' | 'utf-8';
  mapping?: Record<string, string>;
  repair?: boolean;
  /** 'features': the file carries only some features (a map edit), upserted; the rest of the layer stays */
  scope?: 'layer' | 'features';
  /** a grid edit (scope=features): the codes in force it retires, comma-separated */
  retire?: string;
}

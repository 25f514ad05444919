// The server's JSON contract as the console reads it (GeoJSON is RFC 7946, WGS84 lon/lat). Every shape
// here is the Static type of the TypeBox schema the server validates and documents its answer with
// (shared/), so a change to the wire breaks the client's type check instead of drifting.
import type { Feature, FeatureCollection, MultiPolygon, Point, Polygon } from 'geojson';
import type {
  DistrictProperties as DistrictProps,
  GridCellProperties as GridCellProps,
  IllegalBuildingProperties as IllegalBuildingProps,
  KeyAreaProperties as KeyAreaProps,
  OfficerProperties as OfficerProps,
  SquadProperties as SquadProps,
} from '#shared/geo-schemas.ts';
import type { OfficerSelf } from '#shared/workforce-schemas.ts';

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

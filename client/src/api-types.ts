// The server's JSON contract as the console reads it (GeoJSON is RFC 7946, WGS84 lon/lat).
// Kept here until the server publishes the same types from the repository's shared/.
import type { Feature, FeatureCollection, MultiPolygon, Point, Polygon } from 'geojson';

export type LngLatTuple = [number, number];

export interface ClientConfig {
  mapStyleUrl: string | null;
  center: LngLatTuple;
  zoom: number;
  /** the map layers (not the officers) are served without a login (PUBLIC_MAP_LAYERS=true); absent = false */
  publicMapLayers?: boolean;
}

export interface Health {
  status: 'ok';
  database: { mode: 'embedded' | 'external'; postgres: string; postgis: string };
  migrations: { applied: number; pending: number; latest: string | null };
  demo: { seeded: boolean };
}

export interface DistrictProps {
  adcode: string;
  name: string;
  nameEn: string;
  areaKm2: number;
  gridCellCount: number;
}

export interface GridCellProps {
  code: string;
  districtAdcode: string;
  districtName: string;
  streetName: string;
  communityName: string;
  areaM2: number;
  squadName: string | null;
}

export type BuildingKind = 'stock' | 'new';
export type BuildingStage = 'discovered' | 'filed' | 'ordered' | 'demolished' | 'closed';

export interface IllegalBuildingProps {
  code: string;
  areaM2: number;
  floors: number;
  kind: BuildingKind;
  stage: BuildingStage;
  party: string | null;
  demolishedAreaM2: number;
  discoveredOn: string;
  districtName: string;
}

export type KeyAreaLevel = 'city' | 'district';

export interface KeyAreaProps {
  id: number;
  name: string;
  nameEn?: string | null;
  level: KeyAreaLevel;
  kind: string;
  priorityBoost: number;
  complaintBaseline: number;
  listedOn: string;
  delistedOn: string | null;
  active: boolean;
}

export interface SquadProps {
  id: number;
  name: string;
  districtAdcode: string;
  districtName: string;
  officerCount: number;
}

export type OfficerKind = 'officer' | 'auxiliary';
export type DutyStatus = 'off_duty' | 'available' | 'busy';

export interface OfficerProps {
  id: number;
  name: string;
  squadId: number;
  squadName: string;
  kind: OfficerKind;
  dutyStatus: DutyStatus;
  positionAt: string | null;
  equipment: string[];
}

/** GET /api/officers/me: the logged-in officer's own record */
export interface OfficerMe {
  id: number;
  name: string;
  kind: OfficerKind;
  squadId: number | null;
  squadName: string | null;
  districtAdcode: string | null;
  dutyStatus: DutyStatus;
  positionAt: string | null;
  certified: boolean;
}

type Area = Polygon | MultiPolygon;

export type DistrictCollection = FeatureCollection<MultiPolygon, DistrictProps>;
export type GridCellCollection = FeatureCollection<MultiPolygon, GridCellProps> & { truncated: boolean };
export type IllegalBuildingCollection = FeatureCollection<Area, IllegalBuildingProps> & { truncated: boolean };
export type KeyAreaCollection = FeatureCollection<MultiPolygon, KeyAreaProps>;
export type SquadCollection = FeatureCollection<Point, SquadProps>;
export type OfficerCollection = FeatureCollection<Point, OfficerProps>;

export type AnyFeature = Feature<Area | Point, object>;

/** [minLon, minLat, maxLon, maxLat] */
export type BBox = [number, number, number, number];

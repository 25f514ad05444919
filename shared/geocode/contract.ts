// What the geocoder answers: the shapes the search box, the case intake, the queue, the case panel,
// the officer's card and exports share. The server fills them from the gazetteer (PostGIS); the words
// for a landmark are formatted in shared/geocode/words.ts so every screen says the same thing.

/** What a gazetteer entry names. */
export const PLACE_KINDS = ['intersection', 'road', 'address', 'place', 'key_area', 'grid', 'community', 'street', 'district'] as const;
export type PlaceKind = (typeof PLACE_KINDS)[number];

/** One answer to a search: a named thing and the point to put a case on. WGS84. */
export interface PlaceHit {
  kind: PlaceKind;
  /** as the city writes it: 人民南路三段与玉林北路交叉口, 玉林街 12 号, 510107001001001 */
  name: string;
  /** where it is, to tell two hits of one name apart: district · street, or null */
  context: string | null;
  lon: number;
  lat: number;
  /** 0–1, higher is a better match (text first, then nearness to the caller's context) */
  score: number;
}

/**
 * The nearest named landmark to a point: an intersection when one is close enough to be what a
 * caller would say, else the nearest named road. `bearing` is from the landmark to the point, in
 * degrees clockwise from north, so "东北约 40 米" reads as where the point lies seen from it.
 */
export interface Landmark {
  kind: 'intersection' | 'road';
  name: string;
  meters: number;
  bearing: number;
}

/** Everything a point is known by: its landmark and the areas it falls in (null where none). */
export interface PlaceContext {
  landmark: Landmark | null;
  districtName: string | null;
  streetName: string | null;
  communityName: string | null;
  gridCode: string | null;
}

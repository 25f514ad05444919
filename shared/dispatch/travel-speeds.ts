// How fast an officer gets to a case: the assumptions behind the recommendation's ETA, in one place.
//
// ASSUMPTIONS (not measured; a deployment with probe data or a traffic feed should replace them):
// - How an officer travels follows their equipment (the roster's 装备): a 执法车 (enforcement car)
//   drives; an 电动巡逻车 (electric patrol bike) rides; anyone else walks (foot patrol, most
//   auxiliaries).
// - Driving speeds are typical daytime averages in a Chinese city centre, signals and congestion
//   included, by OSM `highway` class; they are well under the posted limits on purpose.
// - Cars and patrol bikes keep to one-way streets (non-motor vehicles must too); walkers do not.
// - The part of a trip off the loaded network (from where the officer stands to the nearest junction,
//   and from the junction nearest the case to the case) is the straight line × DETOUR_FACTOR at the
//   access speed of the mode (side streets, compounds).
// - Without a network (the embedded database, no pgRouting, or a point beyond the loaded roads) the
//   whole trip is the straight line × DETOUR_FACTOR at the mode's average speed: an estimate, and
//   labelled so.

export const TRAVEL_MODES = ['drive', 'ride', 'walk'] as const;
export type TravelMode = (typeof TRAVEL_MODES)[number];

/** How an ETA was computed: routed on the road network, or straight line × detour factor. */
export const ETA_METHODS = ['network', 'estimate'] as const;
export type EtaMethod = (typeof ETA_METHODS)[number];

const KMH = 1000 / 3600;

/** Walking, m/s (≈ 5 km/h). */
export const WALK_MPS = 5 * KMH;
/** An electric patrol bike in city traffic, m/s (≈ 15 km/h, the same on every road class). */
export const RIDE_MPS = 15 * KMH;

/** Driving speed by OSM highway class, km/h (daytime averages in the city centre, see above). */
export const DRIVE_KMH: Readonly<Record<string, number>> = {
  motorway: 60,
  motorway_link: 40,
  trunk: 40,
  trunk_link: 30,
  primary: 30,
  primary_link: 25,
  secondary: 25,
  secondary_link: 20,
  tertiary: 20,
  tertiary_link: 18,
  unclassified: 18,
  residential: 15,
  living_street: 8,
  service: 10,
};
/** A class the table does not name (or none). */
export const DRIVE_KMH_DEFAULT = 15;

/** Driving speed on a road of this class, m/s. */
export function driveSpeed(highway: string): number {
  return (DRIVE_KMH[highway] ?? DRIVE_KMH_DEFAULT) * KMH;
}

/** Straight line → road distance in a city grid (typical urban circuity is 1.2–1.4; the upper end). */
export const DETOUR_FACTOR = 1.4;

/** Speed off the loaded network (side streets to the nearest junction), m/s. */
export const ACCESS_MPS: Readonly<Record<TravelMode, number>> = { drive: 15 * KMH, ride: RIDE_MPS, walk: WALK_MPS };

/** Average door-to-door speed for the straight-line estimate, m/s (applied after DETOUR_FACTOR). */
export const ESTIMATE_MPS: Readonly<Record<TravelMode, number>> = { drive: 22 * KMH, ride: RIDE_MPS, walk: WALK_MPS };

/**
 * How many of the nearest free officers (by straight line, KNN) are routed on the network and
 * re-ranked by travel time. An officer further than the 20th by straight line rarely wins by road.
 */
export const ETA_POOL = 20;

/**
 * A point further than this from the loaded network's nearest junction is beyond the roads we have
 * (the demo patch covers about 3.7 × 3.4 km): its ETA is the estimate.
 */
export const MAX_ACCESS_METERS = 600;

/** How an officer travels, from their equipment. */
export function travelModeOf(equipment: readonly string[]): TravelMode {
  if (equipment.includes('执法车')) return 'drive';
  if (equipment.includes('电动巡逻车')) return 'ride';
  return 'walk';
}

/** Seconds for a straight line of `meters` by `mode`: the estimate (etaMethod 'estimate'). */
export function estimateSeconds(meters: number, mode: TravelMode): number {
  return Math.round((meters * DETOUR_FACTOR) / ESTIMATE_MPS[mode]);
}

/** Seconds for an off-network leg of `meters` (straight line) by `mode`. */
export function accessSeconds(meters: number, mode: TravelMode): number {
  return (meters * DETOUR_FACTOR) / ACCESS_MPS[mode];
}

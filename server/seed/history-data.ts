/** Where and when the demo history's problems come up (server/seed/history.ts). */
export interface HistorySpot {
  kind: string;
  lon: number;
  lat: number;
}

export interface HistoryOfficer {
  id: number;
  district: string;
  certified: boolean;
}

/** The city at large: reports come by day and early evening. */
export const HISTORY_DAY_HOURS = [8, 9, 9, 10, 10, 11, 11, 14, 14, 15, 15, 16, 16, 17, 18, 19, 20];

/** Hours (China time, repeated = likelier) at which each kind of key area draws its problems. */
export const HOURS_BY_KIND: Record<string, number[]> = {
  market: [6, 7, 7, 8, 8, 9, 16, 17, 17, 18],
  transport: [7, 7, 8, 8, 9, 17, 17, 18, 18, 19],
  nightlife: [19, 20, 21, 21, 22, 22, 23],
  commercial: [10, 12, 14, 15, 16, 18, 19, 19, 20, 21],
  scenic: [9, 10, 11, 11, 13, 14, 15, 16],
  civic: [8, 9, 10, 14, 16, 18, 19],
  major_event: [18, 19, 19, 20, 20, 21],
};

/**
 * The spots: a dozen points inside each listed key area (PostGIS's seeded generator: the same on
 * every machine) and one in every seventh current grid cell for the rest of the city.
 */
export const HISTORY_SPOTS_SQL = `
  SELECT kind, lon, lat FROM (
    SELECT k.kind, ST_X(d.geom) AS lon, ST_Y(d.geom) AS lat
    FROM key_areas k, LATERAL ST_Dump(ST_GeneratePoints(k.geom, 12, 7)) d
    WHERE k.delisted_on IS NULL OR k.delisted_on > current_date
    UNION ALL
    SELECT 'city', ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM grid_cells WHERE valid_to IS NULL AND id % 7 = 0
  ) s ORDER BY kind, lon, lat`;

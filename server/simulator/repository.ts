import type pg from 'pg';
import { HISTORY_SPOTS_SQL, type HistorySpot } from '../seed/history-data.ts';

/** A simulated case still open, with what the simulator needs to take its next step. */
export interface SimulatedCase {
  id: number;
  state: string;
  lon: number;
  lat: number;
  enforcement: boolean;
  /** officers with a live dispatch on it */
  officers: number[];
}

/** What the simulator reads to play its part: its cases, places to report, officers' positions. */
export class SimulatorRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** The simulator's own cases (source_ref SIM-…) not yet finished, oldest first. */
  async openCases(limit: number): Promise<SimulatedCase[]> {
    const res = await this.pool.query<SimulatedCase>(
      `
      SELECT i.id, i.state, ST_X(i.position) AS lon, ST_Y(i.position) AS lat, c.involves_enforcement AS enforcement,
             coalesce(array_agg(d.officer_id) FILTER (WHERE d.state IN ('pending', 'accepted')), '{}') AS officers
      FROM incidents i JOIN categories c ON c.id = i.category_id LEFT JOIN dispatches d ON d.incident_id = i.id
      WHERE i.source_ref LIKE 'SIM-%' AND i.state NOT IN ('closed', 'voided', 'suspended')
      GROUP BY i.id, c.involves_enforcement ORDER BY i.id LIMIT $1`,
      [limit],
    );
    return res.rows;
  }

  /** A point inside a grid cell picked at random: somewhere in the city a problem may be reported. */
  async randomSpot(): Promise<{ lon: number; lat: number }> {
    const res = await this.pool.query<{ lon: number; lat: number }>(`
      SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (
        SELECT ST_PointOnSurface(geom) AS p FROM grid_cells
        WHERE id >= (SELECT min(id) + floor(random() * (max(id) - min(id)))::int FROM grid_cells) ORDER BY id LIMIT 1) x`);
    return res.rows[0]!;
  }

  /** An officer's last position and their distance in metres to a point; null when they have none. */
  async officerDistance(officerId: number, lon: number, lat: number): Promise<{ lon: number; lat: number; meters: number } | null> {
    const res = await this.pool.query<{ lon: number; lat: number; meters: number }>(
      `
      SELECT ST_X(position) AS lon, ST_Y(position) AS lat,
             ST_Distance(position::geography, ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography) AS meters
      FROM officers WHERE id = $1`,
      [officerId, lon, lat],
    );
    return res.rows[0] ?? null;
  }

  /** Where problems come up: points in the key areas (by kind) and across the city (the demo history's spots). */
  async spots(): Promise<HistorySpot[]> {
    return (await this.pool.query<HistorySpot>(HISTORY_SPOTS_SQL)).rows;
  }

  /** Officers a human holds (linked to a user account): the simulator never moves or answers for them. */
  async humanOfficers(): Promise<number[]> {
    const res = await this.pool.query<{ id: number }>(`SELECT officer_id AS id FROM users WHERE officer_id IS NOT NULL`);
    return res.rows.map((r) => r.id);
  }

  /** On-duty officers free of cases, with their last position: they patrol. */
  async patrollers(): Promise<{ id: number; lon: number; lat: number }[]> {
    const res = await this.pool.query<{ id: number; lon: number; lat: number }>(`
      SELECT o.id, ST_X(o.position) AS lon, ST_Y(o.position) AS lat FROM officers o
      WHERE o.duty_status = 'available' AND o.position IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM users u WHERE u.officer_id = o.id)
      ORDER BY o.id`);
    return res.rows;
  }
}

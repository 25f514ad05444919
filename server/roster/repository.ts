import type pg from 'pg';
import type { StreetResponsibility } from '#shared/roster/schemas.ts';
import type { Queryable } from '../db/transaction.ts';

export interface SquadRow {
  id: number;
  name: string;
  districtAdcode: string;
  districtName: string;
  lon: number;
  lat: number;
  phone: string | null;
  officers: number;
  cells: number;
}

export interface OfficerRow {
  id: number;
  name: string;
  kind: 'officer' | 'auxiliary';
  squadId: number;
  squadName: string;
  districtAdcode: string;
  certificateNo: string | null;
  certificateExpires: string | null;
  equipment: string[];
  phone: string | null;
  dutyStatus: 'off_duty' | 'available' | 'busy';
  userLogin: string | null;
}

export interface SquadValues {
  name: string;
  districtAdcode: string;
  lon: number;
  lat: number;
  phone: string | null;
}

export interface OfficerValues {
  name: string;
  squadId: number;
  kind: 'officer' | 'auxiliary';
  certificateNo: string | null;
  certificateExpires: string | null;
  equipment: string[];
  phone: string | null;
}

const SQUAD_COLUMNS = `s.id, s.name, s.district_adcode AS "districtAdcode", d.name AS "districtName",
  ST_X(s.base) AS lon, ST_Y(s.base) AS lat, s.phone,
  (SELECT count(*)::int FROM officers o WHERE o.squad_id = s.id) AS officers,
  (SELECT count(*)::int FROM grid_cells g WHERE g.squad_id = s.id AND g.valid_to IS NULL) AS cells`;

const OFFICER_COLUMNS = `o.id, o.name, o.kind, o.squad_id AS "squadId", s.name AS "squadName", s.district_adcode AS "districtAdcode",
  o.certificate_no AS "certificateNo", o.certificate_expires AS "certificateExpires", o.equipment, o.phone,
  o.duty_status AS "dutyStatus", u.login AS "userLogin"`;

/** Squads and officers as the administrator keeps them. */
export class RosterRepository {
  constructor(private readonly pool: pg.Pool) {}

  async squads(district: string | null): Promise<SquadRow[]> {
    const res = await this.pool.query<SquadRow>(
      `SELECT ${SQUAD_COLUMNS} FROM squads s JOIN districts d ON d.adcode = s.district_adcode
       WHERE $1::text IS NULL OR s.district_adcode = $1 ORDER BY s.district_adcode, s.name`,
      [district],
    );
    return res.rows;
  }

  async squad(id: number, db: Queryable = this.pool): Promise<SquadRow | null> {
    const res = await db.query<SquadRow>(`SELECT ${SQUAD_COLUMNS} FROM squads s JOIN districts d ON d.adcode = s.district_adcode WHERE s.id = $1`, [id]);
    return res.rows[0] ?? null;
  }

  async lockSquad(db: Queryable, id: number): Promise<SquadRow | null> {
    await db.query(`SELECT id FROM squads WHERE id = $1 FOR UPDATE`, [id]);
    return this.squad(id, db);
  }

  /** Whether the district exists and covers the point (a squad's base is inside its district). */
  async baseFits(db: Queryable, districtAdcode: string, lon: number, lat: number): Promise<{ district: string | null; covers: boolean }> {
    const res = await db.query<{ name: string; covers: boolean }>(
      `SELECT name, ST_Covers(boundary, ST_SetSRID(ST_MakePoint($2, $3), 4326)) AS covers FROM districts WHERE adcode = $1`,
      [districtAdcode, lon, lat],
    );
    const row = res.rows[0];
    return { district: row?.name ?? null, covers: row?.covers ?? false };
  }

  async insertSquad(db: Queryable, v: SquadValues): Promise<number> {
    const res = await db.query<{ id: number }>(
      `INSERT INTO squads (name, district_adcode, base, phone) VALUES ($1, $2, ST_SetSRID(ST_MakePoint($3, $4), 4326), $5) RETURNING id`,
      [v.name, v.districtAdcode, v.lon, v.lat, v.phone],
    );
    return res.rows[0]!.id;
  }

  async updateSquad(db: Queryable, id: number, v: SquadValues): Promise<void> {
    await db.query(`UPDATE squads SET name = $2, district_adcode = $3, base = ST_SetSRID(ST_MakePoint($4, $5), 4326), phone = $6 WHERE id = $1`, [
      id,
      v.name,
      v.districtAdcode,
      v.lon,
      v.lat,
      v.phone,
    ]);
  }

  async officers(filter: { district: string | null; squadId: number | null }): Promise<OfficerRow[]> {
    const res = await this.pool.query<OfficerRow>(
      `SELECT ${OFFICER_COLUMNS} FROM officers o JOIN squads s ON s.id = o.squad_id LEFT JOIN users u ON u.officer_id = o.id
       WHERE ($1::text IS NULL OR s.district_adcode = $1) AND ($2::int IS NULL OR o.squad_id = $2)
       ORDER BY s.district_adcode, s.name, o.kind, o.name, o.id`,
      [filter.district, filter.squadId],
    );
    return res.rows;
  }

  async officer(id: number, db: Queryable = this.pool): Promise<OfficerRow | null> {
    const res = await db.query<OfficerRow>(
      `SELECT ${OFFICER_COLUMNS} FROM officers o JOIN squads s ON s.id = o.squad_id LEFT JOIN users u ON u.officer_id = o.id WHERE o.id = $1`,
      [id],
    );
    return res.rows[0] ?? null;
  }

  async lockOfficer(db: Queryable, id: number): Promise<OfficerRow | null> {
    await db.query(`SELECT id FROM officers WHERE id = $1 FOR UPDATE`, [id]);
    return this.officer(id, db);
  }

  async insertOfficer(db: Queryable, v: OfficerValues): Promise<number> {
    const res = await db.query<{ id: number }>(
      `INSERT INTO officers (name, squad_id, kind, certificate_no, certificate_expires, equipment, phone)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [v.name, v.squadId, v.kind, v.certificateNo, v.certificateExpires, v.equipment, v.phone],
    );
    return res.rows[0]!.id;
  }

  async updateOfficer(db: Queryable, id: number, v: OfficerValues): Promise<void> {
    await db.query(
      `UPDATE officers SET name = $2, squad_id = $3, kind = $4, certificate_no = $5, certificate_expires = $6, equipment = $7, phone = $8 WHERE id = $1`,
      [id, v.name, v.squadId, v.kind, v.certificateNo, v.certificateExpires, v.equipment, v.phone],
    );
  }

  /** Streets with their current cells and which squads answer for them. */
  async streets(district: string | null): Promise<StreetResponsibility[]> {
    // one pass over the current cells, grouped by street and squad (not a scan per street)
    const res = await this.pool.query<StreetResponsibility>(
      `WITH c AS (
         SELECT left(code, 9) AS street, squad_id, count(*)::int AS n FROM grid_cells
         WHERE valid_to IS NULL AND ($1::text IS NULL OR district_adcode = $1) GROUP BY 1, 2)
       SELECT st.code, st.name, st.district_adcode AS "districtAdcode", coalesce(sum(c.n), 0)::int AS cells,
              coalesce(json_agg(json_build_object('id', sq.id, 'name', sq.name, 'cells', c.n) ORDER BY sq.name) FILTER (WHERE sq.id IS NOT NULL), '[]') AS squads
       FROM streets st LEFT JOIN c ON c.street = st.code::text LEFT JOIN squads sq ON sq.id = c.squad_id
       WHERE $1::text IS NULL OR st.district_adcode = $1
       GROUP BY st.code, st.name, st.district_adcode ORDER BY st.code`,
      [district],
    );
    return res.rows;
  }

  /** Streets (of the list) that are not in the district. */
  async streetsOutside(db: Queryable, district: string, streets: string[]): Promise<string[]> {
    const res = await db.query<{ code: string }>(
      `SELECT c.code FROM unnest($2::text[]) AS c(code)
       WHERE NOT EXISTS (SELECT 1 FROM streets s WHERE s.code = c.code::bpchar AND s.district_adcode = $1)`,
      [district, streets],
    );
    return res.rows.map((r) => r.code);
  }

  /** The squad answers for every current cell of the streets; answers how many cells each squad had before. */
  async assignStreets(db: Queryable, squadId: number, streets: string[]): Promise<{ cells: number; from: Record<string, number> }> {
    const before = await db.query<{ squad: string; n: number }>(
      `SELECT coalesce(squad_id::text, 'none') AS squad, count(*)::int AS n FROM grid_cells
       WHERE valid_to IS NULL AND left(code, 9) = ANY($1::text[]) GROUP BY 1`,
      [streets],
    );
    const res = await db.query(`UPDATE grid_cells SET squad_id = $1 WHERE valid_to IS NULL AND left(code, 9) = ANY($2::text[])`, [squadId, streets]);
    return { cells: res.rowCount ?? 0, from: Object.fromEntries(before.rows.map((r) => [r.squad, r.n])) };
  }
}

import type { Queryable } from '../db/transaction.ts';

/** One year's schedule (节假日安排) as stored: days are YYYY-MM-DD (Shanghai), in order. */
export interface HolidayYear {
  year: number;
  holidays: string[];
  workdays: string[];
  source: string | null;
  updatedAt: string;
  updatedBy: number | null;
  updatedByLogin: string | null;
}

// Days as text whatever the session's DateStyle, in order.
const COLUMNS = `h.year,
  ARRAY(SELECT to_char(d, 'YYYY-MM-DD') FROM unnest(h.holidays) d ORDER BY d) AS holidays,
  ARRAY(SELECT to_char(d, 'YYYY-MM-DD') FROM unnest(h.workdays) d ORDER BY d) AS workdays,
  h.source, h.updated_at AS "updatedAt", h.updated_by AS "updatedBy", u.login AS "updatedByLogin"`;

interface Row extends Omit<HolidayYear, 'updatedAt'> {
  updatedAt: Date;
}

const view = (r: Row): HolidayYear => ({ ...r, updatedAt: r.updatedAt.toISOString() });

/** Every stored year, oldest first. */
export async function holidayYears(db: Queryable): Promise<HolidayYear[]> {
  const res = await db.query<Row>(`SELECT ${COLUMNS} FROM holiday_years h LEFT JOIN users u ON u.id = h.updated_by ORDER BY h.year`);
  return res.rows.map(view);
}

/** One year, locked until the transaction ends (two admins saving the same year take turns). */
export async function lockHolidayYear(db: Queryable, year: number): Promise<HolidayYear | null> {
  // the lock is on holiday_years only: FOR UPDATE OF h (the users row is not ours to lock)
  const res = await db.query<Row>(`SELECT ${COLUMNS} FROM holiday_years h LEFT JOIN users u ON u.id = h.updated_by WHERE h.year = $1 FOR UPDATE OF h`, [year]);
  const row = res.rows[0];
  return row ? view(row) : null;
}

/** Stores a year's days, replacing what the year had. */
export async function putHolidayYear(
  db: Queryable,
  v: { year: number; holidays: readonly string[]; workdays: readonly string[]; source: string | null; userId: number },
): Promise<void> {
  await db.query(
    `INSERT INTO holiday_years (year, holidays, workdays, source, updated_by, updated_at)
     VALUES ($1, $2::date[], $3::date[], $4, $5, now())
     ON CONFLICT (year) DO UPDATE SET holidays = EXCLUDED.holidays, workdays = EXCLUDED.workdays,
       source = EXCLUDED.source, updated_by = EXCLUDED.updated_by, updated_at = now()`,
    [v.year, v.holidays, v.workdays, v.source, v.userId],
  );
}

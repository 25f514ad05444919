import type pg from 'pg';
import type { HolidayCalendar } from '#shared/time/deadlines.ts';
import { CN_CALENDAR } from '#shared/time/holidays-cn.ts';
import { appendAudit } from '../audit/repository.ts';
import type { AuthUser } from '../auth/user.ts';
import { withTransaction } from '../db/transaction.ts';
import { Problem } from '../http/problem.ts';
import { channels, type PgRelay } from '../live/relay.ts';
import { type HolidayYear, holidayYears, lockHolidayYear, putHolidayYear } from './repository.ts';

const SHANGHAI_OFFSET = 8 * 3_600_000;
/** A year has about 30 days off (元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆 with their weekends); more is pasted wrong. */
export const MAX_HOLIDAYS = 40;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
/** At most this many problems in one answer: enough to fix a paste, short enough to read. */
const MAX_PROBLEMS = 5;

// ---------------------------------------------------------------------------------------------------
// The calendar the server's deadlines count on.

let current: HolidayCalendar = CN_CALENDAR;

/**
 * The holiday calendar every deadline this process computes counts on (server/cases): the stored
 * years (holiday_years), loaded at start and after every change. Until the first load it is the
 * shipped CN_CALENDAR, which holds the same days migration 017 stored.
 */
export function serverCalendar(): HolidayCalendar {
  return current;
}

/** The calendar of the stored years: a day of a year not stored counts as Monday–Friday only. */
export function calendarOf(years: readonly Pick<HolidayYear, 'year' | 'holidays' | 'workdays'>[]): HolidayCalendar {
  return {
    name: years.length ? `stored schedule (holiday_years) ${years.map((y) => y.year).join(', ')}` : 'no stored schedule: Monday–Friday only',
    holidays: years.flatMap((y) => y.holidays),
    workdays: years.flatMap((y) => y.workdays),
  };
}

/** The calendar year in China (Asia/Shanghai) at `now`. */
export function chinaYear(now: Date): number {
  return new Date(now.getTime() + SHANGHAI_OFFSET).getUTCFullYear();
}

// ---------------------------------------------------------------------------------------------------
// Checking a year's days.

export interface YearInput {
  holidays: readonly string[];
  workdays: readonly string[];
  source?: string | null;
}

function isDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
}

const weekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay();

/** What is wrong with `input` as the schedule of `year`, each saying what to fix; empty when it may be stored. */
export function yearProblems(year: number, input: YearInput): string[] {
  const problems: string[] = [];
  if (input.holidays.length === 0) problems.push(`holidays: none given: list ${year}'s days off (元旦, 春节 …) as YYYY-MM-DD`);
  if (input.holidays.length > MAX_HOLIDAYS) {
    problems.push(
      `holidays: ${input.holidays.length} days is more than ${MAX_HOLIDAYS}: a year has about 30 (the festivals with their weekends); check for a wrong range or another year's days`,
    );
  }
  for (const [list, days] of [
    ['holidays', input.holidays],
    ['workdays', input.workdays],
  ] as const) {
    const seen = new Set<string>();
    for (const day of days) {
      if (!isDay(day)) problems.push(`${list}: "${day}" is not a date: write YYYY-MM-DD, e.g. ${year}-01-01`);
      else if (!day.startsWith(`${year}-`))
        problems.push(`${list}: ${day} is not in ${year}: a year's schedule lists only its own days; save it under ${day.slice(0, 4)}`);
      else if (seen.has(day)) problems.push(`${list}: ${day} is listed twice; list it once`);
      else if (list === 'workdays' && weekday(day) !== 0 && weekday(day) !== 6) {
        problems.push(
          `workdays: ${day} is a ${WEEKDAYS[weekday(day)]}: make-up working days (调休上班) are Saturdays or Sundays; a weekday is a working day already`,
        );
      }
      seen.add(day);
    }
  }
  const holidays = new Set(input.holidays);
  for (const day of new Set(input.workdays)) {
    if (holidays.has(day)) problems.push(`${day} is both a holiday and a make-up workday: keep it in one of the two lists`);
  }
  return problems;
}

/**
 * A year's days from CSV text: one `date,kind` line a day, kind 休 / holiday (a day off) or 班 / workday
 * (a make-up working day). A header line, blank lines and lines starting with # are skipped.
 */
export function parseHolidayCsv(text: string): { holidays: string[]; workdays: string[] } {
  const holidays: string[] = [];
  const workdays: string[] = [];
  const problems: string[] = [];
  for (const [i, raw] of text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || (i === 0 && /^date\s*,/i.test(line))) continue;
    const [date = '', kind = '', ...rest] = line.split(',').map((s) => s.trim());
    const k = kind.toLowerCase();
    if (rest.length || !date) problems.push(`line ${i + 1}: "${line}": write date,kind (two fields)`);
    else if (k === '休' || k === 'holiday') holidays.push(date);
    else if (k === '班' || k === 'workday') workdays.push(date);
    else problems.push(`line ${i + 1}: kind "${kind}" is neither 休/holiday nor 班/workday`);
  }
  if (problems.length) throw new Problem(400, `the CSV was not read: ${problems.slice(0, MAX_PROBLEMS).join('; ')}`);
  return { holidays, workdays };
}

// ---------------------------------------------------------------------------------------------------

export interface HolidayOverview {
  /** today in China (YYYY-MM-DD) */
  today: string;
  years: HolidayYear[];
  /** this year and next year, where not stored */
  missingYears: number[];
  /** what to do about the missing years, or null */
  warning: string | null;
}

type Relay = Pick<PgRelay, 'on' | 'onReconnect' | 'send'>;
interface Log {
  warn(obj: object, msg: string): void;
}

/**
 * The holiday calendar (节假日安排) an administrator keeps per year, and the in-memory copy the server's
 * deadlines count on (`serverCalendar`). Where other instances share the database (`relay`: external
 * PostgreSQL), a change is told to them with NOTIFY and each reloads; after the listening connection
 * comes back (notifications may have been lost meanwhile) every instance reloads too.
 */
export class HolidayService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly relay: Relay | null,
    private readonly log: Log,
    private readonly now: () => Date = () => new Date(),
  ) {
    relay?.on(channels.calendar, () => void this.reloadQuietly());
    relay?.onReconnect(() => void this.reloadQuietly());
  }

  /** Reads the stored years into the calendar the deadlines use; at start and after every change. */
  async load(): Promise<HolidayYear[]> {
    const years = await holidayYears(this.pool);
    current = calendarOf(years);
    const { warning } = this.missing(years);
    if (warning) this.log.warn({ years: years.map((y) => y.year) }, `holiday calendar: ${warning}`);
    return years;
  }

  private async reloadQuietly(): Promise<void> {
    try {
      await this.load();
    } catch (err) {
      this.log.warn({ err }, 'holiday calendar: reload failed; deadlines count on the calendar loaded before');
    }
  }

  private missing(years: readonly HolidayYear[]): Pick<HolidayOverview, 'missingYears' | 'warning'> {
    const year = chinaYear(this.now());
    const held = new Set(years.map((y) => y.year));
    const messages: string[] = [];
    const missingYears: number[] = [];
    if (!held.has(year)) {
      missingYears.push(year);
      messages.push(`No holiday schedule for ${year} (this year): working-day time limits count Monday–Friday only; add ${year}'s schedule now.`);
    }
    if (!held.has(year + 1)) {
      missingYears.push(year + 1);
      messages.push(
        `No holiday schedule for ${year + 1} (next year): add it once the State Council publishes it (usually November), or deadlines that run into ${year + 1} ignore its holidays.`,
      );
    }
    return { missingYears, warning: messages.length ? messages.join(' ') : null };
  }

  /** The stored years with their days, and a warning when this year or next is missing. */
  async overview(): Promise<HolidayOverview> {
    const years = await holidayYears(this.pool);
    const today = new Date(this.now().getTime() + SHANGHAI_OFFSET).toISOString().slice(0, 10);
    return { today, years, ...this.missing(years) };
  }

  /** Stores `year`'s days (replacing what it had), audited in the same transaction; the deadlines use them at once. */
  async setYear(actor: AuthUser, year: number, input: YearInput): Promise<HolidayYear> {
    const problems = yearProblems(year, input);
    if (problems.length) {
      const more = problems.length > MAX_PROBLEMS ? ` (and ${problems.length - MAX_PROBLEMS} more)` : '';
      throw new Problem(400, `the ${year} schedule was not saved: ${problems.slice(0, MAX_PROBLEMS).join('; ')}${more}`);
    }
    const after = { holidays: [...input.holidays].sort(), workdays: [...input.workdays].sort(), source: input.source?.trim() || null };
    const changed = await withTransaction(this.pool, async (db) => {
      const stored = await lockHolidayYear(db, year);
      const before = stored && { holidays: stored.holidays, workdays: stored.workdays, source: stored.source };
      if (JSON.stringify(before) === JSON.stringify(after)) return false; // saved twice: nothing to store or audit
      await putHolidayYear(db, { year, ...after, userId: actor.id });
      await appendAudit(db, { userId: actor.id, action: 'calendar.year_set', target: `holiday_years/${year}`, before, after });
      return true;
    });
    if (changed) {
      await this.reloadQuietly();
      await this.relay?.send(channels.calendar, { year });
    }
    return (await holidayYears(this.pool)).find((y) => y.year === year)!;
  }
}

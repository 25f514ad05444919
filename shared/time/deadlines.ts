/**
 * Deadline arithmetic for case time limits (see shared/categories/time-types.ts).
 * Pure functions over `Date` instants. Asia/Shanghai has been UTC+8 all year since 1991 (no DST),
 * so a fixed offset is exact and no timezone library is needed.
 */
import type { TimeType } from '../categories/time-types.ts';
import { CN_CALENDAR, type HolidayCalendar } from './holidays-cn.ts';

export type { HolidayCalendar } from './holidays-cn.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SHANGHAI_OFFSET = 8 * HOUR;
/** Working periods in Shanghai local hours: 08:00–12:00 and 14:00–18:00. */
const PERIODS: readonly (readonly [number, number])[] = [
  [8, 12],
  [14, 18],
];
const END_OF_WORKING_DAY = 18;
/** A calendar with a year of consecutive days off is broken data; stop rather than loop forever. */
const MAX_DAYS_WITHOUT_WORK = 366;

/** The Shanghai calendar day (YYYY-MM-DD) of an instant. */
export function shanghaiDay(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET).toISOString().slice(0, 10);
}

/** An instant as Beijing wall-clock text, "2025-03-01 08:00:00" (UTC+8, no DST): what a reader of an export or report expects. */
export function shanghaiDateTime(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET).toISOString().slice(0, 19).replace('T', ' ');
}

/** The instant of `hour` o'clock (Shanghai) on `day`. */
function atShanghaiHour(day: string, hour: number): number {
  return Date.parse(`${day}T00:00:00Z`) - SHANGHAI_OFFSET + hour * HOUR;
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
}

/** Working day = Mon–Fri, minus the calendar's holidays, plus its make-up working days (调休). */
export function isWorkingDay(day: string, cal: HolidayCalendar = CN_CALENDAR): boolean {
  // Reject malformed or impossible days ("2025-02-30") instead of silently answering for another day.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) {
    throw new RangeError(`day must be a valid YYYY-MM-DD date, got "${day}"`);
  }
  if (cal.workdays.includes(day)) return true;
  if (cal.holidays.includes(day)) return false;
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/**
 * The instant a time limit runs out when the clock starts at `start`.
 *
 * - emergency_hours (紧急工作时): start + limit hours, continuous — nights, weekends and holidays count.
 * - working_hours (工作时): consume `limit` hours of working time (08:00–12:00, 14:00–18:00 on working days).
 *   A start outside working time starts the clock at the next working period. A deadline that lands exactly at
 *   the end of a period stays there (4 h from 08:00 Mon → 12:00 Mon, not 14:00): the case is due as soon as the
 *   time is used up, not when the next period opens.
 * - working_days (工作日): the end (18:00) of the Nth working day AFTER the start day. The start day never counts,
 *   whatever the hour — as in Civil Code art. 201 (开始的当日不计入) — so the case always gets N full working days:
 *   Mon 10:00 + 1 → Tue 18:00; Sat (or a holiday) + 1 → the next working day, 18:00. N must be a whole number.
 * - natural_days (自然日): start + N × 24 h (no DST in Shanghai, so this is also "same clock time N days later").
 *
 * Throws RangeError if `limit` is not a finite number > 0, or `start` is an invalid Date.
 */
export function computeDeadline(start: Date, limit: number, type: TimeType, cal: HolidayCalendar = CN_CALENDAR): Date {
  if (!Number.isFinite(limit) || limit <= 0) {
    throw new RangeError(`time limit must be a finite number greater than 0, got ${limit}`);
  }
  const t0 = start.getTime();
  if (Number.isNaN(t0)) throw new RangeError('start must be a valid Date');

  switch (type) {
    case 'emergency_hours':
      return new Date(t0 + Math.round(limit * HOUR));
    case 'natural_days':
      return new Date(t0 + Math.round(limit * DAY));
    case 'working_hours':
      return addWorkingTime(t0, Math.round(limit * HOUR), cal);
    case 'working_days': {
      // "Half a working day" has no agreed meaning; refuse it rather than guess.
      if (!Number.isInteger(limit)) throw new RangeError(`working_days limit must be a whole number, got ${limit}`);
      let day = shanghaiDay(start);
      let counted = 0;
      let idle = 0;
      while (counted < limit) {
        day = nextDay(day);
        if (isWorkingDay(day, cal)) {
          counted++;
          idle = 0;
        } else if (++idle > MAX_DAYS_WITHOUT_WORK) {
          throw new Error(`calendar "${cal.name}" has no working day for over a year after ${day}`);
        }
      }
      return new Date(atShanghaiHour(day, END_OF_WORKING_DAY));
    }
  }
}

/** Walk the working periods from instant `t`, spending `remaining` ms of working time. */
function addWorkingTime(t: number, remaining: number, cal: HolidayCalendar): Date {
  let day = shanghaiDay(new Date(t));
  for (let idle = 0; idle <= MAX_DAYS_WITHOUT_WORK; day = nextDay(day)) {
    if (!isWorkingDay(day, cal)) {
      idle++;
      continue;
    }
    idle = 0;
    for (const [from, to] of PERIODS) {
      const begin = Math.max(t, atShanghaiHour(day, from));
      const end = atShanghaiHour(day, to);
      if (begin >= end) continue; // period already over at the start instant
      // `<=` keeps a deadline that lands exactly at the end of a period in that period.
      if (remaining <= end - begin) return new Date(begin + remaining);
      remaining -= end - begin;
    }
  }
  throw new Error(`calendar "${cal.name}" has no working day for over a year after ${day}`);
}

/** Working time (ms) between two instants — the inverse of working_hours deadlines; 0 if b <= a. */
export function workingMillisBetween(a: Date, b: Date, cal: HolidayCalendar = CN_CALENDAR): number {
  const ta = a.getTime();
  const tb = b.getTime();
  if (!(tb > ta)) return 0; // also covers invalid dates (NaN)
  let total = 0;
  const lastDay = shanghaiDay(b);
  for (let day = shanghaiDay(a); day <= lastDay; day = nextDay(day)) {
    if (!isWorkingDay(day, cal)) continue;
    for (const [from, to] of PERIODS) {
      const overlap = Math.min(tb, atShanghaiHour(day, to)) - Math.max(ta, atShanghaiHour(day, from));
      if (overlap > 0) total += overlap;
    }
  }
  return total;
}

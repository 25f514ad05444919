/**
 * Holiday calendars are DATA: the State Council publishes each year's schedule (国务院办公厅关于
 * 部分节假日安排的通知) only a few weeks before the year starts, so deployments must be able to verify,
 * extend or replace it without touching the deadline code (shared/time/deadlines.ts).
 */
export interface HolidayCalendar {
  /** Human-readable name, for logs and admin screens. */
  name: string;
  /** Days off that would otherwise be working days, plus the weekend days inside a holiday run (YYYY-MM-DD, Shanghai). */
  holidays: readonly string[];
  /** Make-up working days (调休上班): weekend days that are working days (YYYY-MM-DD, Shanghai). */
  workdays: readonly string[];
}

/** Inclusive run of consecutive days, so the data reads like the official notice ("1月28日至2月4日"). */
function run(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * Mainland China, 2025 and 2026: the default for pure uses and unit tests. The server counts on the years an
 * administrator keeps in the database (holiday_years, server/holidays), which migration 017 seeded with these days.
 * Outside these years only Monday–Friday counts as working, with no holidays: the data must be extended each
 * year. The 2026 entries are transcribed from memory of the State Council notice for 2026 — deployments MUST
 * verify them against the published notice (or replace this calendar) before relying on them.
 */
export const CN_CALENDAR: HolidayCalendar = {
  name: 'Mainland China (State Council schedule) 2025–2026',
  holidays: [
    // 2025
    '2025-01-01', // 元旦
    ...run('2025-01-28', '2025-02-04'), // 春节
    ...run('2025-04-04', '2025-04-06'), // 清明节
    ...run('2025-05-01', '2025-05-05'), // 劳动节
    ...run('2025-05-31', '2025-06-02'), // 端午节
    ...run('2025-10-01', '2025-10-08'), // 国庆节、中秋节
    // 2026 — verify against the official notice
    ...run('2026-01-01', '2026-01-03'), // 元旦
    ...run('2026-02-15', '2026-02-23'), // 春节
    ...run('2026-04-04', '2026-04-06'), // 清明节
    ...run('2026-05-01', '2026-05-05'), // 劳动节
    ...run('2026-06-19', '2026-06-21'), // 端午节
    ...run('2026-09-25', '2026-09-27'), // 中秋节
    ...run('2026-10-01', '2026-10-07'), // 国庆节
  ],
  workdays: [
    // 2025
    '2025-01-26',
    '2025-02-08', // 春节
    '2025-04-27', // 劳动节
    '2025-09-28',
    '2025-10-11', // 国庆节、中秋节
    // 2026 — verify against the official notice
    '2026-01-04', // 元旦
    '2026-02-14',
    '2026-02-28', // 春节
    '2026-05-09', // 劳动节
    '2026-09-20',
    '2026-10-10', // 国庆节
  ],
};

import { describe, expect, it } from 'vitest';
import { computeDeadline, isWorkingDay, shanghaiDay, workingMillisBetween } from '#shared/time/deadlines.ts';
import { CN_CALENDAR, type HolidayCalendar } from '#shared/time/holidays-cn.ts';
import { TIME_TYPES, type TimeType } from '#shared/categories/time-types.ts';

const HOUR = 3_600_000;
const d = (iso: string) => new Date(iso);
/** Asserts the deadline as an exact instant; both sides are written with +08:00 offsets. */
function expectDeadline(start: string, limit: number, type: TimeType, expected: string, cal?: HolidayCalendar) {
  expect(computeDeadline(d(start), limit, type, cal).toISOString()).toBe(d(expected).toISOString());
}

// Reference week: Mon 2025-03-10 … Sun 2025-03-16, no holidays.
describe('shanghaiDay', () => {
  it('uses the Shanghai calendar day, not the UTC one', () => {
    expect(shanghaiDay(d('2025-03-10T23:59:59+08:00'))).toBe('2025-03-10');
    expect(shanghaiDay(d('2025-03-11T00:00:00+08:00'))).toBe('2025-03-11');
    expect(shanghaiDay(d('2025-03-10T16:30:00Z'))).toBe('2025-03-11');
  });
});

describe('isWorkingDay', () => {
  it('counts Monday–Friday and not weekends', () => {
    expect(isWorkingDay('2025-03-10')).toBe(true);
    expect(isWorkingDay('2025-03-14')).toBe(true);
    expect(isWorkingDay('2025-03-15')).toBe(false);
    expect(isWorkingDay('2025-03-16')).toBe(false);
  });

  it('applies public holidays and make-up working days from the calendar', () => {
    expect(isWorkingDay('2025-10-01')).toBe(false); // 国庆, Wednesday
    expect(isWorkingDay('2025-10-08')).toBe(false); // last day of 国庆+中秋, Wednesday
    expect(isWorkingDay('2025-10-09')).toBe(true);
    expect(isWorkingDay('2025-09-28')).toBe(true); // Sunday, make-up working day
    expect(isWorkingDay('2025-10-11')).toBe(true); // Saturday, make-up working day
    expect(isWorkingDay('2026-02-16')).toBe(false); // 春节 2026, Monday
  });

  it('takes another calendar as a parameter', () => {
    const plain: HolidayCalendar = { name: 'plain', holidays: [], workdays: [] };
    expect(isWorkingDay('2025-10-01', plain)).toBe(true);
    expect(isWorkingDay('2025-09-28', plain)).toBe(false);
  });

  it.each(['2025-3-10', '2025-02-30', 'tomorrow', ''])('refuses the malformed day %j', (day) => {
    expect(() => isWorkingDay(day)).toThrow(RangeError);
  });
});

describe('CN_CALENDAR data', () => {
  it('holds valid, disjoint days; every make-up working day is a weekend day', () => {
    for (const day of [...CN_CALENDAR.holidays, ...CN_CALENDAR.workdays]) {
      expect(new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10)).toBe(day);
    }
    for (const day of CN_CALENDAR.workdays) {
      expect(CN_CALENDAR.holidays).not.toContain(day);
      expect([0, 6]).toContain(new Date(`${day}T00:00:00Z`).getUTCDay());
    }
    expect(new Set(CN_CALENDAR.holidays).size).toBe(CN_CALENDAR.holidays.length);
  });

  it('has the 28 days off of 2025', () => {
    expect(CN_CALENDAR.holidays.filter((day) => day.startsWith('2025-'))).toHaveLength(28);
  });
});

describe('computeDeadline: working_hours', () => {
  it('skips the lunch break', () => {
    expectDeadline('2025-03-10T10:30:00+08:00', 4, 'working_hours', '2025-03-10T16:30:00+08:00');
  });

  it('continues overnight into the next morning', () => {
    expectDeadline('2025-03-10T17:00:00+08:00', 3, 'working_hours', '2025-03-11T10:00:00+08:00');
  });

  it('skips the weekend', () => {
    expectDeadline('2025-03-14T17:00:00+08:00', 2, 'working_hours', '2025-03-17T09:00:00+08:00');
  });

  it('keeps a deadline that lands exactly at the end of a period', () => {
    expectDeadline('2025-03-10T08:00:00+08:00', 4, 'working_hours', '2025-03-10T12:00:00+08:00');
    expectDeadline('2025-03-10T08:00:00+08:00', 8, 'working_hours', '2025-03-10T18:00:00+08:00');
  });

  it('starts the clock at the next working period when started outside working time', () => {
    expectDeadline('2025-03-10T06:00:00+08:00', 1, 'working_hours', '2025-03-10T09:00:00+08:00'); // before 08:00
    expectDeadline('2025-03-10T12:30:00+08:00', 1, 'working_hours', '2025-03-10T15:00:00+08:00'); // lunch
    expectDeadline('2025-03-10T12:00:00+08:00', 1, 'working_hours', '2025-03-10T15:00:00+08:00'); // lunch begins
    expectDeadline('2025-03-10T19:00:00+08:00', 1, 'working_hours', '2025-03-11T09:00:00+08:00'); // evening
    expectDeadline('2025-03-15T10:00:00+08:00', 1, 'working_hours', '2025-03-17T09:00:00+08:00'); // Saturday
  });

  it('handles fractional hours', () => {
    expectDeadline('2025-03-10T10:00:00+08:00', 0.5, 'working_hours', '2025-03-10T10:30:00+08:00');
    expectDeadline('2025-03-10T11:45:00+08:00', 0.5, 'working_hours', '2025-03-10T14:15:00+08:00');
    expectDeadline('2025-03-10T17:30:00+08:00', 1.25, 'working_hours', '2025-03-11T08:45:00+08:00');
  });

  it('skips a public holiday (2025 National Day)', () => {
    expectDeadline('2025-09-30T17:00:00+08:00', 2, 'working_hours', '2025-10-09T09:00:00+08:00');
  });

  it('counts make-up working weekend days', () => {
    // Fri 17:00 → Sun 2025-09-28 (make-up) rather than Mon.
    expectDeadline('2025-09-26T17:00:00+08:00', 2, 'working_hours', '2025-09-28T09:00:00+08:00');
    // Fri 2025-10-10 17:00 → Sat 2025-10-11 (make-up).
    expectDeadline('2025-10-10T17:00:00+08:00', 2, 'working_hours', '2025-10-11T09:00:00+08:00');
  });

  it('uses the calendar it is given', () => {
    const plain: HolidayCalendar = { name: 'plain', holidays: [], workdays: [] };
    expectDeadline('2025-09-30T17:00:00+08:00', 2, 'working_hours', '2025-10-01T09:00:00+08:00', plain);
  });
});

describe('computeDeadline: working_days', () => {
  it('ends at 18:00 of the Nth working day after the start day', () => {
    expectDeadline('2025-03-10T10:00:00+08:00', 1, 'working_days', '2025-03-11T18:00:00+08:00');
    expectDeadline('2025-03-10T07:00:00+08:00', 1, 'working_days', '2025-03-11T18:00:00+08:00'); // start day never counts
    expectDeadline('2025-03-10T10:00:00+08:00', 3, 'working_days', '2025-03-13T18:00:00+08:00');
  });

  it('skips a weekend, and a weekend start begins counting on Monday', () => {
    expectDeadline('2025-03-14T10:00:00+08:00', 2, 'working_days', '2025-03-18T18:00:00+08:00');
    expectDeadline('2025-03-15T10:00:00+08:00', 1, 'working_days', '2025-03-17T18:00:00+08:00');
  });

  it('skips 春节 and counts its make-up working days', () => {
    // Mon 2025-01-27 → holiday 1/28–2/4 → Wed 2/5.
    expectDeadline('2025-01-27T10:00:00+08:00', 1, 'working_days', '2025-02-05T18:00:00+08:00');
    // 2/5, 2/6, 2/7, Sat 2/8 (make-up), Mon 2/10.
    expectDeadline('2025-01-27T10:00:00+08:00', 5, 'working_days', '2025-02-10T18:00:00+08:00');
    // Started on the make-up Sunday 2025-01-26: the next day is the first.
    expectDeadline('2025-01-26T10:00:00+08:00', 1, 'working_days', '2025-01-27T18:00:00+08:00');
  });

  it('refuses fractional working days', () => {
    expect(() => computeDeadline(d('2025-03-10T10:00:00+08:00'), 1.5, 'working_days')).toThrow(/whole number/);
  });
});

describe('computeDeadline: natural_days', () => {
  it('adds N × 24 h, holidays and weekends included', () => {
    expectDeadline('2025-09-30T17:00:00+08:00', 3, 'natural_days', '2025-10-03T17:00:00+08:00');
    expectDeadline('2025-02-27T09:15:00+08:00', 2, 'natural_days', '2025-03-01T09:15:00+08:00');
  });
});

describe('computeDeadline: emergency_hours', () => {
  it('runs continuously across midnight and a holiday', () => {
    expectDeadline('2025-09-30T22:00:00+08:00', 5, 'emergency_hours', '2025-10-01T03:00:00+08:00');
    expectDeadline('2025-10-01T23:45:00+08:00', 0.5, 'emergency_hours', '2025-10-02T00:15:00+08:00');
  });
});

describe('computeDeadline: bad limits', () => {
  const start = d('2025-03-10T10:00:00+08:00');
  for (const type of TIME_TYPES) {
    it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(`${type}: %s throws RangeError`, (limit) => {
      expect(() => computeDeadline(start, limit, type)).toThrow(RangeError);
      expect(() => computeDeadline(start, limit, type)).toThrow(/finite number greater than 0/);
    });
  }

  it('refuses an invalid start date', () => {
    expect(() => computeDeadline(new Date('nope'), 1, 'working_hours')).toThrow(RangeError);
  });
});

describe('workingMillisBetween', () => {
  it('counts only working time', () => {
    // Mon 10:00 → Tue 18:00: 6 h on Monday + 8 h on Tuesday.
    expect(workingMillisBetween(d('2025-03-10T10:00:00+08:00'), d('2025-03-11T18:00:00+08:00'))).toBe(14 * HOUR);
    // Across National Day: 17:00–18:00 on 9/30, then 08:00–09:00 on 10/9.
    expect(workingMillisBetween(d('2025-09-30T17:00:00+08:00'), d('2025-10-09T09:00:00+08:00'))).toBe(2 * HOUR);
    // Entirely inside lunch, or a weekend.
    expect(workingMillisBetween(d('2025-03-10T12:05:00+08:00'), d('2025-03-10T13:55:00+08:00'))).toBe(0);
    expect(workingMillisBetween(d('2025-03-15T00:00:00+08:00'), d('2025-03-17T08:00:00+08:00'))).toBe(0);
  });

  it('is 0 when b <= a', () => {
    const a = d('2025-03-10T10:00:00+08:00');
    expect(workingMillisBetween(a, a)).toBe(0);
    expect(workingMillisBetween(a, d('2025-03-10T09:00:00+08:00'))).toBe(0);
  });

  it('round-trips with computeDeadline(working_hours)', () => {
    const starts = [
      '2025-03-10T10:30:00+08:00',
      '2025-03-10T06:00:00+08:00',
      '2025-03-10T12:30:00+08:00',
      '2025-03-14T17:00:00+08:00',
      '2025-09-26T17:00:00+08:00',
      '2025-09-30T17:00:00+08:00',
      '2025-01-24T11:59:00+08:00',
      '2025-12-31T16:20:00+08:00',
    ];
    for (const s of starts) {
      for (const hours of [0.25, 1, 2, 3.5, 4, 8, 13.75, 40, 100]) {
        const deadline = computeDeadline(d(s), hours, 'working_hours');
        expect(workingMillisBetween(d(s), deadline), `${s} + ${hours} h`).toBe(hours * HOUR);
      }
    }
  });
});

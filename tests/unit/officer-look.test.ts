import { describe, expect, it } from 'vitest';
import { FIX_FRESH_MS, officerLook } from '#shared/position-fix.ts';
import { caseClock } from '../../client/src/common/cases/labels.ts';

const now = Date.parse('2026-03-01T08:00:00.000Z');
const ago = (ms: number) => new Date(now - ms).toISOString();

describe('how an officer is drawn (officerLook)', () => {
  it('tells a fresh fix, an old fix and off duty apart', () => {
    expect(officerLook('available', ago(30_000), now)).toBe('fresh');
    expect(officerLook('busy', ago(FIX_FRESH_MS), now)).toBe('fresh');
    expect(officerLook('available', ago(10 * 60_000), now)).toBe('stale');
    expect(officerLook('busy', null, now)).toBe('stale');
    expect(officerLook('off_duty', ago(30_000), now)).toBe('off');
    expect(officerLook('off_duty', ago(10 * 60_000), now)).toBe('off');
  });
});

describe("a case's clock (caseClock)", () => {
  const base = { deadline: '2026-03-01T09:00:00.000Z', overdue: false, reportedAt: '2026-03-01T06:00:00.000Z', closedAt: null };

  it('counts down while the case is open', () => {
    const c = caseClock({ ...base, state: 'accepted' }, now)!;
    expect(c).toMatchObject({ text: '1:00:00', final: false, overdue: false });
    expect(caseClock({ ...base, state: 'accepted' }, now + 1000)!.text).toBe('59:59');
  });

  it('stops for a closed case: the time it took, and how late if it was', () => {
    const closed = { ...base, state: 'closed' as const, closedAt: '2026-03-01T07:30:00.000Z' };
    expect(caseClock(closed, now)).toEqual({ text: '已结案 · 用时 1:30:00', overdue: false, soon: false, final: true });
    expect(caseClock(closed, now + 3_600_000)).toEqual(caseClock(closed, now));
    const late = { ...closed, closedAt: '2026-03-01T09:15:00.000Z' };
    expect(caseClock(late, now)).toMatchObject({ text: '已结案 · 用时 3:15:00 · 超时 15:00', overdue: true, final: true });
  });

  it('shows no time for a voided case', () => {
    expect(caseClock({ ...base, state: 'voided' }, now)).toMatchObject({ text: '已作废', final: true });
  });
});

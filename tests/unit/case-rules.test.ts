import { describe, expect, it } from 'vitest';
import { firstSendable } from '#shared/cases/recommendation.ts';
import { mayReport, mayReportAs, sourcesForRole } from '#shared/cases/sources.ts';
import { mayTake } from '#shared/cases/state-machine.ts';
import { CASE_STATES, FIELD_STATES, FINAL_STATES, TODO_STATES } from '#shared/cases/states.ts';
import { chinaToday, isCertified } from '#shared/workforce.ts';

describe('certification (执法证)', () => {
  const at = new Date('2026-03-10T17:00:00Z'); // 01:00 on 11 March in Beijing
  it('runs to the end of its day, Beijing time', () => {
    expect(chinaToday(at)).toBe('2026-03-11');
    expect(isCertified({ kind: 'officer', certificateExpires: '2026-03-11' }, chinaToday(at))).toBe(true);
    expect(isCertified({ kind: 'officer', certificateExpires: '2026-03-10' }, chinaToday(at))).toBe(false);
  });
  it('never holds for an auxiliary (协管员)', () => {
    expect(isCertified({ kind: 'auxiliary', certificateExpires: null })).toBe(false);
  });
  it('Enter sends the first certified candidate for an enforcement case, the first one otherwise', () => {
    const list = [
      { id: 1, certified: false },
      { id: 2, certified: true },
    ];
    expect(firstSendable(list, true)?.id).toBe(2);
    expect(firstSendable(list, false)?.id).toBe(1);
    expect(firstSendable([{ id: 1, certified: false }], true)).toBeNull();
  });
});

describe('who reports, under which source, and who registers', () => {
  it('gives each role its sources, phoned-in complaints first for the command centre', () => {
    expect(sourcesForRole('dispatcher')[0]).toBe('public');
    expect(mayReportAs('officer', 'patrol')).toBe(true);
    expect(mayReportAs('officer', 'public')).toBe(false);
    expect(mayReportAs('supervisor', 'dispatcher')).toBe(false);
    expect(mayReport('leader')).toBe(false);
  });
  it('lets those who may take the register step register at intake', () => {
    expect(['admin', 'dispatcher', 'supervisor', 'leader', 'officer'].filter((r) => mayTake(r as never, 'register'))).toEqual([
      'admin',
      'dispatcher',
      'supervisor',
    ]);
  });
});

describe('state groups', () => {
  it('do not overlap, and every group is made of states', () => {
    const groups = [FINAL_STATES, FIELD_STATES, TODO_STATES];
    const all = groups.flat();
    expect(new Set(all).size).toBe(all.length);
    for (const s of all) expect(CASE_STATES).toContain(s);
  });
});

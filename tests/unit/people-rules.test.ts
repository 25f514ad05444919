import { describe, expect, it } from 'vitest';
import { fixClockProblem, MAX_FIX_CLOCK_SKEW_MS } from '#shared/position-fix.ts';
import { officerLinkProblem, ROLES } from '#shared/roles.ts';

describe('officerLinkProblem: an officer user names its officer record, no one else does', () => {
  it('wants an officerId for role officer, and only for it', () => {
    expect(officerLinkProblem('officer', 7)).toBeNull();
    expect(officerLinkProblem('officer', null)).toMatch(/officerId is required for role officer/);
    for (const role of ROLES.filter((r) => r !== 'officer')) {
      expect(officerLinkProblem(role, null)).toBeNull();
      expect(officerLinkProblem(role, 7)).toMatch(/only for it/);
    }
  });
});

describe('fixClockProblem: a fix stamped too far from the server clock', () => {
  const now = new Date('2025-03-01T08:00:00Z');
  const at = (ms: number) => new Date(now.getTime() + ms);

  it('keeps a fix up to 10 minutes either side', () => {
    expect(fixClockProblem(now, now)).toBeNull();
    expect(fixClockProblem(at(MAX_FIX_CLOCK_SKEW_MS), now)).toBeNull();
    expect(fixClockProblem(at(-MAX_FIX_CLOCK_SKEW_MS), now)).toBeNull();
  });

  it('refuses one further off, ahead or behind, and says to check the phone', () => {
    expect(fixClockProblem(at(MAX_FIX_CLOCK_SKEW_MS + 1), now)).toMatch(/more than 10 minutes from the server clock; check the phone's time/);
    expect(fixClockProblem(at(-MAX_FIX_CLOCK_SKEW_MS - 1), now)).toMatch(/more than 10 minutes/);
  });
});

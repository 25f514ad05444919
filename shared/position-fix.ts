// Rules about a phone's position fix (AVL) that the server applies and a phone may check first.

/** A fix stamped further than this from the server's clock is refused: the phone's clock is wrong. */
export const MAX_FIX_CLOCK_SKEW_MS = 10 * 60_000;

/** Why a fix taken at `recordedAt` cannot be kept, judged by the server clock `now`; null when it can. */
export function fixClockProblem(recordedAt: Date, now: Date = new Date()): string | null {
  return Math.abs(recordedAt.getTime() - now.getTime()) > MAX_FIX_CLOCK_SKEW_MS
    ? `recordedAt is more than ${MAX_FIX_CLOCK_SKEW_MS / 60_000} minutes from the server clock; check the phone's time`
    : null;
}

// How old an officer's last fix may be. One set of thresholds for the map, the squad board and the
// recommendation, so the console never shows someone as placed whom the recommendation ignores.

/** A fix younger than this says where the officer is now (phones report every 30 s on a case, less when idle). */
export const FIX_FRESH_MS = 5 * 60_000;
/** An on-duty officer whose fix is older than this is not recommended: nobody knows where they are (AVL practice: 30 min). */
export const FIX_USABLE_MINUTES = 30;

/**
 * How the console draws an officer: on duty with a fresh fix (where the dot is), on duty with an old
 * fix or none (on duty, but the dot may be wrong), or off duty (离岗). Three looks, never two alike.
 */
export type OfficerLook = 'fresh' | 'stale' | 'off';

/** `positionAt` ISO time (or ms) of the last fix, null if none; `now` in ms. */
export function officerLook(dutyStatus: string, positionAt: string | number | null | undefined, now: number = Date.now()): OfficerLook {
  if (dutyStatus === 'off_duty') return 'off';
  if (positionAt === null || positionAt === undefined) return 'stale';
  const at = typeof positionAt === 'number' ? positionAt : Date.parse(positionAt);
  return Number.isFinite(at) && now - at <= FIX_FRESH_MS ? 'fresh' : 'stale';
}

// Rules about a phone's position fix (AVL) that the server applies and a phone may check first.

/** A fix stamped further than this from the server's clock is refused: the phone's clock is wrong. */
export const MAX_FIX_CLOCK_SKEW_MS = 10 * 60_000;

/** Why a fix taken at `recordedAt` cannot be kept, judged by the server clock `now`; null when it can. */
export function fixClockProblem(recordedAt: Date, now: Date = new Date()): string | null {
  return Math.abs(recordedAt.getTime() - now.getTime()) > MAX_FIX_CLOCK_SKEW_MS
    ? `recordedAt is more than ${MAX_FIX_CLOCK_SKEW_MS / 60_000} minutes from the server clock; check the phone's time`
    : null;
}

import type { CountKey } from '#shared/indicators/definitions.ts';
import { DISPATCH_LIMIT_MINUTES } from '#shared/indicators/definitions.ts';

/**
 * What one case contributes to the indicators, written once in SQL and used three ways: the day
 * sums the rollup keeps (indicator_daily), the days the rollup cannot answer (a period's partial
 * first and last day, days changed since the last rollup) and the correction for a period measured
 * as of a past moment. shared/indicators/definitions.ts says what each count means.
 *
 * A source row is a case_facts row plus `asof` (the moment it is measured at: 'infinity' for the
 * sums the rollup keeps), `rng` (a tstzmultirange: a count is taken where its instant lies in it)
 * and `sign` (+1, or -1 to take a contribution back out).
 *
 * Each count has one instant per case: registration for what a period registered, the earlier of
 * the deadline and the close for "due to close", of the deadline and the first handling for "due to
 * handle". So sums over disjoint ranges add up, and a day's sum never changes unless a case with an
 * instant in that day changes (case_facts_dirty marks it).
 */

/** Columns of indicator_daily, in order: the counts (by COUNT_KEYS) then the seconds behind the averages. */
export const COUNT_COLUMNS: Record<CountKey, string> = {
  registered: 'registered',
  registeredClosed: 'registered_closed',
  dueToClose: 'due_to_close',
  closedOnTime: 'closed_on_time',
  reworked: 'reworked',
  dueToHandle: 'due_to_handle',
  handled: 'handled',
  handledOnTime: 'handled_on_time',
  overdueOpen: 'overdue_open',
  dueToDispatch: 'due_to_dispatch',
  dispatched: 'dispatched',
  dispatchedOnTime: 'dispatched_on_time',
  dispatchedReworked: 'dispatched_reworked',
  arrived: 'arrived',
  registeredHandled: 'registered_handled',
};
export const SECONDS_COLUMNS = ['dispatch_seconds', 'arrive_seconds', 'handle_seconds'] as const;
export const SUM_COLUMNS = [...Object.values(COUNT_COLUMNS), ...SECONDS_COLUMNS];

const LIMIT = `interval '${DISPATCH_LIMIT_MINUTES} minutes'`;

const COUNT_FILTERS: Record<CountKey, string> = {
  registered: 'reg_in',
  registeredClosed: 'reg_in AND closed IS NOT NULL',
  dueToClose: 'close_due',
  closedOnTime: 'close_due AND closed <= deadline',
  reworked: 'close_due AND reworked',
  dueToHandle: 'handle_due',
  handled: 'handle_due AND handled IS NOT NULL',
  handledOnTime: 'handle_due AND handled <= deadline',
  overdueOpen: 'handle_due AND handled IS NULL',
  dueToDispatch: `reg_in AND (dispatched IS NOT NULL OR registered + ${LIMIT} <= asof)`,
  dispatched: 'reg_in AND dispatched IS NOT NULL',
  dispatchedOnTime: `reg_in AND dispatched <= registered + ${LIMIT}`,
  dispatchedReworked: 'reg_in AND dispatched IS NOT NULL AND reworked',
  arrived: 'reg_in AND dispatched IS NOT NULL AND arrived IS NOT NULL',
  registeredHandled: 'reg_in AND handled IS NOT NULL',
};

const SUMS = [
  ...(Object.keys(COUNT_COLUMNS) as CountKey[]).map((k) => `coalesce(sum(sign) FILTER (WHERE ${COUNT_FILTERS[k]}), 0) AS ${COUNT_COLUMNS[k]}`),
  `coalesce(sum(sign * extract(epoch FROM dispatched - registered)) FILTER (WHERE reg_in AND dispatched IS NOT NULL), 0) AS dispatch_seconds`,
  `coalesce(sum(sign * extract(epoch FROM arrived - dispatched)) FILTER (WHERE reg_in AND dispatched IS NOT NULL AND arrived IS NOT NULL), 0) AS arrive_seconds`,
  `coalesce(sum(sign * extract(epoch FROM handled - registered)) FILTER (WHERE reg_in AND handled IS NOT NULL), 0) AS handle_seconds`,
].join(',\n  ');

/**
 * Sums of the contributions of the rows of `source` (SQL yielding case_facts columns plus asof,
 * rng, sign and the `keys`), grouped by `keys`. The case's squad is the first dispatch's when that
 * happened before asof. A case not registered by asof, or voided before it, contributes nothing.
 */
export function contributionSums(source: string, keys: readonly string[]): string {
  const k = keys.join(', ');
  return `
    SELECT ${k}, ${SUMS}
    FROM (
      SELECT v.*, registered <@ rng AS reg_in, least(deadline, closed) <@ rng AS close_due, least(deadline, handled) <@ rng AS handle_due
      FROM (
        SELECT ${keys.map((c) => `s.${c}`).join(', ')}${keys.length ? ', ' : ''}s.sign, s.rng, s.asof, s.registered_at AS registered, s.deadline,
               CASE WHEN s.dispatched_at < s.asof THEN s.dispatched_at END AS dispatched,
               CASE WHEN s.arrived_at < s.asof THEN s.arrived_at END AS arrived,
               CASE WHEN s.handled_at < s.asof THEN s.handled_at END AS handled,
               coalesce(s.reworked_at < s.asof, false) AS reworked,
               CASE WHEN s.closed_at < s.asof THEN s.closed_at END AS closed
        FROM (${source}) s
        WHERE s.registered_at < s.asof AND (s.voided_at IS NULL OR s.voided_at >= s.asof)
      ) v
    ) c
    GROUP BY ${k}`;
}

/** The squad a case counts under as of `asof` (0: none yet), for grouping. */
export const SQUAD_AS_OF = `coalesce(CASE WHEN f.first_dispatch_at < asof THEN f.squad_id END, 0)`;

/**
 * The case_facts rows (as f) with a count instant in one of the ranges of `ranges` (SQL yielding
 * column r, a tstzrange), each once, found through the three instant indexes.
 */
export function factsInRanges(ranges: string): string {
  const within = (expr: string) => `SELECT f.* FROM (${ranges}) x JOIN case_facts f ON ${expr} >= lower(x.r) AND ${expr} < upper(x.r)`;
  return `${within('f.registered_at')} UNION ${within('least(f.deadline, f.closed_at)')} UNION ${within('least(f.deadline, f.handled_at)')}`;
}

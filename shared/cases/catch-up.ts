// Catch-up after a client was away: page GET /api/events?after= and apply what it missed, or, when it
// missed too much, reload its state and resume from the log's head. The console's live client and
// bench/catch-up.ts both run `catchUp` below, so the bench measures the decision the console makes.
import type { EventsPage, LiveEvent } from './contract.ts';

/** What a catch-up asks for per request: the route's largest page, so a walk is a few requests. */
export const CATCH_UP_PAGE = 5000;

/**
 * Above this many missed events (in the client's scope, estimated from the first page) a client
 * reloads its state instead of replaying them. Replaying costs the console a refetch of every case an
 * event touched (one request each); a reload costs the open-case list (one request per 1,000 open
 * cases) whatever the gap. bench/catch-up.ts on PostgreSQL, 5,000 open cases, 2 shared cores: 330
 * missed events replayed in 0.7 s (151 requests) against a 1.1 s reload (8); 550 in 2.2 s (251)
 * against 1.9 s (8); ten minutes at 50 cases/s (66,000 events) in 111 s (30,156) against 2.8 s (32).
 * The break-even is near 500; below it a replay also keeps the alerts of what was missed.
 */
export const CATCH_UP_REPLAY_MAX = 500;

/**
 * How many events the client missed, from the first page of its walk: the page itself when it is the
 * last, else the page's count extended over the rest of the log up to `head` at the page's density
 * (the log is city-wide; a district's or an officer's share of it is what the page shows).
 */
export function estimateMissed(after: number, page: EventsPage): number {
  const n = page.events.length;
  if (!page.more) return n;
  const last = page.events.at(-1)?.seq ?? after;
  const spanned = last - after;
  if (n === 0 || spanned <= 0) return Math.max(n, page.head - after);
  return Math.round(n + (n / spanned) * Math.max(0, page.head - last));
}

/** Whether a client that has everything up to `after` should reload rather than replay. */
export function shouldReload(after: number, page: EventsPage, replayMax = CATCH_UP_REPLAY_MAX): boolean {
  return estimateMissed(after, page) > replayMax;
}

export type CatchUpOutcome =
  /** every missed event was applied; `lastSeq` the newest of them (or `after`) */
  | { kind: 'replayed'; requests: number; applied: number; lastSeq: number }
  /** too far behind: reload the state, then resume after `head` (read before the reload starts) */
  | { kind: 'reload'; requests: number; head: number; estimated: number };

export interface CatchUpOptions {
  after: number;
  /** GET /api/events?after=&limit= */
  fetchPage: (after: number, limit: number) => Promise<EventsPage>;
  /** apply one page of events, oldest first */
  apply: (events: LiveEvent[]) => void | Promise<void>;
  /** false once the caller gave up on this walk (the connection dropped again): stop quietly */
  alive?: () => boolean;
  /** the decision's threshold; bench/catch-up.ts sets it to force one strategy */
  replayMax?: number;
  page?: number;
}

/** Walk the log from `after`: replay the missed events page by page, or answer that a reload is due. */
export async function catchUp(o: CatchUpOptions): Promise<CatchUpOutcome> {
  const limit = o.page ?? CATCH_UP_PAGE;
  const alive = o.alive ?? (() => true);
  let cursor = o.after;
  let requests = 0;
  let applied = 0;
  for (;;) {
    const page = await o.fetchPage(cursor, limit);
    requests += 1;
    if (!alive()) return { kind: 'replayed', requests, applied, lastSeq: cursor };
    if (requests === 1 && shouldReload(o.after, page, o.replayMax)) {
      return { kind: 'reload', requests, head: page.head, estimated: estimateMissed(o.after, page) };
    }
    await o.apply(page.events);
    applied += page.events.length;
    for (const e of page.events) cursor = Math.max(cursor, e.seq);
    if (!page.more || page.events.length === 0 || !alive()) return { kind: 'replayed', requests, applied, lastSeq: cursor };
  }
}

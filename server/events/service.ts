import type pg from 'pg';
import type { EventsPage } from '#shared/cases/contract.ts';
import type { Viewer } from '../cases/repository.ts';
import { eventsAfter, latestSeq } from './repository.ts';

/** The catch-up feed: what a client that was away missed, in the viewer's scope (eventsAfter says who sees what). */
export class EventService {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Events after `after` that `viewer` may see, at most `limit` (0: none, only `more` and `head`);
   * `more` when the log has further ones for them; `head` the log's newest seq, read after the page so
   * it is at or above every seq in it (shared/cases/catch-up.ts decides from it whether to reload).
   */
  async after(viewer: Viewer, after: number, limit: number): Promise<EventsPage> {
    // one row past the page tells whether there is more, without a count
    const rows = await eventsAfter(this.pool, viewer, after, limit + 1);
    const head = await latestSeq(this.pool);
    return { events: rows.slice(0, limit), more: rows.length > limit, head: Math.max(head, rows.at(-1)?.seq ?? 0) };
  }
}

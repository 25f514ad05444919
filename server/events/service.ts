import type pg from 'pg';
import type { EventsPage } from '#shared/cases/contract.ts';
import type { Viewer } from '../cases/repository.ts';
import { eventsAfter } from './repository.ts';

/** The catch-up feed: what a client that was away missed, in the viewer's scope (eventsAfter says who sees what). */
export class EventService {
  constructor(private readonly pool: pg.Pool) {}

  /** Events after `after` that `viewer` may see, at most `limit`; `more` when the log has further ones for them. */
  async after(viewer: Viewer, after: number, limit: number): Promise<EventsPage> {
    // one row past the page tells whether there is more, without a count
    const rows = await eventsAfter(this.pool, viewer, after, limit + 1);
    return { events: rows.slice(0, limit), more: rows.length > limit };
  }
}

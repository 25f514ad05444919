import type pg from 'pg';
import { latestSeq } from '../events/repository.ts';
import type { WorkforceService } from '../workforce/service.ts';

/** What the live feed needs to know when a socket joins: whether an officer is on duty, and the log's head. */
export class LiveService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly workforce: WorkforceService,
  ) {}

  /** An officer on duty (available or busy) gets their dispatches live; off duty, nothing. */
  officerOnDuty(officerId: number): Promise<boolean> {
    return this.workforce.onDuty(officerId);
  }

  /** The newest seq in the event log: a client's catch-up (GET /api/events?after=) starts there. */
  head(): Promise<number> {
    return latestSeq(this.pool);
  }
}

import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { finishDispatches, liveDispatches } from '../dispatch/repository.ts';
import { withTransaction } from '../db/transaction.ts';
import type { EventBus } from '../events/bus.ts';
import { appendEvents, type EventRow, type NewEvent } from '../events/repository.ts';

export interface ClockOptions {
  intervalMs: number;
  /** A dispatch not accepted within this returns to the dispatcher's queue. */
  acceptTimeoutSeconds: number;
}

/**
 * Whose clock has run out. Overdue cases (超期) are marked and escalated (督办) to the district's
 * leaders; dispatches not accepted in time go back to the queue with an alert. SKIP LOCKED lets
 * several server instances run it without doing anything twice.
 */
export class ClockWatcher {
  private timer: NodeJS.Timeout | null = null;
  private readonly lagListeners: Array<(clock: 'overdue' | 'accept', seconds: number) => void> = [];
  private running: Promise<void> | null = null;

  constructor(private readonly pool: pg.Pool, private readonly bus: EventBus, private readonly opts: ClockOptions, private readonly log: FastifyBaseLogger) {}

  /** How late each clock fired: from a case's deadline (or a dispatch's acceptance limit) to its event. */
  onLag(fn: (clock: 'overdue' | 'accept', seconds: number) => void): void {
    this.lagListeners.push(fn);
  }

  private lag(clock: 'overdue' | 'accept', seconds: number): void {
    for (const fn of this.lagListeners) fn(clock, Math.max(0, seconds));
  }

  start(): void {
    this.timer = setInterval(() => {
      if (!this.running) {
        this.running = this.tick()
          .then(() => undefined, (err) => this.log.error({ err }, 'clock watcher'))
          .finally(() => (this.running = null));
      }
    }, this.opts.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  async tick(): Promise<EventRow[]> {
    const events = [...(await this.markOverdue()), ...(await this.expireDispatches())];
    this.bus.publish(events);
    return events;
  }

  private markOverdue(): Promise<EventRow[]> {
    return withTransaction(this.pool, async (db) => {
      const due = await db.query<{ id: number; code: string; district_adcode: string | null; deadline: Date; state: string; lag_s: number }>(`
        SELECT id, code, district_adcode, deadline, state, extract(epoch FROM now() - deadline)::float8 AS lag_s FROM incidents
        WHERE deadline < now() AND overdue_at IS NULL AND state NOT IN ('closed', 'voided', 'suspended', 'handled')
        ORDER BY deadline LIMIT 500 FOR UPDATE SKIP LOCKED`);
      if (due.rowCount === 0) return [];
      // A case escalated by hand before keeps that time; the leaders still hear that it is now overdue.
      await db.query(`UPDATE incidents SET overdue_at = now(), escalated_at = coalesce(escalated_at, now()) WHERE id = ANY($1::bigint[])`, [due.rows.map((r) => r.id)]);
      const news: NewEvent[] = [];
      for (const r of due.rows) {
        this.lag('overdue', r.lag_s);
        const officerIds = (await liveDispatches(db, r.id)).map((d) => d.officerId);
        const base = { incidentId: r.id, actorUserId: null, districtAdcode: r.district_adcode, officerIds };
        news.push({ ...base, type: 'incident.overdue', payload: { code: r.code, state: r.state, deadline: r.deadline.toISOString() } });
        news.push({ ...base, type: 'incident.escalated', payload: { code: r.code, to: 'leader', reason: '超期督办 overdue' } });
      }
      return appendEvents(db, news);
    });
  }

  private expireDispatches(): Promise<EventRow[]> {
    return withTransaction(this.pool, async (db) => {
      const stale = await db.query<{ incident_id: number; lag_s: number }>(`
        SELECT d.incident_id, max(extract(epoch FROM now() - d.dispatched_at)::float8 - $1) AS lag_s FROM dispatches d
        WHERE d.state = 'pending' AND d.dispatched_at < now() - make_interval(secs => $1)
        GROUP BY d.incident_id`, [this.opts.acceptTimeoutSeconds]);
      const news: NewEvent[] = [];
      for (const { incident_id, lag_s } of stale.rows) {
        const inc = (await db.query<{ id: number; code: string; state: string; district_adcode: string | null }>(
          `SELECT id, code, state, district_adcode FROM incidents WHERE id = $1 FOR UPDATE SKIP LOCKED`, [incident_id])).rows[0];
        if (!inc) continue;
        const expired = (await db.query<{ id: number; officer_id: number }>(`
          SELECT id, officer_id FROM dispatches WHERE incident_id = $1 AND state = 'pending' AND dispatched_at < now() - make_interval(secs => $2)`,
          [inc.id, this.opts.acceptTimeoutSeconds])).rows;
        if (expired.length === 0) continue;
        this.lag('accept', lag_s);
        const officers = await finishDispatches(db, expired.map((d) => d.id), 'timed_out', 'not accepted in time');
        const remaining = await liveDispatches(db, inc.id);
        const to = remaining.length ? inc.state : 'registered';
        if (to !== inc.state) await db.query(`UPDATE incidents SET state = 'registered', updated_at = now() WHERE id = $1`, [inc.id]);
        news.push({
          incidentId: inc.id, type: 'incident.dispatch_timed_out', actorUserId: null, districtAdcode: inc.district_adcode, officerIds: officers,
          payload: { code: inc.code, from: inc.state, to, officerIds: officers, alert: true, timeoutSeconds: this.opts.acceptTimeoutSeconds },
        });
      }
      return appendEvents(db, news);
    });
  }
}

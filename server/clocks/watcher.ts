import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { finishDispatches, liveDispatches } from '../dispatch/repository.ts';
import { withTransaction } from '../db/transaction.ts';
import type { EventBus } from '../events/bus.ts';
import { appendEvents, type EventRow, type NewEvent } from '../events/repository.ts';
import { setState } from '../cases/repository.ts';
import { casesWithStaleDispatches, expiredDispatches, lockCaseIfFree, lockDueCases, markOverdue } from './repository.ts';

/** Cases marked overdue per tick at most; the rest wait for the next tick. */
const OVERDUE_BATCH = 500;

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
  /** Slower sweeps run from the tick, each at most once per its interval (the inspection cycle). */
  private readonly sweeps: { name: string; everyMs: number; lastAt: number; run: () => Promise<EventRow[]> }[] = [];

  constructor(
    private readonly pool: pg.Pool,
    private readonly bus: EventBus,
    private readonly opts: ClockOptions,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** How late each clock fired: from a case's deadline (or a dispatch's acceptance limit) to its event. */
  onLag(fn: (clock: 'overdue' | 'accept', seconds: number) => void): void {
    this.lagListeners.push(fn);
  }

  private lag(clock: 'overdue' | 'accept', seconds: number): void {
    for (const fn of this.lagListeners) fn(clock, Math.max(0, seconds));
  }

  /**
   * A sweep the tick runs at most once per `everyMs`. Its first run is on the first tick after start();
   * ticks driven by hand (tests) without start() leave it until `everyMs` has passed. The sweep publishes
   * its own events.
   */
  addSweep(name: string, everyMs: number, run: () => Promise<EventRow[]>): void {
    this.sweeps.push({ name, everyMs, lastAt: Date.now(), run });
  }

  start(): void {
    for (const s of this.sweeps) s.lastAt = 0;
    this.timer = setInterval(() => {
      if (!this.running) {
        this.running = this.tick()
          .then(
            () => undefined,
            (err) => this.log.error({ err }, 'clock watcher'),
          )
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
    for (const s of this.sweeps) {
      if (Date.now() - s.lastAt < s.everyMs) continue;
      s.lastAt = Date.now();
      // one sweep's failure must not stop the case clocks of the next tick
      await s.run().catch((err: unknown) => this.log.error({ err }, `clock sweep ${s.name}`));
    }
    return events;
  }

  private markOverdue(): Promise<EventRow[]> {
    return withTransaction(this.pool, async (db) => {
      const due = await lockDueCases(db, OVERDUE_BATCH);
      if (due.length === 0) return [];
      // A case escalated by hand before keeps that time; the leaders still hear that it is now overdue.
      await markOverdue(
        db,
        due.map((r) => r.id),
      );
      const news: NewEvent[] = [];
      for (const r of due) {
        this.lag('overdue', r.lagSeconds);
        const officerIds = (await liveDispatches(db, r.id)).map((d) => d.officerId);
        const base = { incidentId: r.id, actorUserId: null, districtAdcode: r.districtAdcode, officerIds };
        news.push({ ...base, type: 'incident.overdue', payload: { code: r.code, state: r.state, deadline: r.deadline.toISOString() } });
        news.push({ ...base, type: 'incident.escalated', payload: { code: r.code, to: 'leader', reason: '超期督办 overdue' } });
      }
      return appendEvents(db, news);
    });
  }

  private expireDispatches(): Promise<EventRow[]> {
    const timeout = this.opts.acceptTimeoutSeconds;
    return withTransaction(this.pool, async (db) => {
      const stale = await casesWithStaleDispatches(db, timeout);
      const news: NewEvent[] = [];
      for (const { incidentId, lagSeconds } of stale) {
        const inc = await lockCaseIfFree(db, incidentId);
        if (!inc) continue;
        const expired = await expiredDispatches(db, inc.id, timeout);
        if (expired.length === 0) continue;
        this.lag('accept', lagSeconds);
        const officers = await finishDispatches(db, expired, 'timed_out', 'not accepted in time');
        const remaining = await liveDispatches(db, inc.id);
        // nobody left on it: back to the dispatcher's queue, by the same state change every step makes
        const to = remaining.length ? inc.state : 'registered';
        if (to !== inc.state) await setState(db, inc.id, to);
        news.push({
          incidentId: inc.id,
          type: 'incident.dispatch_timed_out',
          actorUserId: null,
          districtAdcode: inc.districtAdcode,
          officerIds: officers,
          payload: { code: inc.code, from: inc.state, to, officerIds: officers, alert: true, timeoutSeconds: timeout },
        });
      }
      return appendEvents(db, news);
    });
  }
}

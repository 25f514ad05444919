import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { isDatabaseUnavailable } from '../db/availability.ts';
import { type EventRow, eventsSince, latestSeq } from './repository.ts';

export interface EventBusOptions {
  /** how often the log is read even when nothing woke the bus (a NOTIFY lost while reconnecting) */
  pollMs?: number;
  log?: { warn(obj: object, msg: string): void };
}

const PAGE = 500;
const MAX_RETRY_MS = 5_000;

/**
 * Committed events, delivered to this process's subscribers (the live sockets, the metrics) strictly
 * in `seq` order and each exactly once. Subscribers are fed from the log, not from the writers: a
 * writer only wakes the bus after its commit (`publish`), as does every instance's NOTIFY
 * (`wake`), and the bus reads everything after the last seq it delivered. So every instance
 * delivers the same sequence, whoever wrote the events, and a database outage only delays it.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private cursor: number | null = null;
  private running = false;
  private again = false;
  private stopped = false;
  private retryMs = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private poll: NodeJS.Timeout | null = null;
  /** when this process committed a seq it has not delivered yet: commit → emit lag */
  private readonly committedAt = new Map<number, number>();
  /** the seq at which this process began delivering; nothing before it went out from here */
  startSeq = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: EventBusOptions = {},
  ) {
    this.emitter.setMaxListeners(100);
  }

  /**
   * Start delivering from the log's head (what committed before is history, not live news). With the
   * database away this resolves anyway and keeps trying; the clients' `prev` check fills from the log
   * whatever went past meanwhile.
   */
  async start(): Promise<void> {
    this.stopped = false;
    this.poll ??= setInterval(() => this.wake(), this.opts.pollMs ?? 2_000);
    this.poll.unref();
    try {
      this.cursor = await latestSeq(this.pool);
      this.startSeq = this.cursor;
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      this.opts.log?.warn({ err: (err as Error).message }, 'event bus: the database is away; starting when it answers');
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        if (!this.stopped) void this.start().catch((e: unknown) => this.opts.log?.warn({ err: e }, 'event bus: start failed'));
      }, 1_000);
      this.retryTimer.unref();
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.poll) clearInterval(this.poll);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.poll = this.retryTimer = null;
  }

  /** The seq delivered last (everything up to it has gone to the subscribers). */
  get delivered(): number {
    return this.cursor ?? 0;
  }

  /** Call only after the transaction that appended `events` has committed. */
  publish(events: readonly EventRow[]): void {
    if (events.length === 0 || this.cursor === null) return; // before start: the head read at start covers them
    const now = performance.now();
    const sorted = [...events].sort((a, b) => a.seq - b.seq);
    // The next seqs exactly: nothing can come between (appends hold the log's lock until they commit),
    // so they go out at once. Otherwise (another instance's, a burnt seq) the log says what is between.
    if (sorted.every((e, i) => e.seq === this.cursor! + 1 + i)) {
      for (const e of sorted) this.deliver(e, now);
      return;
    }
    for (const e of sorted) if (e.seq > this.cursor) this.committedAt.set(e.seq, now);
    this.wake();
  }

  /** Something may have committed (a NOTIFY, a reconnect): read the log. */
  wake(): void {
    if (this.stopped || this.cursor === null) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.pump().finally(() => (this.running = false));
  }

  subscribe(fn: (e: EventRow) => void): () => void {
    // one subscriber's fault must not keep the event from the others
    const safe = (e: EventRow) => {
      try {
        fn(e);
      } catch (err) {
        this.opts.log?.warn({ err, seq: e.seq }, 'event bus subscriber failed');
      }
    };
    this.emitter.on('event', safe);
    return () => this.emitter.off('event', safe);
  }

  /** Measured commit → delivery lag of events committed by this process, in seconds. */
  onLag(fn: (seconds: number) => void): void {
    this.emitter.on('lag', fn);
  }

  private async pump(): Promise<void> {
    try {
      do {
        this.again = false;
        for (;;) {
          const rows = await eventsSince(this.pool, this.cursor!, PAGE);
          if (this.stopped) return;
          // (what `publish` delivered meanwhile is not delivered twice)
          for (const e of rows) if (e.seq > this.cursor!) this.deliver(e);
          if (rows.length < PAGE) break;
        }
      } while (this.again && !this.stopped);
      this.retryMs = 0;
    } catch (err) {
      // the cursor has not moved: once the database answers again, delivery resumes where it stopped
      this.retryMs = Math.min(Math.max(this.retryMs * 2, 250), MAX_RETRY_MS);
      if (!isDatabaseUnavailable(err)) this.opts.log?.warn({ err }, 'event bus: reading the log failed');
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = null;
        this.wake();
      }, this.retryMs);
      this.retryTimer.unref();
    }
  }

  private deliver(e: EventRow, committed?: number): void {
    this.cursor = e.seq;
    const at = committed ?? this.committedAt.get(e.seq);
    if (at !== undefined) {
      this.committedAt.delete(e.seq);
      this.emitter.emit('lag', (performance.now() - at) / 1000);
    }
    this.emitter.emit('event', e);
  }
}

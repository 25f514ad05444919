import { EventEmitter } from 'node:events';
import type { EventRow } from './repository.ts';

/**
 * Committed events, handed from the services to the live layer in this process. Across server
 * instances socket.io's Postgres adapter carries the fan-out; the log itself covers anything missed.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  /** Call only after the transaction that appended `events` has committed. */
  publish(events: EventRow[]): void {
    for (const e of events) this.emitter.emit('event', e);
  }

  subscribe(fn: (e: EventRow) => void): () => void {
    this.emitter.on('event', fn);
    return () => this.emitter.off('event', fn);
  }
}

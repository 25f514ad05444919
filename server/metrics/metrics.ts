import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Server } from 'socket.io';
import type { ClockWatcher } from '../clocks/watcher.ts';
import type { EventBus } from '../events/bus.ts';
import { probes } from './probes.ts';
import type { PositionService } from '../workforce/positions.ts';

/**
 * What operators watch (Prometheus text format): request rate and latency by route, the database pool,
 * event append latency and commit → emit lag, live sockets by room, events published and positions
 * taken in, how late the clocks fire, and the process itself (CPU, memory, event loop lag). Each app has its own registry, so several apps in one process (tests) do not collide.
 */
export function createMetrics(deps: { pool: pg.Pool; bus: EventBus; positions: PositionService }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'zhihui_process_' });
  const requests = new Histogram({
    name: 'zhihui_http_request_duration_seconds',
    help: 'HTTP requests by route template, method and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'zhihui_db_pool_clients',
    help: 'database pool clients: total, idle, and requests waiting for one',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, deps.pool.totalCount);
      this.set({ state: 'idle' }, deps.pool.idleCount);
      this.set({ state: 'waiting' }, deps.pool.waitingCount);
    },
  });
  const events = new Counter({
    name: 'zhihui_events_published_total',
    help: 'case and duty events published to live clients, by type',
    labelNames: ['type'],
    registers: [registry],
  });
  deps.bus.subscribe((e) => events.inc({ type: e.type }));
  const append = new Histogram({
    name: 'zhihui_event_append_seconds',
    help: 'appending to the event log, including the wait for its lock (other writers)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const onAppend = (seconds: number) => append.observe(seconds);
  probes.on('event-append', onAppend);
  const lag = new Histogram({
    name: 'zhihui_event_emit_lag_seconds',
    help: 'from the commit of an event on this instance to its delivery to the live sockets',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [registry],
  });
  deps.bus.onLag((seconds) => lag.observe(seconds));
  new Gauge({
    name: 'zhihui_event_log_delivered_seq',
    help: 'the last event seq this instance delivered to its sockets',
    registers: [registry],
    collect() {
      this.set(deps.bus.delivered);
    },
  });
  const clockLag = new Histogram({
    name: 'zhihui_clock_lag_seconds',
    help: 'how late a clock fired: overdue after the deadline, acceptance time-out after its limit',
    labelNames: ['clock'],
    buckets: [1, 5, 15, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  const positions = new Counter({ name: 'zhihui_positions_published_total', help: 'officer positions sent to consoles in batches', registers: [registry] });
  deps.positions.onBatch((batch) => positions.inc(batch.length));
  let io: Server | null = null;
  new Gauge({
    name: 'zhihui_live_sockets',
    help: 'socket.io connections open on this instance',
    registers: [registry],
    collect() {
      this.set(io ? io.of('/').sockets.size : 0);
    },
  });
  new Gauge({
    name: 'zhihui_live_room_sockets',
    help: 'sockets per live room on this instance: scope:city, scope:<district>, and officers (all officer rooms together)',
    labelNames: ['room'],
    registers: [registry],
    collect() {
      this.reset();
      if (!io) return;
      let officers = 0;
      for (const [room, members] of io.of('/').adapter.rooms) {
        if (room.startsWith('scope:')) this.set({ room }, members.size);
        else if (room.startsWith('officer:')) officers += members.size;
      }
      this.set({ room: 'officers' }, officers);
    },
  });
  return {
    registry,
    attachIo(server: Server) {
      io = server;
    },
    attachClocks(clocks: ClockWatcher) {
      clocks.onLag((clock, seconds) => clockLag.observe({ clock }, seconds));
    },
    /** Times every routed request; unrouted ones (404s) count under route "unmatched". */
    hook(app: FastifyInstance) {
      app.addHook('onClose', async () => {
        probes.off('event-append', onAppend);
      });
      app.addHook('onResponse', async (req, reply) => {
        requests.observe({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
      });
    },
  };
}

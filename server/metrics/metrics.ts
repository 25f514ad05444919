import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Server } from 'socket.io';
import type { EventBus } from '../events/bus.ts';
import type { PositionService } from '../workforce/positions.ts';

/**
 * What operators watch (Prometheus text format): request rate and latency by route, the database pool,
 * live sockets, events published and positions taken in, and the process itself (CPU, memory, event
 * loop lag). Each app has its own registry, so several apps in one process (tests) do not collide.
 */
export function createMetrics(deps: { pool: pg.Pool; bus: EventBus; positions: PositionService }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'zhihui_process_' });
  const requests = new Histogram({
    name: 'zhihui_http_request_duration_seconds', help: 'HTTP requests by route template, method and status',
    labelNames: ['method', 'route', 'status'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry],
  });
  new Gauge({
    name: 'zhihui_db_pool_clients', help: 'database pool clients: total, idle, and requests waiting for one', labelNames: ['state'], registers: [registry],
    collect() {
      this.set({ state: 'total' }, deps.pool.totalCount);
      this.set({ state: 'idle' }, deps.pool.idleCount);
      this.set({ state: 'waiting' }, deps.pool.waitingCount);
    },
  });
  const events = new Counter({ name: 'zhihui_events_published_total', help: 'case and duty events published to live clients, by type', labelNames: ['type'], registers: [registry] });
  deps.bus.subscribe((e) => events.inc({ type: e.type }));
  const positions = new Counter({ name: 'zhihui_positions_published_total', help: 'officer positions sent to consoles in batches', registers: [registry] });
  deps.positions.onBatch((batch) => positions.inc(batch.length));
  let io: Server | null = null;
  new Gauge({
    name: 'zhihui_live_sockets', help: 'socket.io connections open on this instance', registers: [registry],
    collect() {
      this.set(io ? io.of('/').sockets.size : 0);
    },
  });
  return {
    registry,
    attachIo(server: Server) {
      io = server;
    },
    /** Times every routed request; unrouted ones (404s) count under route "unmatched". */
    hook(app: FastifyInstance) {
      app.addHook('onResponse', async (req, reply) => {
        requests.observe({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
      });
    },
  };
}

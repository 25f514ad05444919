import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testApp } from '../support/app.ts';
import { call, connect, login } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
let app: FastifyInstance;
let base: string;
beforeAll(async () => {
  app = await testApp(db, { config: { metricsToken: 'scrape-token-for-tests' } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe(`GET /metrics on the ${inject('databaseMode')} database`, () => {
  it('answers Prometheus text to the scrape token only, with requests by route, the pool, live sockets and the process', async () => {
    const dispatcher = await login(app, 'dispatcher');
    for (let i = 0; i < 3; i++) expect((await call(app, dispatcher, { url: '/api/incidents?limit=1' })).status).toBe(200);
    const live = await connect(base, dispatcher);
    try {
      expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
      const res = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scrape-token-for-tests' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      const count = Number(res.body.match(/zhihui_http_request_duration_seconds_count\{method="GET",route="\/api\/incidents",status="200"\} (\d+)/)?.[1]);
      expect(count).toBeGreaterThanOrEqual(3);
      expect(res.body).toMatch(/zhihui_db_pool_clients\{state="total"\} \d+/);
      expect(res.body).toMatch(/zhihui_live_sockets 1/);
      expect(res.body).toMatch(/zhihui_process_nodejs_eventloop_lag_seconds/);
      expect(res.body).toMatch(/zhihui_live_room_sockets\{room="scope:city"\} 1/);

      // a case reported: its events are appended (timed) and reach the socket from the log (commit → emit lag)
      const made = await call(app, dispatcher, {
        url: '/api/incidents',
        body: { category: '0102', source: 'public', description: '指标测试', lon: 104.0835, lat: 30.6545 },
      });
      expect(made.status).toBe(201);
      await live.waitFor((e) => e.incidentId === made.json.incident.id);
      const after = (await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scrape-token-for-tests' } })).body;
      const n = (name: string) => Number(after.match(new RegExp(`^${name} (\\d+)`, 'm'))?.[1] ?? NaN);
      expect(n('zhihui_event_append_seconds_count')).toBeGreaterThanOrEqual(1);
      expect(n('zhihui_event_emit_lag_seconds_count')).toBeGreaterThanOrEqual(1);
      expect(n('zhihui_event_log_delivered_seq')).toBeGreaterThanOrEqual(live.events.at(-1)!.seq);
      expect(after).toMatch(/zhihui_clock_lag_seconds/);
    } finally {
      live.close();
    }
  });

  it('gives every request an id, in its answer and its log lines; keeps a well-formed X-Request-Id from a balancer', async () => {
    const own = await app.inject({ method: 'GET', url: '/api/health/live' });
    expect(own.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const given = await app.inject({ method: 'GET', url: '/api/health/live', headers: { 'x-request-id': 'haproxy-7f3a:42' } });
    expect(given.headers['x-request-id']).toBe('haproxy-7f3a:42');
    const hostile = await app.inject({ method: 'GET', url: '/api/health/live', headers: { 'x-request-id': 'x'.repeat(500) } });
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is not there at all without METRICS_TOKEN', async () => {
    const plain = await testApp(db);
    try {
      expect((await plain.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    } finally {
      await plain.close();
    }
  });
});

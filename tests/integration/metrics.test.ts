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
    } finally {
      live.close();
    }
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

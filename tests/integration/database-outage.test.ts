import type { FastifyInstance } from 'fastify';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminQuery } from '../setup/database.ts';
import { testApp } from '../support/app.ts';
import { call, connect, login, type Session, sleep } from '../support/clients.ts';
import { TEST_PASSWORD } from '../support/constants.ts';
import { testDatabase } from '../support/database.ts';
import { startServerProcess } from '../support/server-process.ts';

/**
 * The database goes away under the server (a restart, a failover, an administrator ending connections)
 * and comes back. Only on a real PostgreSQL: the embedded one lives and dies with the server process.
 */
const mode = inject('databaseMode');
const url = inject('databaseUrl');
const dbName = new URL(url).pathname.slice(1);
const adminUrl = (() => {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
})();

const admin = (sql: string) => adminQuery(adminUrl, sql);

/** New connections refused and every existing one terminated, as a restart or a failover does. */
async function outage(name: string): Promise<void> {
  await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
  await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`);
}
/** A console connecting while the database is away: refused, or let in and sent away, never left hanging. */
function liveDuringOutage(base: string, token: string): Promise<string> {
  return new Promise((resolve) => {
    const sock = io(base, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    const done = (why: string) => {
      sock.close();
      resolve(why);
    };
    sock.once('ready', () => done('ready'));
    sock.once('connect_error', (err) => done(err.message));
    sock.once('disconnect', (reason) => done(reason));
  });
}

const recover = (name: string) => admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);

describe.skipIf(mode === 'embedded')('when the database goes away and comes back (PostgreSQL)', () => {
  const db = mode === 'embedded' ? null! : testDatabase();
  let app: FastifyInstance;
  let dispatcher: Session;
  let base: string;
  beforeAll(async () => {
    app = await testApp(db);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    dispatcher = await login(app, 'dispatcher');
  });
  afterAll(async () => {
    await recover(dbName).catch(() => {});
    await app?.close();
    await db?.close();
  });

  it('stays up through five outages: 503 with Retry-After during each, liveness up, ready again within 5 s, no write lost', async () => {
    const written: string[] = [];
    for (let round = 0; round < 5; round++) {
      // a transaction holding a connection when it is cut: its client must not take the process down
      const held = await db.pool.connect();
      await held.query('BEGIN');
      const heldDone = held.query('SELECT pg_sleep(30)').then(() => 'finished', (err: Error) => err.message);
      await outage(dbName);
      expect(await heldDone).toMatch(/terminat|Connection/);
      held.release(true);

      const during = await call(app, dispatcher, { url: '/api/incidents?limit=1' });
      expect(during.status).toBe(503);
      expect(during.json.message).toMatch(/database is unavailable/);
      const raw = await app.inject({ method: 'GET', url: '/api/health', headers: { authorization: `Bearer ${dispatcher.token}` } });
      expect(raw.statusCode).toBe(503);
      expect(raw.headers['retry-after']).toBe('2');
      const intake = await call(app, dispatcher, { url: '/api/incidents', body: { category: '0102', source: 'public', description: `outage ${round}`, lon: 104.0835, lat: 30.6545 } });
      expect(intake.status).toBe(503);
      expect((await app.inject({ method: 'GET', url: '/api/health/live' })).statusCode).toBe(200);
      expect(await liveDuringOutage(base, dispatcher.token)).toMatch(/unavailable|io server disconnect/);

      await recover(dbName);
      const back = performance.now();
      let ready = 0;
      while (ready === 0) {
        const h = await app.inject({ method: 'GET', url: '/api/health' });
        if (h.statusCode === 200) ready = performance.now() - back;
        else await sleep(100);
        if (performance.now() - back > 10_000) throw new Error('not ready 10 s after the database came back');
      }
      expect(ready).toBeLessThan(5000);
      const made = await call(app, dispatcher, { url: '/api/incidents', body: { category: '0102', source: 'public', description: `after outage ${round}`, lon: 104.0835, lat: 30.6545 } });
      expect(made.status, made.body).toBe(201);
      written.push(made.json.incident.code);
      const live = await connect(base, dispatcher);
      live.close();
    }
    const stored = await db.pool.query(`SELECT count(*)::int AS n FROM incidents WHERE code = ANY($1)`, [written]);
    expect(stored.rows[0].n).toBe(5);
  }, 120_000);
});

describe.skipIf(mode === 'embedded')('started while the database is down (PostgreSQL)', () => {
  const name = `zhihui_down_${process.pid}`;
  afterAll(async () => {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('waits for it, then migrates and serves', async () => {
    await admin(`CREATE DATABASE ${name}`);
    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    const u = new URL(url);
    u.pathname = `/${name}`;
    const starting = startServerProcess({ DATABASE_URL: u.toString(), SEED_DEMO: 'false', ZHIHUI_DEMO_PASSWORD: TEST_PASSWORD }, 120_000);
    await sleep(4000);
    await recover(name);
    const server = await starting;
    try {
      expect(server.output()).toMatch(/waiting for the database/);
      expect((await fetch(`${server.base}/api/health`)).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 180_000);
});

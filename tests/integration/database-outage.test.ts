import type { FastifyInstance } from 'fastify';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminQuery } from '../setup/postgres-template.ts';
import { testApp } from '../support/app.ts';
import { call, connect, login, type Session, sleep } from '../support/clients.ts';
import { TEST_PASSWORD } from '../support/constants.ts';
import { testDatabase, testDatabaseUrl } from '../support/database.ts';
import { startServerProcess } from '../support/server-process.ts';

/**
 * The database goes away under the server (a restart, a failover, an administrator ending connections)
 * and comes back. Only on a real PostgreSQL: the embedded one lives and dies with the server process.
 */
const mode = inject('databaseMode');
const url = testDatabaseUrl();
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
      const heldDone = held.query('SELECT pg_sleep(30)').then(
        () => 'finished',
        (err: Error) => err.message,
      );
      await outage(dbName);
      expect(await heldDone).toMatch(/terminat|Connection/);
      held.release(true);

      const during = await call(app, dispatcher, { url: '/api/incidents?limit=1' });
      expect(during.status).toBe(503);
      expect(during.json.message).toMatch(/database is unavailable/);
      const raw = await app.inject({ method: 'GET', url: '/api/health', headers: { authorization: `Bearer ${dispatcher.token}` } });
      expect(raw.statusCode).toBe(503);
      expect(raw.headers['retry-after']).toBe('2');
      const intake = await call(app, dispatcher, {
        url: '/api/incidents',
        body: { category: '0102', source: 'public', description: `outage ${round}`, lon: 104.0835, lat: 30.6545 },
      });
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
      const made = await call(app, dispatcher, {
        url: '/api/incidents',
        body: { category: '0102', source: 'public', description: `after outage ${round}`, lon: 104.0835, lat: 30.6545 },
      });
      expect(made.status, made.body).toBe(201);
      written.push(made.json.incident.code);
      const live = await connect(base, dispatcher);
      live.close();
    }
    const stored = await db.pool.query(`SELECT count(*)::int AS n FROM incidents WHERE code = ANY($1)`, [written]);
    expect(stored.rows[0].n).toBe(5);
  }, 120_000);
});

describe.skipIf(mode === 'embedded')('five outages under load, with CLUSTER=true and the clocks running (PostgreSQL)', () => {
  const db = mode === 'embedded' ? null! : testDatabase();
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    app = await testApp(db, { config: { cluster: true, clockIntervalMs: 250 }, clocks: true });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await recover(dbName).catch(() => {});
    await app?.close();
    await db?.close();
  });

  it('keeps every acknowledged write, resumes live delivery and the clocks, and leaks no connection', async () => {
    const dispatcher = await login(app, 'dispatcher');
    const startSeq = Number((await db.pool.query(`SELECT coalesce(max(seq), 0) AS s FROM incident_events`)).rows[0].s);
    // a console that stays connected through it all (it reconnects by itself and catches up)
    const seen = new Set<number>();
    const sock = io(base, { auth: { token: dispatcher.token }, transports: ['websocket'], forceNew: true, reconnectionDelay: 200, reconnectionDelayMax: 1000 });
    sock.on('event', (e: { seq: number }) => seen.add(e.seq));
    const catchUp = async () => {
      let after = Math.max(startSeq, ...seen);
      for (;;) {
        const page = await call(app, dispatcher, { url: `/api/events?after=${after}&limit=1000` });
        if (page.status !== 200) return;
        for (const e of page.json.events as { seq: number }[]) seen.add(e.seq);
        if (!page.json.more) return;
        after = Math.max(...seen);
      }
    };
    sock.on('ready', () => void catchUp());

    // eight writers: each retries its report with the same Idempotency-Key until it is acknowledged
    let stop = false;
    const acknowledged: string[] = [];
    let refused = 0;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const key = `outage-load-${process.pid}-${w}-${i}`;
        for (;;) {
          const res = await app.inject({
            method: 'POST',
            url: '/api/incidents',
            headers: { authorization: `Bearer ${dispatcher.token}`, 'idempotency-key': key },
            payload: { category: '0102', source: 'public', description: `负载 ${w}-${i}`, lon: 104.0835 + w * 0.0005, lat: 30.6545, register: true },
          });
          if (res.statusCode === 201 || res.statusCode === 200) {
            acknowledged.push(res.json().incident.code);
            break;
          }
          expect(res.statusCode, res.body).toBe(503);
          expect(res.headers['retry-after']).toBeDefined();
          refused += 1;
          await sleep(100);
        }
      }
    };
    const writers = Array.from({ length: 8 }, (_, w) => writer(w));

    const readyAfter: number[] = [];
    for (let round = 0; round < 5; round++) {
      await sleep(400);
      await outage(dbName);
      await sleep(300);
      await recover(dbName);
      const back = performance.now();
      for (;;) {
        if ((await app.inject({ method: 'GET', url: '/api/health' })).statusCode === 200) break;
        if (performance.now() - back > 10_000) throw new Error('not ready 10 s after the database came back');
        await sleep(50);
      }
      readyAfter.push(Math.round(performance.now() - back));
    }
    await sleep(400);
    stop = true;
    await Promise.all(writers);

    // every acknowledged report is stored, once
    const stored = await db.pool.query<{ n: number }>(`SELECT count(DISTINCT code)::int AS n FROM incidents WHERE code = ANY($1)`, [acknowledged]);
    expect(stored.rows[0]!.n).toBe(new Set(acknowledged).size);

    // the clocks still run: a case past its deadline is marked overdue and that reaches the console
    const late = acknowledged[acknowledged.length - 1]!;
    await db.pool.query(`UPDATE incidents SET deadline = now() - interval '1 minute' WHERE code = $1`, [late]);
    const overdueBy = performance.now() + 10_000;
    let overdueSeq = 0;
    while (!overdueSeq && performance.now() < overdueBy) {
      const r = await db.pool.query<{ seq: number }>(
        `SELECT e.seq FROM incident_events e JOIN incidents i ON i.id = e.incident_id WHERE i.code = $1 AND e.type = 'incident.overdue'`,
        [late],
      );
      overdueSeq = r.rows[0]?.seq ?? 0;
      if (!overdueSeq) await sleep(100);
    }
    expect(overdueSeq, 'the overdue clock did not fire after the outages').toBeGreaterThan(0);

    // the console has every event of the log since it started, live or caught up
    const head = Number((await db.pool.query(`SELECT max(seq) AS s FROM incident_events`)).rows[0].s);
    const until = performance.now() + 15_000;
    while (!seen.has(head) && performance.now() < until) await sleep(50);
    await catchUp();
    const log = (await db.pool.query<{ seq: number }>(`SELECT seq FROM incident_events WHERE seq > $1 AND seq <= $2 ORDER BY seq`, [startSeq, head])).rows.map(
      (r) => r.seq,
    );
    const missed = log.filter((s) => !seen.has(s));
    expect(missed, 'events the console never got').toEqual([]);
    sock.close();

    // the relay listens again and the pool holds no dead or leaked client
    const relayBy = performance.now() + 10_000;
    while (!app.zhihui.relay?.listening && performance.now() < relayBy) await sleep(50);
    expect(app.zhihui.relay?.listening).toBe(true);
    // (the app shares this pool) nothing waits for a client, and a plain query gets one at once
    expect(db.pool.waitingCount).toBe(0);
    expect(db.pool.totalCount).toBeLessThanOrEqual(8);
    await db.pool.query('SELECT 1');
    console.log(
      `[outage] 5 outages under 8 writers: ${acknowledged.length} reports acknowledged and stored, ${refused} answered 503 and retried; ` +
        `ready again after ${readyAfter.join(', ')} ms; console got all ${log.length} events; overdue clock fired after the outages`,
    );
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

// Two instances (CLUSTER=true, one PostgreSQL, one DATA_DIR) behind HAProxy with deploy/haproxy.cfg as
// it ships. Consoles follow the live feed through the balancer over WebSocket and over long-polling
// (sticky by HAProxy's cookie), writers report cases with an Idempotency-Key and resend until
// acknowledged. One instance is killed (kill -9) under load, then both are restarted in turn
// (SIGTERM, wait for the exit, start again): no acknowledged write is lost, and every console applies
// every event of the log after it started exactly once, in order.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { type Balancer, HAPROXY, LogListener, loginThrough, startBalancer, startWriters, STICKY_COOKIE, type WriteStats } from '../support/balancer.ts';
import { multipart, sleep, TINY_PNG } from '../support/clients.ts';
import { TEST_PASSWORD } from '../support/constants.ts';
import { testDatabaseUrl } from '../support/database.ts';
import { freePort, type ServerProcess, startServerProcess } from '../support/server-process.ts';

const mode = inject('databaseMode');
const url = testDatabaseUrl();
const skipWhy =
  mode !== 'external'
    ? 'needs DATABASE_URL: instances share one PostgreSQL (the embedded database serves one process)'
    : !fs.existsSync(HAPROXY)
      ? `needs HAProxy at ${HAPROXY} (Debian package haproxy)`
      : null;

if (skipWhy) console.log(`[balancer] skipped: ${skipWhy}`);

type Name = 'app1' | 'app2';
const NAMES: Name[] = ['app1', 'app2'];
const SHUTDOWN_TIMEOUT_MS = 10_000;
const METRICS_TOKEN = 'balancer-test-metrics-token';
/** the load: four writers, each reporting a case every ~100 ms (tens of cases a second, far above a city's) */
const WRITERS = 4;
const WRITER_PAUSE_MS = 100;
/** around 天府广场: inside the demo city */
const CENTER: [number, number] = [104.0835, 30.6545];
const point = (): [number, number] => [CENTER[0] + (Math.random() - 0.5) * 0.01, CENTER[1] + (Math.random() - 0.5) * 0.01];

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : NaN);

describe.skipIf(skipWhy)(`two instances behind HAProxy (deploy/haproxy.cfg)${skipWhy ? ` — skipped: ${skipWhy}` : ''}`, () => {
  let dataDir: string;
  let pool: pg.Pool;
  let lb: Balancer;
  const ports = {} as Record<Name, number>;
  const instances = {} as Record<Name, ServerProcess>;
  let token: string;
  let userId: number;
  const listeners: LogListener[] = [];
  const writers: { stop(): Promise<void> }[] = [];

  const env = () => ({
    DATABASE_URL: url,
    CLUSTER: 'true',
    SEED_DEMO: 'false',
    ZHIHUI_DEMO_PASSWORD: TEST_PASSWORD,
    // the shared path: evidence files written by one instance are read by the other
    DATA_DIR: dataDir,
    METRICS_TOKEN,
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    LOG_LEVEL: 'warn',
    // every client reaches the instances from the balancer's address (see the report on trustProxy):
    // the per-address limits would count the whole test as one client
    RATE_LIMIT_PER_MINUTE: '100000',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
  });
  const start = async (name: Name) => (instances[name] = await startServerProcess(env(), { port: ports[name], timeoutMs: 120_000 }));

  /** socket.io connections open on one instance, from its own /metrics (not through the balancer) */
  const liveSockets = async (name: Name): Promise<number> => {
    const res = await fetch(`${instances[name].base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    const m = /^zhihui_live_sockets (\d+)/m.exec(await res.text());
    return Number(m?.[1]);
  };
  const head = async () => (await pool.query<{ seq: number }>(`SELECT coalesce(max(seq), 0)::int AS seq FROM incident_events`)).rows[0]!.seq;
  const logSeqs = async (after: number, upTo: number) =>
    (await pool.query<{ seq: number }>(`SELECT seq::int FROM incident_events WHERE seq > $1 AND seq <= $2 ORDER BY seq`, [after, upTo])).rows.map((r) => r.seq);

  /** Two consoles per transport on each instance, as browsers that loaded the page from it. */
  const openListeners = async (): Promise<LogListener[]> => {
    const opened: LogListener[] = [];
    for (const name of NAMES)
      for (const transport of ['websocket', 'polling'] as const) for (let i = 0; i < 2; i++) opened.push(new LogListener(lb.base, token, transport, name));
    listeners.push(...opened);
    await Promise.all(opened.map((l) => l.ready()));
    return opened;
  };

  /** Every listener has applied every event of the log after its baseline, once, in order. */
  const expectComplete = async (ls: LogListener[]) => {
    const target = await head();
    await Promise.all(ls.map((l) => l.reached(target)));
    for (const l of ls) {
      const expected = await logSeqs(l.baseline!, l.lastApplied);
      expect(l.applied.length, `${l.transport}/${l.pinnedTo}: applied ${l.applied.length}, log has ${expected.length}`).toBe(expected.length);
      expect(l.applied, `${l.transport}/${l.pinnedTo}: the applied seqs are the log's, in order`).toEqual(expected);
    }
    return target;
  };

  /** Every acknowledged write is stored, once per Idempotency-Key, and nothing else was written under the tag. */
  const expectWritesKept = async (stats: WriteStats, tag: string) => {
    expect(stats.unrecovered, 'writes given up after every retry').toEqual([]);
    const ids = [...new Set(stats.acknowledged.map((a) => a.id))];
    expect(ids.length).toBe(stats.acknowledged.length);
    const stored = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM incidents WHERE id = ANY($1::bigint[])`, [ids]);
    expect(stored.rows[0]!.n, 'acknowledged writes in the database').toBe(ids.length);
    const keys = stats.acknowledged.map((a) => `${userId}:${a.key}`);
    const perKey = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM incidents WHERE idempotency_key = ANY($1::text[])`, [keys]);
    expect(perKey.rows[0]!.n, 'one case per Idempotency-Key').toBe(keys.length);
    const tagged = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM incidents WHERE description LIKE $1`, [`${tag} writer %`]);
    expect(tagged.rows[0]!.n, 'cases written under the tag = acknowledged').toBe(ids.length);
  };

  const summary = (stats: WriteStats) => {
    const byStatus = new Map<string, number>();
    for (const f of stats.failures) byStatus.set(String(f.status), (byStatus.get(String(f.status)) ?? 0) + 1);
    const resent = stats.acknowledged.filter((a) => a.attempts > 1).length;
    return (
      `${stats.acknowledged.length} acknowledged (${resent} after a resend, ${stats.acknowledged.filter((a) => a.replayed).length} answered as a replay), ` +
      `${stats.failures.length} failed attempts seen by writers${byStatus.size ? ` ${JSON.stringify(Object.fromEntries(byStatus))}` : ''}, ${stats.unrecovered.length} unrecovered`
    );
  };
  const haproxyRetries = async () => {
    const s = await lb.servers();
    return NAMES.reduce((acc, n) => ({ retries: acc.retries + (s[n]?.retries ?? 0), redispatches: acc.redispatches + (s[n]?.redispatches ?? 0) }), {
      retries: 0,
      redispatches: 0,
    });
  };

  const dumpOnFailure = () =>
    onTestFailed(() => {
      for (const n of NAMES) console.log(`---- ${n} output (tail) ----\n${instances[n]?.output().slice(-4000)}`);
      console.log(`---- haproxy (tail) ----\n${lb?.output().slice(-6000)}`);
    });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-balancer-'));
    pool = new pg.Pool({ connectionString: url, max: 2 });
    for (const n of NAMES) ports[n] = await freePort();
    // one after the other: a first start may build the console bundle into the shared checkout
    for (const n of NAMES) await start(n);
    lb = await startBalancer({ app1: ports.app1, app2: ports.app2 }, dataDir);
    const session = await loginThrough(lb.base, 'dispatcher', TEST_PASSWORD);
    expect(session.user.districtAdcode, 'a city-wide dispatcher sees every event').toBeNull();
    token = session.token;
    userId = session.user.id;
  }, 240_000);

  afterAll(async () => {
    for (const l of listeners) l.close();
    await Promise.all(writers.map((w) => w.stop()));
    for (const n of NAMES) {
      const p = instances[n];
      if (p?.running()) {
        p.kill('SIGTERM');
        await Promise.race([p.exited, sleep(SHUTDOWN_TIMEOUT_MS + 2000)]);
        p.kill('SIGKILL');
      }
    }
    await lb?.stop();
    await pool?.end();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps a console on the instance its cookie names, carries the request id, and serves evidence from the shared DATA_DIR', async () => {
    dumpOnFailure();
    const health = await fetch(`${lb.base}/api/health`);
    expect(health.status).toBe(200);
    // HAProxy sets the sticky cookie, and a request id the instance keeps and answers
    expect(health.headers.get('set-cookie')).toMatch(new RegExp(`^${STICKY_COOKIE}=app[12];`));
    expect(health.headers.get('x-request-id')).toMatch(/^[0-9A-F]{8}:[0-9A-F]{4}_/);
    const own = await fetch(`${lb.base}/api/health/live`, { headers: { 'x-request-id': 'desk-7.req-42' } });
    expect(own.headers.get('x-request-id')).toBe('desk-7.req-42');

    // a photo uploaded through app1 is served by app2: both read DATA_DIR/evidence
    const admin = await loginThrough(lb.base, 'admin', TEST_PASSWORD);
    const auth = { authorization: `Bearer ${admin.token}` };
    const pinned = (n: Name) => ({ ...auth, cookie: `${STICKY_COOKIE}=${n}` });
    const [lon, lat] = point();
    const made = await fetch(`${lb.base}/api/incidents`, {
      method: 'POST',
      headers: { ...pinned('app1'), 'content-type': 'application/json', 'idempotency-key': `evidence-${process.pid}` },
      body: JSON.stringify({ category: '0102', source: 'dispatcher', description: 'balancer evidence case', lon, lat }),
    });
    expect(made.status).toBe(201);
    const caseId = ((await made.json()) as { incident: { id: number } }).incident.id;
    const { body, contentType } = multipart([{ name: 'p.png', type: 'image/png', bytes: TINY_PNG }]);
    const up = await fetch(`${lb.base}/api/incidents/${caseId}/evidence`, {
      method: 'POST',
      headers: { ...pinned('app1'), 'content-type': contentType },
      body: new Uint8Array(body),
    });
    expect(up.status, await up.clone().text()).toBe(201);
    const [photo] = (await up.json()) as { id: number }[];
    const down = await fetch(`${lb.base}/api/evidence/${photo!.id}`, { headers: pinned('app2') });
    expect(down.status).toBe(200);
    expect(Buffer.from(await down.arrayBuffer()).equals(TINY_PNG)).toBe(true);
    // the requests went where the cookie said (HAProxy's log names the instance; a line is written after the answer)
    const served = async (request: string) => {
      for (let i = 0; i < 50; i++) {
        const line = lb.log().find((l) => l.request.startsWith(request));
        if (line) return line.server;
        await sleep(100);
      }
      return null;
    };
    expect(await served(`POST /api/incidents/${caseId}/evidence `)).toBe('app1');
    expect(await served(`GET /api/evidence/${photo!.id} `)).toBe('app2');
  });

  it('kill -9 of one of two instances under load: its consoles reconnect through the balancer to the other and catch up with no gap; no acknowledged write is lost', async () => {
    dumpOnFailure();
    const ls = await openListeners();
    // the cookie put half of them (both transports) on each instance
    for (const n of NAMES) expect(await liveSockets(n), `live sockets on ${n}`).toBe(4);
    const before = await haproxyRetries();

    const tag = `kill-${process.pid}`;
    const w = startWriters(lb.base, token, { count: WRITERS, pauseMs: WRITER_PAUSE_MS, point, tag });
    writers.push(w);
    await sleep(2500);
    const victim = instances.app1;
    const killedAt = performance.now();
    victim.kill('SIGKILL');
    const exit = await victim.exited;
    expect(exit.signal).toBe('SIGKILL');
    const downMs = await lb.waitFor('app1', 'DOWN');
    await sleep(4000);
    await w.stop();

    const target = await expectComplete(ls);
    await expectWritesKept(w.stats, tag);

    const moved = ls.filter((l) => l.pinnedTo === 'app1');
    const stayed = ls.filter((l) => l.pinnedTo === 'app2');
    for (const l of moved) {
      expect(l.disconnects.length, `${l.transport} console on the killed instance lost its connection`).toBeGreaterThanOrEqual(1);
      expect(l.readies.length).toBeGreaterThanOrEqual(2);
    }
    for (const l of stayed) expect(l.disconnects, `${l.transport} console on the surviving instance kept its connection`).toEqual([]);
    expect(await liveSockets('app2'), 'every console is now on the survivor').toBe(ls.length);
    for (const l of moved.filter((x) => x.transport === 'polling')) expect(l.cookieServer, 'HAProxy re-pinned the polling session').toBe('app2');

    const reconnectMs = moved.map((l) => l.readies.find((t) => t > killedAt)! - killedAt);
    const caughtUpMs = moved.map((l) => l.caughtUpAt.find((t) => t > killedAt)! - killedAt);
    const after = await haproxyRetries();
    console.log(
      `[balancer] kill -9 app1 under load: ${summary(w.stats)}; HAProxy retried ${after.retries - before.retries} connections ` +
        `(${after.redispatches - before.redispatches} redispatched); app1 out of rotation after ${fmt(downMs)}; ` +
        `${moved.length} consoles reconnected to app2 (ready after ${fmt(median(reconnectMs))} median, ${fmt(Math.max(...reconnectMs))} max; ` +
        `caught up after ${fmt(Math.max(...caughtUpMs))} max, ${moved.reduce((n, l) => n + l.fromLog, 0)} events from the log), ` +
        `${stayed.length} on app2 untouched; each of ${ls.length} consoles applied every event of the log after its start ` +
        `(${Math.min(...ls.map((l) => l.applied.length))}–${Math.max(...ls.map((l) => l.applied.length))}, up to seq ${target}) once, in order: 0 gaps, 0 duplicates ` +
        `(${ls.reduce((n, l) => n + l.duplicatesDropped, 0)} live copies of caught-up events dropped, ${ls.reduce((n, l) => n + l.gapFills, 0)} gaps filled from the log)`,
    );

    // back: the same address, and HAProxy's checks put it in the rotation again
    const restartAt = performance.now();
    await start('app1');
    const upMs = await lb.waitFor('app1', 'UP');
    console.log(
      `[balancer] app1 restarted in ${fmt(instances.app1.readyMs)}, back in rotation ${fmt(performance.now() - restartAt)} after the start (${fmt(upMs)} after ready)`,
    );
    for (const l of ls) l.close();
  }, 180_000);

  it('rolling restart of both under load (SIGTERM, exit, start, back in rotation): no acknowledged write lost, no live event lost', async () => {
    dumpOnFailure();
    for (const n of NAMES) await lb.waitFor(n, 'UP');
    const ls = await openListeners();
    const before = await haproxyRetries();
    const tag = `rolling-${process.pid}`;
    const w = startWriters(lb.base, token, { count: WRITERS, pauseMs: WRITER_PAUSE_MS, point, tag });
    writers.push(w);
    await sleep(2000);
    const steps: string[] = [];
    for (const n of NAMES) {
      const proc = instances[n];
      const acksBefore = w.stats.acknowledged.length;
      // the consoles this instance holds now: they must be told, reconnect elsewhere and catch up
      const holding = await liveSockets(n);
      const sent = performance.now();
      const sentWall = Date.now();
      proc.kill('SIGTERM');
      const exit = await proc.exited;
      const closeMs = exit.at - sent;
      expect(exit.code, `${n} exit code after SIGTERM\n${proc.output().slice(-2000)}`).toBe(0);
      expect(closeMs, `${n} closed within SHUTDOWN_TIMEOUT_MS`).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
      expect(proc.output()).toMatch(/SIGTERM: closing/);
      expect(proc.output()).toMatch(/closed in \d+ ms/);
      const startAt = performance.now();
      await start(n);
      const upMs = await lb.waitFor(n, 'UP');
      // writes the closing instance had in flight at the SIGTERM and still answered (2xx) before it exited
      const finished = lb
        .log()
        .filter(
          (l) =>
            l.server === n &&
            l.request.startsWith('POST /api/incidents ') &&
            l.status < 300 &&
            l.acceptedAt <= sentWall &&
            l.acceptedAt + l.totalMs >= sentWall,
        ).length;
      const held = ls.filter((l) => l.disconnects.some((d) => d.at > sent));
      expect(held.length, `the consoles ${n} held lost it`).toBe(holding);
      for (let i = 0; i < 300 && !held.every((l) => l.caughtUpAt.some((t) => t > sent)); i++) await sleep(100);
      const back = held.map((l) => (l.caughtUpAt.find((t) => t > sent) ?? NaN) - sent);
      expect(
        back.every((ms) => ms >= 0),
        `every console ${n} held is live elsewhere`,
      ).toBe(true);
      steps.push(
        `${n}: exit 0 ${fmt(closeMs)} after SIGTERM (${finished} writes in flight finished on it), ${held.length} consoles it held live elsewhere and caught up ` +
          `within ${fmt(Math.max(...back))}; restarted in ${fmt(instances[n].readyMs)}, in rotation ${fmt(performance.now() - startAt)} after the start ` +
          `(${fmt(upMs)} after ready); ${w.stats.acknowledged.length - acksBefore} writes acknowledged meanwhile`,
      );
      // load on both before the next one goes
      await sleep(1500);
    }
    await w.stop();

    const target = await expectComplete(ls);
    await expectWritesKept(w.stats, tag);
    // every console lost its instance once or twice (app1's first, all of them with app2) and came back
    for (const l of ls) expect(l.disconnects.length, `${l.transport}/${l.pinnedTo} reconnected`).toBeGreaterThanOrEqual(1);
    const failed5xx = lb.log().filter((l) => l.request.startsWith('POST /api/incidents ') && l.status >= 500);
    const after = await haproxyRetries();
    console.log(`[balancer] rolling restart: ${steps.join('; ')}`);
    console.log(
      `[balancer] rolling restart under load: ${summary(w.stats)}; HAProxy retried ${after.retries - before.retries} connections ` +
        `(${after.redispatches - before.redispatches} redispatched), ${failed5xx.length} intake 5xx passed to clients; ` +
        `${ls.length} consoles: ${ls.reduce((n, l) => n + l.disconnects.length, 0)} reconnects, server_closing notices received: ${(
          ['websocket', 'polling'] as const
        )
          .map((t) => {
            const of = ls.filter((l) => l.transport === t);
            return `${t} ${of.reduce((n, l) => n + l.serverClosing, 0)} of ${of.reduce((n, l) => n + l.disconnects.length, 0)}`;
          })
          .join(', ')}, ` +
        `${ls.reduce((n, l) => n + l.fromLog, 0)} events caught up from the log, ${ls.reduce((n, l) => n + l.gapFills, 0)} gaps filled; ` +
        `each applied every event up to seq ${target} once, in order`,
    );
    for (const l of ls) l.close();
  }, 240_000);
});

import net from 'node:net';
import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { type Database, openDatabase } from '../../server/db/database.ts';
import { testApp } from '../support/app.ts';
import { call, login, type Session, sleep } from '../support/clients.ts';
import { testDatabase, testDatabaseUrl } from '../support/database.ts';
import { east, keyAreaPoint } from '../support/fixtures.ts';
import { startServerProcess } from '../support/server-process.ts';

/**
 * The leader's and indicator reads on a real streaming replica: DATABASE_READ_URL names a hot standby
 * of the DATABASE_URL server (.ci/run starts one with pg_basebackup). It replicates the whole
 * cluster, so the run's database zhihui_test_* is there under the same name.
 */
const READ_URL = process.env.DATABASE_READ_URL;
const mode = inject('databaseMode');
const url = testDatabaseUrl();
const skip = !READ_URL
  ? 'DATABASE_READ_URL is not set (a streaming replica of the DATABASE_URL server)'
  : mode === 'embedded'
    ? 'DATABASE_READ_URL needs DATABASE_URL: the embedded database has no replica'
    : null;

/** The run's database on another host and port. */
function runDatabaseAt(hostUrl: string): string {
  const u = new URL(hostUrl);
  u.pathname = new URL(url).pathname;
  return u.toString();
}

/** A TCP hop to the replica that can be taken away (every connection cut, new ones refused) and brought back. */
class Hop {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {}
  async open(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }
  async cut(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise((resolve) => server.close(resolve));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

describe.skipIf(skip !== null)(`leader and indicator reads on a streaming replica${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const replicaUrl = runDatabaseAt(READ_URL ?? 'postgres://unset');
  const primaryDb = skip ? null! : testDatabase();
  // the replica's own `postgres` database: there before the run's database has been replayed
  const replicaAdmin = skip ? null! : new pg.Pool({ connectionString: READ_URL, max: 1 });
  let replicaDb: Database;
  let onPrimary: FastifyInstance, onReplica: FastifyInstance;
  const sessions = new Map<FastifyInstance, { admin: Session; leader: Session; dispatcher: Session }>();
  let spot: [number, number];
  let serial = 0;

  /** Until the replica has replayed everything the primary had written when this was called. */
  async function replayed(): Promise<void> {
    const head = (await primaryDb.pool.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`)).rows[0]!.lsn;
    const started = Date.now();
    for (;;) {
      const r = await replicaAdmin.query<{ done: boolean }>(`SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done`, [head]);
      if (r.rows[0]!.done) return;
      if (Date.now() - started > 30_000) throw new Error(`the replica has not replayed up to ${head} within 30 s`);
      await sleep(20);
    }
  }

  async function signIn(app: FastifyInstance) {
    const [admin, leader, dispatcher] = await Promise.all(['admin', 'leader', 'dispatcher'].map((l) => login(app, l)));
    sessions.set(app, { admin: admin!, leader: leader!, dispatcher: dispatcher! });
  }

  /** New cases through the API on the primary: reported and registered, one of them escalated (督办). */
  async function writeCases(n: number): Promise<void> {
    const { dispatcher } = sessions.get(onPrimary)!;
    for (let i = 0; i < n; i++) {
      const [lon, lat] = east(spot, 40 * ++serial);
      const intake = await call(onPrimary, dispatcher, {
        url: '/api/incidents',
        body: { category: i % 2 ? '0102' : '0504', source: i % 2 ? 'dispatcher' : 'public', description: `只读副本测试 ${serial}`, lon, lat, register: true },
      });
      expect(intake.status, intake.body).toBe(201);
      if (i === 0) {
        const esc = await call(onPrimary, dispatcher, { url: `/api/incidents/${intake.json.incident.id}/escalate`, body: { reason: '副本测试督办' } });
        expect(esc.status, esc.body).toBe(200);
      }
    }
  }

  /** Every leader and indicator answer for a period ending `to` (in the past, so "as of" is `to`), as the city and a district leader. */
  async function answers(app: FastifyInstance, to: Date): Promise<Record<string, { status: number; body: string }>> {
    const { admin, leader } = sessions.get(app)!;
    const p = `from=${new Date(to.getTime() - 2 * 86_400_000).toISOString()}&to=${to.toISOString()}`;
    const urls = [
      `/api/heatmap?${p}`,
      `/api/heatmap?${p}&category=0504&source=public`,
      `/api/key-areas/board?${p}`,
      '/api/escalations',
      `/api/stats/trend?${p}`,
      `/api/stats/categories?${p}`,
      `/api/indicators?${p}&by=district`,
      `/api/indicators?${p}&by=squad`,
      `/api/indicators/export?${p}&by=district&format=csv`,
    ];
    const out: Record<string, { status: number; body: string }> = {};
    for (const [who, s] of [
      ['city', admin],
      ['district', leader],
    ] as const) {
      for (const u of urls) {
        const r = await call(app, s, { url: u });
        out[`${who} ${u.split('?')[0]}${u.includes('category=') ? ' (filtered)' : ''}${u.includes('by=squad') ? ' by squad' : ''}`] = {
          status: r.status,
          body: r.body,
        };
      }
    }
    return out;
  }

  /** Cases reported in the last day as the heatmap and the indicators count them. */
  async function counted(app: FastifyInstance): Promise<{ heatmap: number; registered: number }> {
    const p = `from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}`;
    const s = sessions.get(app)!.admin;
    const [heatmap, indicators] = await Promise.all([call(app, s, { url: `/api/heatmap?${p}` }), call(app, s, { url: `/api/indicators?${p}` })]);
    return { heatmap: heatmap.json.total, registered: indicators.json.total.counts.registered };
  }
  const plus = (c: { heatmap: number; registered: number }, n: number) => ({ heatmap: c.heatmap + n, registered: c.registered + n });

  const health = async (app: FastifyInstance) => call(app, null, { url: '/api/health' });

  beforeAll(async () => {
    await replayed();
    replicaDb = await openDatabase({ databaseUrl: url, readUrl: replicaUrl, dataDir: os.tmpdir() });
    onPrimary = await testApp(primaryDb);
    onReplica = await testApp(replicaDb);
    await Promise.all([signIn(onPrimary), signIn(onReplica)]);
    spot = await keyAreaPoint(onPrimary, '春熙路·太古里');
  });

  afterAll(async () => {
    await replicaAdmin.query('SELECT pg_wal_replay_resume()').catch(() => {});
    await onReplica?.close();
    await onPrimary?.close();
    await replicaDb?.close();
    await primaryDb?.close();
    await replicaAdmin.end();
  });

  it('reads on a hot standby, and its health says so', async () => {
    const standby = await replicaDb.readPool!.query<{ standby: boolean; db: string }>(`SELECT pg_is_in_recovery() AS standby, current_database() AS db`);
    expect(standby.rows[0]).toEqual({ standby: true, db: new URL(url).pathname.slice(1) });
    const h = await health(onReplica);
    expect(h.status).toBe(200);
    expect(h.json.replica).toMatchObject({ status: 'up' });
    expect((await health(onPrimary)).json.replica).toBeUndefined();
  });

  it('is used by npm start when DATABASE_READ_URL names it', async () => {
    const server = await startServerProcess({ DATABASE_URL: url, DATABASE_READ_URL: replicaUrl, SEED_DEMO: 'false' });
    try {
      expect(server.output()).toContain('the streaming replica in DATABASE_READ_URL');
      const h = await fetch(`${server.base}/api/health`);
      expect(h.status).toBe(200);
      expect((await h.json()).replica).toMatchObject({ status: 'up' });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('answers the leader and indicator calls as the primary does, once the replica has replayed the new cases', async () => {
    await writeCases(4);
    await replayed();
    const to = new Date(Date.now() - 1);
    const [fromReplica, fromPrimary] = [await answers(onReplica, to), await answers(onPrimary, to)];
    for (const [name, a] of Object.entries(fromPrimary)) expect(a.status, `${name}: ${a.body}`).toBe(200);
    expect(fromReplica).toEqual(fromPrimary);
    // the new cases are in them
    expect(JSON.parse(fromReplica['city /api/escalations']!.body).cases.some((c: { reason: string }) => c.reason === '副本测试督办')).toBe(true);
    expect(JSON.parse(fromReplica['city /api/heatmap (filtered)']!.body).total).toBeGreaterThanOrEqual(2);
  });

  it("shows figures as old as the replica's lag, and catches up when it replays", async () => {
    await replayed();
    const before = await counted(onPrimary);
    await replicaAdmin.query('SELECT pg_wal_replay_pause()');
    try {
      for (let i = 0; (await replicaAdmin.query<{ s: string }>(`SELECT pg_get_wal_replay_pause_state() AS s`)).rows[0]!.s !== 'paused'; i++) {
        if (i > 500) throw new Error('replay did not pause');
        await sleep(10);
      }
      await writeCases(1);
      expect(await counted(onPrimary)).toEqual(plus(before, 1));
      expect(await counted(onReplica)).toEqual(before);
      const lagging = (await health(onReplica)).json.replica;
      expect(lagging.status).toBe('up');
      expect(lagging.lagBytes).toBeGreaterThan(0);
    } finally {
      await replicaAdmin.query('SELECT pg_wal_replay_resume()');
    }
    await replayed();
    expect(await counted(onReplica)).toEqual(plus(before, 1));
    // other databases of the cluster may be writing: sample until the replica is seen caught up
    let replica: { status: string; lagSeconds: number | null; lagBytes: number | null } = (await health(onReplica)).json.replica;
    for (let i = 0; i < 50 && replica.lagBytes !== 0; i++) replica = (await health(onReplica)).json.replica;
    expect(replica).toEqual({ status: 'up', lagSeconds: 0, lagBytes: 0 });
  });

  it('falls back to the primary while the replica is away, warns once, stays ready, and returns to it', async () => {
    const target = new URL(replicaUrl);
    const hop = new Hop(target.hostname, Number(target.port || 5432));
    await hop.open();
    const hopped = new URL(replicaUrl);
    hopped.hostname = '127.0.0.1';
    hopped.port = String(hop.port);
    const db = await openDatabase({ databaseUrl: url, readUrl: hopped.toString(), dataDir: os.tmpdir() });
    const app = await testApp(db);
    try {
      await signIn(app);
      await replayed();
      expect((await health(app)).json.replica.status).toBe('up');
      const warn = vi.spyOn(app.log, 'warn');
      const info = vi.spyOn(app.log, 'info');
      const to = new Date(Date.now() - 1);
      expect(Object.values(await answers(app, to)).every((a) => a.status === 200)).toBe(true);
      expect(warn).not.toHaveBeenCalled();

      await hop.cut();
      await writeCases(1); // only the primary can answer this one now
      const to2 = new Date(Date.now() - 1);
      const [during, fromPrimary] = [await answers(app, to2), await answers(onPrimary, to2)];
      expect(during).toEqual(fromPrimary);
      const replicaWarnings = warn.mock.calls.filter(([m]) => /read replica unavailable/.test(String(m)));
      expect(replicaWarnings).toHaveLength(1);
      const h = await health(app);
      expect(h.status).toBe(200);
      expect(h.json.status).toBe('ok');
      expect(h.json.replica).toEqual({ status: 'down', lagSeconds: null, lagBytes: null });

      await hop.open();
      expect((await health(app)).json.replica.status).toBe('up');
      // reads try the replica again 10 s after the last failure
      await sleep(10_500);
      await replayed();
      expect(await counted(app)).toEqual(await counted(onPrimary));
      expect(info.mock.calls.some(([m]) => /read replica answers again/.test(String(m)))).toBe(true);
      expect(warn.mock.calls.filter(([m]) => /read replica unavailable/.test(String(m)))).toHaveLength(1);
    } finally {
      await app.close();
      await db.close();
      await hop.cut();
    }
  });
});

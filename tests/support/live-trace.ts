// Live order under load (issue 11, part 2): writers that append to the log in parallel, listeners that
// follow the live feed with the console's protocol while their connections drop at random, and the
// comparison of what each one applied with the log itself.
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, inject, it } from 'vitest';
import type { Database } from '../../server/db/database.ts';
import { dialectFor } from '../../server/db/dialect.ts';
import { testApp } from './app.ts';
import { call, type Session, sleep } from './clients.ts';
import { testDatabase, testDatabaseUrl } from './database.ts';
import { east } from './fixtures.ts';

export const rand = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

/** A live event as the server sends it: the log row and `prev`, the seq sent before it to the same room. */
export interface Envelope {
  seq: number;
  prev: number;
  type: string;
  incidentId: number | null;
  districtAdcode: string | null;
}

export interface ListenerOptions {
  name: string;
  /** http://127.0.0.1:<port> of the instance to listen on */
  base: string;
  token: string;
  /**
   * true (the console's protocol): on every (re)connect buffer the live feed, catch up from
   * GET /api/events?after=<last applied>, then apply what was held back in order. false: take the
   * live feed as it comes after a reconnect and rely on `prev` alone to reveal (and fill) what was missed.
   */
  catchUpOnConnect?: boolean;
}

/**
 * A raw socket.io listener that applies events the way the console's LiveClient does, and records
 * everything that lets a test judge the server: what each connection received (seq, prev), what was
 * applied and in which order, how often it reconnected and filled a gap.
 */
export class OrderedListener {
  readonly name: string;
  /** seqs applied, in the order applied */
  readonly applied: number[] = [];
  private readonly appliedSet = new Set<number>();
  /** the log's head when the listener first joined: it must apply every event of its scope after it */
  startSeq: number | null = null;
  /** highest seq applied (or the start): "everything up to here is applied" */
  lastApplied = 0;
  connections = 0;
  gapFills = 0;
  /** gaps revealed by `prev` among the events held back during a catch-up (the console does not look for these) */
  heldGaps = 0;
  /** applications of a seq below one already applied */
  outOfOrder = 0;
  /** live copies of events already applied (normal after a catch-up) */
  duplicatesSkipped = 0;
  catchUps = 0;
  errors: string[] = [];
  /** every live event received, with its connection */
  readonly received: { conn: number; seq: number; prev: number; type: string; incidentId: number | null }[] = [];
  /** what the server did wrong on one connection: a seq not above the one before, or a `prev` that is not it */
  readonly feedViolations: string[] = [];

  private socket: Socket | null = null;
  private gen = 0;
  private buffer: Envelope[] | null = null;
  private catching = false;
  private readonly opts: Required<ListenerOptions>;

  constructor(opts: ListenerOptions) {
    this.opts = { catchUpOnConnect: true, ...opts };
    this.name = opts.name;
  }

  get reconnects(): number {
    return Math.max(0, this.connections - 1);
  }

  /** Connected, not catching up, nothing held back. */
  get settled(): boolean {
    return this.socket?.connected === true && !this.catching && this.buffer === null;
  }

  /** Connects and resolves once the server said `ready` (the catch-up may still be running). */
  connect(): Promise<void> {
    const gen = ++this.gen;
    const conn = ++this.connections;
    // events may come before `ready`: hold everything back until the catch-up is done
    this.buffer = [];
    this.catching = true;
    let last: number | null = null;
    const socket = io(this.opts.base, { auth: { token: this.opts.token }, transports: ['websocket'], reconnection: false, forceNew: true });
    this.socket = socket;
    socket.on('event', (e: Envelope) => {
      if (gen !== this.gen) return;
      if (last !== null) {
        if (e.seq <= last) this.feedViolations.push(`${this.name} conn ${conn}: seq ${e.seq} after ${last}`);
        if (e.prev !== last)
          this.feedViolations.push(`${this.name} conn ${conn}: seq ${e.seq} has prev ${e.prev}, the event before it on this connection was ${last}`);
      } else if (!(typeof e.prev === 'number' && e.prev < e.seq)) {
        this.feedViolations.push(`${this.name} conn ${conn}: first event ${e.seq} has prev ${e.prev}`);
      }
      last = e.seq;
      this.received.push({ conn, seq: e.seq, prev: e.prev, type: e.type, incidentId: e.incidentId });
      this.onLive(e, gen);
    });
    return new Promise<void>((resolve, reject) => {
      socket.once('connect_error', (err) => {
        if (gen === this.gen) this.catching = false;
        socket.close();
        reject(err);
      });
      socket.once('ready', (r: { seq: number }) => {
        resolve();
        if (gen !== this.gen) return;
        if (this.startSeq === null) {
          this.startSeq = r.seq;
          this.lastApplied = r.seq;
        }
        if (this.opts.catchUpOnConnect || conn === 1) void this.catchUp(gen);
        else {
          // straight to live: what arrived so far goes through the live rule
          const held = (this.buffer ?? []).sort((a, b) => a.seq - b.seq);
          this.buffer = null;
          this.catching = false;
          for (const e of held) this.onLive(e, gen);
        }
      });
    });
  }

  /** Drops the connection (as a network does); what the server sends meanwhile is lost. */
  disconnect(): void {
    this.gen += 1;
    this.buffer = null;
    this.catching = false;
    const s = this.socket;
    this.socket = null;
    if (!s) return;
    // sometimes politely, sometimes the transport just goes
    if (Math.random() < 0.5) s.disconnect();
    else {
      s.io.engine?.close();
      s.close();
    }
  }

  close(): void {
    this.disconnect();
  }

  /** Drop and reconnect at random until `stop()` says so. */
  async chaos(stop: () => boolean, opts: { upMs: [number, number]; downMs: [number, number] }): Promise<void> {
    while (!stop()) {
      await sleep(rand(...opts.upMs));
      if (stop()) break;
      this.disconnect();
      await sleep(rand(...opts.downMs));
      for (let attempt = 0; ; attempt++) {
        try {
          await this.connect();
          break;
        } catch (err) {
          if (attempt >= 20) throw err;
          this.errors.push(`connect: ${(err as Error).message}`);
          await sleep(100);
        }
      }
    }
  }

  private onLive(e: Envelope, gen: number): void {
    if (this.buffer) {
      this.buffer.push(e);
      return;
    }
    if (e.prev > this.lastApplied) {
      // an event of ours went past unseen: hold this one back until the gap is filled from the log
      this.buffer = [e];
      this.gapFills += 1;
      void this.catchUp(gen);
      return;
    }
    this.apply(e);
  }

  private async catchUp(gen: number): Promise<void> {
    this.buffer ??= [];
    this.catching = true;
    this.catchUps += 1;
    try {
      let cursor = this.lastApplied;
      for (;;) {
        const res = await fetch(`${this.opts.base}/api/events?after=${cursor}&limit=200`, { headers: { authorization: `Bearer ${this.opts.token}` } });
        if (res.status !== 200) throw new Error(`GET /api/events?after=${cursor}: ${res.status} ${await res.text()}`);
        const page = (await res.json()) as { events: Envelope[]; more: boolean };
        if (gen !== this.gen) return;
        for (const e of page.events) {
          this.apply(e);
          cursor = Math.max(cursor, e.seq);
        }
        if (!page.more || page.events.length === 0) break;
      }
      const held = (this.buffer ?? []).sort((a, b) => a.seq - b.seq);
      this.buffer = null;
      for (const [i, e] of held.entries()) {
        if (e.seq > this.lastApplied && e.prev > this.lastApplied) {
          // still a hole: the server sent something to this socket that the log did not yet show
          this.heldGaps += 1;
          this.buffer = held.slice(i);
          void this.catchUp(gen);
          return;
        }
        this.apply(e);
      }
      this.catching = false;
    } catch (err) {
      if (gen !== this.gen) return;
      this.errors.push((err as Error).message);
      await sleep(200);
      if (gen === this.gen) void this.catchUp(gen);
    }
  }

  private apply(e: Envelope): void {
    if (e.seq <= (this.startSeq ?? 0) || this.appliedSet.has(e.seq)) {
      if (this.appliedSet.has(e.seq)) this.duplicatesSkipped += 1;
      return;
    }
    if (e.seq < this.lastApplied) this.outOfOrder += 1;
    this.appliedSet.add(e.seq);
    this.applied.push(e.seq);
    if (e.seq > this.lastApplied) this.lastApplied = e.seq;
  }
}

export interface OrderReport {
  expected: number;
  applied: number;
  /** applied below a seq applied before it */
  outOfOrder: number;
  /** in the log and in scope, never applied */
  missed: number;
  /** applied more than once */
  duplicates: number;
  /** applied but not in the expected set (another scope's, or before the start) */
  extra: number;
  firstMissed: number[];
}

/** Judges an apply order against the seqs that had to be applied. */
export function judge(applied: readonly number[], expected: readonly number[], start = 0): OrderReport {
  const want = new Set(expected);
  const seen = new Set<number>();
  let max = start;
  let outOfOrder = 0;
  let duplicates = 0;
  let extra = 0;
  for (const s of applied) {
    if (s <= max) outOfOrder += 1;
    if (seen.has(s)) duplicates += 1;
    if (!want.has(s)) extra += 1;
    seen.add(s);
    max = Math.max(max, s);
  }
  const missing = expected.filter((s) => !seen.has(s));
  return { expected: expected.length, applied: applied.length, outOfOrder, missed: missing.length, duplicates, extra, firstMissed: missing.slice(0, 10) };
}

export interface LogRow {
  seq: number;
  type: string;
  incidentId: number | null;
  districtAdcode: string | null;
}

/** The log after `after`, in seq order. */
export async function logAfter(pool: pg.Pool, after: number): Promise<LogRow[]> {
  const res = await pool.query<LogRow>(
    `SELECT seq, type, incident_id AS "incidentId", district_adcode AS "districtAdcode" FROM incident_events WHERE seq > $1 ORDER BY seq`,
    [after],
  );
  return res.rows.map((r) => ({ ...r, seq: Number(r.seq), incidentId: r.incidentId === null ? null : Number(r.incidentId) }));
}

export async function logHead(pool: pg.Pool): Promise<number> {
  return Number((await pool.query(`SELECT coalesce(max(seq), 0) AS s FROM incident_events`)).rows[0].s);
}

/**
 * What the server must have sent as `prev` with each event of a room: the seq of the room's event
 * before it, or the instance's start when the room had none since (EventBus.startSeq).
 */
export function prevMismatches(
  received: OrderedListener['received'],
  roomSeqs: readonly number[],
  instanceStart: number,
  byLog: Map<number, LogRow>,
): string[] {
  const out: string[] = [];
  const sorted = [...roomSeqs].sort((a, b) => a - b);
  const index = new Map(sorted.map((s, i) => [s, i]));
  for (const r of received) {
    if (r.seq <= instanceStart) continue;
    const i = index.get(r.seq);
    if (i === undefined) {
      out.push(`seq ${r.seq} was sent to a room it does not belong to (or is not in the log)`);
      continue;
    }
    const before = i > 0 ? sorted[i - 1]! : 0;
    const want = before > instanceStart ? before : instanceStart;
    if (r.prev !== want) out.push(`seq ${r.seq}: prev ${r.prev}, the room's event before it is ${want}`);
    const row = byLog.get(r.seq);
    if (row && (row.type !== r.type || row.incidentId !== r.incidentId))
      out.push(`seq ${r.seq}: sent as ${r.type}/${r.incidentId}, the log has ${row.type}/${row.incidentId}`);
  }
  return out;
}

export interface WriterStats {
  requests: number;
  intakes: number;
  steps: number;
  failures: string[];
  ms: number;
}

/**
 * `writers` parallel writers, each reporting `rounds` cases through the API (some registered at intake)
 * and taking a step on most of the others (register or void), spread over `apps` round robin; with
 * `pauseMs`, each writer waits that long (at random) before each request: a sustained rate, not a burst.
 */
export async function runWriters(opts: {
  apps: FastifyInstance[];
  session: Session;
  points: [number, number][];
  writers: number;
  rounds: number;
  tag: string;
  pauseMs?: [number, number];
}): Promise<WriterStats> {
  const stats: WriterStats = { requests: 0, intakes: 0, steps: 0, failures: [], ms: 0 };
  const started = performance.now();
  const pause = () => (opts.pauseMs ? sleep(rand(...opts.pauseMs)) : Promise.resolve());
  const writer = async (w: number) => {
    for (let r = 0; r < opts.rounds; r++) {
      await pause();
      const app = opts.apps[(w + r) % opts.apps.length]!;
      const p = east(opts.points[(w + r) % opts.points.length]!, rand(0, 900));
      const register = Math.random() < 0.4;
      stats.requests += 1;
      const res = await call(app, opts.session, {
        url: '/api/incidents',
        body: { category: '0504', source: 'public', description: `${opts.tag} 写入者 ${w} 第 ${r} 件`, lon: p[0], lat: p[1], register },
      });
      if (res.status !== 201) {
        stats.failures.push(`intake: ${res.status} ${res.body.slice(0, 200)}`);
        continue;
      }
      stats.intakes += 1;
      if (register) continue;
      const dice = Math.random();
      const step = dice < 0.5 ? { action: 'register', body: {} } : dice < 0.8 ? { action: 'void', body: { reason: '重复举报' } } : null;
      if (!step) continue;
      await pause();
      // the step sometimes on the other instance
      const other = opts.apps[rand(0, opts.apps.length - 1)]!;
      stats.requests += 1;
      const s = await call(other, opts.session, { url: `/api/incidents/${res.json.incident.id}/${step.action}`, body: step.body });
      if (s.status !== 200) stats.failures.push(`${step.action}: ${s.status} ${s.body.slice(0, 200)}`);
      else stats.steps += 1;
    }
  };
  await Promise.all(Array.from({ length: opts.writers }, (_, w) => writer(w)));
  stats.ms = Math.round(performance.now() - started);
  return stats;
}

/** Polls until `ok()` or throws after `ms` with what `why()` says. */
export async function until(ok: () => boolean | Promise<boolean>, ms: number, why: () => string): Promise<void> {
  const started = Date.now();
  while (!(await ok())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms: ${why()}`);
    await sleep(50);
  }
}

/** One server instance on its own pool (as a separate process would have), listening on loopback. */
export interface Instance {
  label: string;
  app: FastifyInstance;
  base: string;
  db: Database;
}

/**
 * The live-order scenario on one instance, and on PostgreSQL on two (CLUSTER=true, each on its own
 * pool of the file's database); the instances are closed after each test.
 */
export function describeOneAndTwoInstances(
  title: string,
  opts: { serveClient?: boolean; timeoutMs: number; one: string; two: string },
  scenario: (instances: Instance[], tag: string) => Promise<void>,
): void {
  const mode = inject('databaseMode');
  const open: Instance[] = [];
  afterEach(async () => {
    for (const i of open.splice(0)) {
      await i.app.close();
      await i.db.close();
    }
  });
  const instance = async (label: string, db: Database): Promise<Instance> => {
    const app = await testApp(db, { serveClient: opts.serveClient, config: { cluster: mode === 'external' } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const inst = { label, app, db, base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
    open.push(inst);
    return inst;
  };
  const secondPool = (): Database => {
    const url = testDatabaseUrl();
    const pool = new pg.Pool({ connectionString: url, max: 8 });
    return { pool, mode: 'external', dialect: dialectFor('external'), url, close: () => pool.end() };
  };
  describe(`${title} (${mode} database)`, () => {
    it(
      opts.one,
      async () => {
        await scenario([await instance('A', testDatabase())], 'one instance');
      },
      opts.timeoutMs,
    );
    it.skipIf(mode !== 'external')(
      `${opts.two} (external PostgreSQL only: the embedded database serves one instance)`,
      async () => {
        await scenario([await instance('A', testDatabase()), await instance('B', secondPool())], 'two instances');
      },
      opts.timeoutMs,
    );
  });
}

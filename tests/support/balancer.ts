// HAProxy from deploy/haproxy.cfg as a child process of a test, and the clients that go through it:
// consoles that implement the live protocol (server/live/socket.ts, client/src/common/live-client.svelte.ts)
// and writers that report cases with an Idempotency-Key and retry until they are acknowledged.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { freePort } from './server-process.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const HAPROXY = '/usr/sbin/haproxy';
export const HAPROXY_CONFIG = path.join(ROOT, 'deploy', 'haproxy.cfg');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The cookie HAProxy inserts to keep a browser on one instance (deploy/haproxy.cfg, backend zhihui). */
export const STICKY_COOKIE = 'ZHIHUI_SRV';

export interface ServerStat {
  name: string;
  /** UP, DOWN, MAINT, "UP 1/2" (going down), "DOWN 1/2" (coming up)… */
  status: string;
  /** connection retries and redispatches HAProxy made for this server */
  retries: number;
  redispatches: number;
}

export interface LogLine {
  /** Date.now() when HAProxy accepted the request, and how long until the answer was complete (%Ta) */
  acceptedAt: number;
  totalMs: number;
  server: string;
  status: number;
  /** retries before the answer (%rc); a redispatch to another instance is among them */
  retries: number;
  redispatched: boolean;
  request: string;
}

export interface Balancer {
  port: number;
  base: string;
  /** A command on the runtime API (the admin socket), its answer. */
  admin(command: string): Promise<string>;
  servers(): Promise<Record<string, ServerStat>>;
  /** Until HAProxy's health checks have put `server` in (UP) or out (DOWN) of the rotation. */
  waitFor(server: string, status: 'UP' | 'DOWN', timeoutMs?: number): Promise<number>;
  /** HAProxy's request log (one line per HTTP request; a WebSocket logs when it closes) */
  log(): LogLine[];
  output(): string;
  stop(): Promise<void>;
}

/**
 * HAProxy in the foreground (-db) with deploy/haproxy.cfg unchanged: the listening address, the
 * instances' addresses and the admin socket come from the environment the file reads.
 */
export async function startBalancer(servers: { app1: number; app2: number }, dir: string): Promise<Balancer> {
  const port = await freePort();
  const socketPath = path.join(dir, 'haproxy-admin.sock');
  const env = {
    ...process.env,
    ZHIHUI_LISTEN: `127.0.0.1:${port}`,
    ZHIHUI_APP1: `127.0.0.1:${servers.app1}`,
    ZHIHUI_APP2: `127.0.0.1:${servers.app2}`,
    HAPROXY_ADMIN_SOCKET: socketPath,
    HAPROXY_UNPRIVILEGED: '1',
    HAPROXY_LOG_STDOUT: '1',
    // the production default needs a file limit of 40 000; a test needs a few hundred connections
    HAPROXY_MAXCONN: '2000',
  };
  const check = spawn(HAPROXY, ['-c', '-q', '-f', HAPROXY_CONFIG], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let checkOut = '';
  check.stdout!.on('data', (d) => (checkOut += d));
  check.stderr!.on('data', (d) => (checkOut += d));
  const checked = await new Promise<number | null>((resolve) => check.on('exit', resolve));
  if (checked !== 0) throw new Error(`haproxy -c ${HAPROXY_CONFIG}: ${checked}\n${checkOut}`);

  const child: ChildProcess = spawn(HAPROXY, ['-db', '-f', HAPROXY_CONFIG], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let alive = true;
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) =>
    child.on('exit', () => {
      alive = false;
      resolve();
    }),
  );

  const admin = (command: string) =>
    new Promise<string>((resolve, reject) => {
      const conn = net.createConnection(socketPath);
      let answer = '';
      conn.setEncoding('utf8');
      conn.on('connect', () => conn.write(`${command}\n`));
      conn.on('data', (d) => (answer += d));
      conn.on('end', () => resolve(answer));
      conn.on('error', reject);
    });

  const servers_ = async (): Promise<Record<string, ServerStat>> => {
    const csv = (await admin('show stat')).trim().split('\n');
    const head = csv[0]!.replace(/^# /, '').split(',');
    const col = (row: string[], name: string) => row[head.indexOf(name)] ?? '';
    const result: Record<string, ServerStat> = {};
    for (const line of csv.slice(1)) {
      const row = line.split(',');
      if (col(row, 'pxname') !== 'zhihui' || ['FRONTEND', 'BACKEND'].includes(col(row, 'svname'))) continue;
      result[col(row, 'svname')] = {
        name: col(row, 'svname'),
        status: col(row, 'status'),
        retries: Number(col(row, 'wretr')) || 0,
        redispatches: Number(col(row, 'wredis')) || 0,
      };
    }
    return result;
  };

  const started = performance.now();
  for (;;) {
    if (!alive) throw new Error(`haproxy exited:\n${out}`);
    try {
      const s = await servers_();
      if (s.app1?.status === 'UP' && s.app2?.status === 'UP') break;
    } catch {
      /* not listening yet */
    }
    if (performance.now() - started > 15_000) throw new Error(`haproxy not ready with both instances UP after 15 s:\n${out}`);
    await sleep(100);
  }

  // deploy/haproxy.cfg's log-format: "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %{+Q}r id=%ID"
  const LINE = /\[(\d+)\/(\w+)\/(\d+):(\d+:\d+:\d+\.\d+)\] zhihui zhihui\/(\S+) \S+\/(-?\d+) (-?\d+) \S+ \S+ \d+\/\d+\/\d+\/\d+\/(\+?)(\d+) \S+ "([^"]*)"/;
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    admin,
    servers: servers_,
    async waitFor(server, status, timeoutMs = 30_000) {
      const began = performance.now();
      for (;;) {
        const s = (await servers_())[server];
        if (s?.status === status) return performance.now() - began;
        if (performance.now() - began > timeoutMs) throw new Error(`haproxy: ${server} is ${s?.status}, not ${status}, after ${timeoutMs} ms`);
        await sleep(100);
      }
    },
    log() {
      const lines: LogLine[] = [];
      for (const l of out.split('\n')) {
        const m = LINE.exec(l);
        if (!m) continue;
        // HAProxy logs local time, as this process reads it
        const acceptedAt = new Date(`${m[2]} ${m[1]}, ${m[3]} ${m[4]}`).getTime();
        lines.push({
          acceptedAt,
          totalMs: Number(m[6]),
          server: m[5]!,
          status: Number(m[7]),
          redispatched: m[8] === '+',
          retries: Number(m[9]),
          request: m[10]!,
        });
      }
      return lines;
    },
    output: () => out,
    async stop() {
      if (alive) child.kill('SIGTERM');
      await exited;
      fs.rmSync(socketPath, { force: true });
    },
  };
}

export async function loginThrough(
  base: string,
  loginName: string,
  password: string,
): Promise<{ token: string; user: { id: number; districtAdcode: string | null } }> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: loginName, password }),
    });
    if (res.status === 200) return res.json();
    if (attempt === 5) throw new Error(`login ${loginName}: ${res.status} ${await res.text()}`);
    await sleep(1000);
  }
}

interface LiveEvent {
  seq: number;
  prev?: number;
  type: string;
}

/**
 * A city-wide console's live feed through the balancer, with the client's protocol: buffer from the
 * connect, catch up from GET /api/events?after=<last applied> after every `ready`, then apply the
 * buffer; a live event whose `prev` is above the last applied seq means one went past unseen: fill the
 * gap from the log first. Every applied seq is recorded, so a test can compare the list with the log.
 */
export class LogListener {
  readonly socket: Socket;
  /** seqs applied, in the order applied */
  readonly applied: number[] = [];
  /** the head at the first `ready`: everything after it must be applied */
  baseline: number | null = null;
  lastApplied = 0;
  connects = 0;
  readonly disconnects: { at: number; reason: string }[] = [];
  readonly readies: number[] = [];
  /** performance.now() when a catch-up after a reconnect finished */
  readonly caughtUpAt: number[] = [];
  /** events applied from GET /api/events (missed while away) */
  fromLog = 0;
  /** live events dropped because they were already applied (the live copy of a caught-up one) */
  duplicatesDropped = 0;
  gapFills = 0;
  serverClosing = 0;
  catchUpErrors = 0;
  private buffer: LiveEvent[] | null = null;
  private generation = 0;
  private stopped = false;

  constructor(
    private readonly base: string,
    private readonly token: string,
    readonly transport: 'websocket' | 'polling',
    readonly pinnedTo: string,
  ) {
    this.socket = io(base, {
      auth: { token },
      transports: [transport],
      forceNew: true,
      // as the console: socket.io reconnects by itself after a lost transport
      reconnectionDelay: 1000,
      reconnectionDelayMax: 8000,
      // a browser that loaded the console from `pinnedTo` carries HAProxy's cookie naming it
      extraHeaders: { cookie: `${STICKY_COOKIE}=${pinnedTo}` },
      // polling keeps the cookie HAProxy sets when it sends the session elsewhere (Node's cookie jar)
      withCredentials: transport === 'polling',
    });
    this.socket.on('connect', () => {
      this.connects += 1;
      this.buffer = [];
    });
    this.socket.on('ready', (r: { seq: number }) => {
      this.readies.push(performance.now());
      if (this.baseline === null) {
        this.baseline = r.seq;
        this.lastApplied = r.seq;
      }
      void this.catchUp(false);
    });
    this.socket.on('event', (e: LiveEvent) => {
      if (this.buffer) this.buffer.push(e);
      else if (typeof e.prev === 'number' && e.prev > this.lastApplied) {
        this.buffer = [e];
        this.gapFills += 1;
        void this.catchUp(true);
      } else this.apply(e, false);
    });
    this.socket.on('server_closing', () => (this.serverClosing += 1));
    this.socket.on('disconnect', (reason) => {
      this.generation += 1;
      this.buffer = null;
      this.disconnects.push({ at: performance.now(), reason });
      // the server closed the socket itself (a failed join): socket.io leaves reconnecting to us
      if (reason === 'io server disconnect' && !this.stopped) setTimeout(() => this.socket.connect(), 1000);
    });
    this.socket.on('connect_error', () => {
      if (!this.socket.active && !this.stopped) setTimeout(() => this.socket.connect(), 1000);
    });
  }

  /** The instance HAProxy sends this console's requests to now, as its cookie says. */
  get cookieServer(): string {
    const jar = (this.socket.io.engine as unknown as { _cookieJar?: { _cookies: Map<string, { value: string }> } })?._cookieJar;
    return jar?._cookies.get(STICKY_COOKIE)?.value ?? this.pinnedTo;
  }

  ready(timeoutMs = 15_000): Promise<void> {
    return this.until(() => this.baseline !== null && this.buffer === null, timeoutMs, 'ready');
  }

  /** Until every seq up to `seq` is applied and the feed is live. */
  reached(seq: number, timeoutMs = 30_000): Promise<void> {
    return this.until(() => this.lastApplied >= seq && this.buffer === null && this.socket.connected, timeoutMs, `seq ${seq}`);
  }

  close(): void {
    this.stopped = true;
    this.socket.close();
  }

  private async until(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const began = performance.now();
    while (!pred()) {
      if (performance.now() - began > timeoutMs) {
        throw new Error(
          `${this.transport} listener (${this.pinnedTo}): no ${what} after ${timeoutMs} ms (last applied ${this.lastApplied}, connected ${this.socket.connected})`,
        );
      }
      await sleep(20);
    }
  }

  private apply(e: LiveEvent, fromLog: boolean): void {
    if (e.seq <= this.lastApplied) {
      if (!fromLog) this.duplicatesDropped += 1;
      return;
    }
    this.applied.push(e.seq);
    this.lastApplied = e.seq;
    if (fromLog) this.fromLog += 1;
  }

  /** After `ready` (or a gap): page the log from the last applied seq, then apply what was held back. */
  private async catchUp(gap: boolean): Promise<void> {
    const gen = ++this.generation;
    this.buffer ??= [];
    for (;;) {
      try {
        for (;;) {
          const res = await fetch(`${this.base}/api/events?after=${this.lastApplied}&limit=500`, {
            headers: { authorization: `Bearer ${this.token}`, cookie: `${STICKY_COOKIE}=${this.cookieServer}` },
            signal: AbortSignal.timeout(10_000),
          });
          if (res.status !== 200) throw new Error(`GET /api/events: ${res.status}`);
          const page = (await res.json()) as { events: LiveEvent[]; more: boolean };
          if (gen !== this.generation) return;
          for (const e of page.events) this.apply(e, true);
          if (!page.more) break;
        }
        // what arrived meanwhile, in seq order; one whose predecessor is still missing sends us round again
        const pending: LiveEvent[] = (this.buffer ?? []).sort((a, b) => a.seq - b.seq);
        const blocked = pending.findIndex((e) => e.seq > this.lastApplied && typeof e.prev === 'number' && e.prev > this.lastApplied);
        if (blocked >= 0) {
          for (const e of pending.slice(0, blocked)) this.apply(e, false);
          this.buffer = pending.slice(blocked);
          continue;
        }
        this.buffer = null;
        for (const e of pending) this.apply(e, false);
        if (!gap) this.caughtUpAt.push(performance.now());
        return;
      } catch {
        if (gen !== this.generation) return;
        // the instance answering went away mid catch-up: try again (the socket's own reconnect restarts it otherwise)
        this.catchUpErrors += 1;
        await sleep(500);
        if (gen !== this.generation || !this.socket.connected) return;
      }
    }
  }
}

export interface WriteStats {
  acknowledged: { key: string; id: number; code: string; attempts: number; replayed: boolean }[];
  /** attempts that did not get a 2xx: status or error, when */
  failures: { status: number | string; at: number; body: string }[];
  /** writes given up after every retry */
  unrecovered: { key: string; last: string }[];
}

/**
 * Reports cases through the balancer until `stop()`: `count` writers one after the other with `pauseMs`
 * between cases, each case with its own Idempotency-Key and resent with the same key until acknowledged
 * (2xx), as the console's intake form does.
 */
export function startWriters(
  base: string,
  token: string,
  opts: { count: number; pauseMs: number; point: () => [number, number]; tag: string },
): { stats: WriteStats; stop(): Promise<void> } {
  const { count, pauseMs, point, tag } = opts;
  const stats: WriteStats = { acknowledged: [], failures: [], unrecovered: [] };
  let stopping = false;
  const one = async (w: number) => {
    for (let n = 0; !stopping; n++) {
      const key = randomUUID();
      const [lon, lat] = point();
      const body = JSON.stringify({ category: '0102', source: 'public', description: `${tag} writer ${w} case ${n}`, lon, lat });
      let done = false;
      let last = '';
      for (let attempt = 1; attempt <= 20 && !done; attempt++) {
        try {
          const res = await fetch(`${base}/api/incidents`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
            body,
            signal: AbortSignal.timeout(20_000),
          });
          const text = await res.text();
          if (res.status === 201 || res.status === 200) {
            const j = JSON.parse(text) as { incident: { id: number; code: string }; replayed: boolean };
            stats.acknowledged.push({ key, id: j.incident.id, code: j.incident.code, attempts: attempt, replayed: j.replayed });
            done = true;
            break;
          }
          last = `${res.status} ${text.slice(0, 200)}`;
          stats.failures.push({ status: res.status, at: performance.now(), body: text.slice(0, 200) });
        } catch (err) {
          const e = err as Error & { cause?: { code?: string } };
          last = `${e.name}: ${e.cause?.code ?? e.message}`;
          stats.failures.push({ status: e.cause?.code ?? e.name, at: performance.now(), body: e.message });
        }
        await sleep(Math.min(200 * attempt, 1000));
      }
      if (!done) stats.unrecovered.push({ key, last });
      await sleep(pauseMs);
    }
  };
  const running = Array.from({ length: count }, (_, w) => one(w));
  return {
    stats,
    async stop() {
      stopping = true;
      await Promise.all(running);
    },
  };
}

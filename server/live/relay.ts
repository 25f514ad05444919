import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { isDatabaseUnavailable } from '../db/availability.ts';

/** The channels instances talk on. Events themselves travel through the log (server/events/bus.ts). */
export const channels = {
  /** an append committed (migration 015's trigger); no payload: read the log */
  events: 'zhihui_events',
  positions: 'zhihui_positions',
  sessions: 'zhihui_sessions',
  /** the holiday calendar changed (server/holidays): reload it */
  calendar: 'zhihui_calendar',
} as const;
type Channel = (typeof channels)[keyof typeof channels];

/** NOTIFY payloads must stay under 8000 bytes. */
const MAX_PAYLOAD = 7_000;
const HEARTBEAT_MS = 10_000;
const MAX_BACKOFF_MS = 5_000;

interface Envelope {
  from: string;
  data: unknown;
}

/**
 * What instances tell each other through PostgreSQL LISTEN/NOTIFY, on one dedicated connection that
 * is not from the pool (a LISTEN must outlive any request). When the connection drops (a restart,
 * a failover, a cut network) it reconnects with backoff and says so, and its owner reads the log
 * for what it might have missed; a heartbeat finds a connection that died silently.
 */
export class PgRelay {
  readonly instance = randomUUID().slice(0, 8);
  private client: pg.Client | null = null;
  private readonly handlers = new Map<Channel, (data: unknown) => void>();
  private readonly reconnected: Array<() => void> = [];
  private backoff = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private wasDown = false;

  constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
    private readonly log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void },
  ) {}

  /** true while the LISTEN connection is up */
  get listening(): boolean {
    return this.client !== null;
  }

  /** `fn` gets what other instances sent on `channel` (never this instance's own messages). */
  on(channel: Channel, fn: (data: unknown) => void): void {
    this.handlers.set(channel, fn);
  }

  /** Called after every reconnection: notifications sent meanwhile are lost. */
  onReconnect(fn: () => void): void {
    this.reconnected.push(fn);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.timer = this.heartbeat = null;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  /** Tell the other instances; a message that does not fit is split by the caller (see `chunks`). */
  async send(channel: Channel, data: unknown): Promise<void> {
    const payload = JSON.stringify({ from: this.instance, data } satisfies Envelope);
    try {
      await this.pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
    } catch (err) {
      // other instances miss this one (positions are superseded by the next, sessions are swept)
      if (!isDatabaseUnavailable(err)) this.log.warn({ err, channel }, 'relay: notify failed');
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5_000, keepAlive: true, query_timeout: 5_000 });
    // without a listener an 'error' would end the process (issue 11); the 'end' that follows reconnects
    client.on('error', (err) => this.log.warn({ err: err.message }, 'relay: listening connection failed'));
    client.on('end', () => {
      if (this.client !== client) return;
      this.client = null;
      this.down();
    });
    client.on('notification', (msg) => this.receive(msg.channel as Channel, msg.payload));
    try {
      await client.connect();
      for (const channel of Object.values(channels)) await client.query(`LISTEN ${channel}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      this.wasDown = true;
      this.retry(err);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.backoff = 0;
    this.heartbeat ??= setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
    if (this.wasDown) {
      this.wasDown = false;
      this.log.info({}, 'relay: listening again');
      for (const fn of this.reconnected) fn();
    }
  }

  private down(): void {
    if (this.stopped) return;
    this.wasDown = true;
    this.retry(null);
  }

  private retry(err: unknown): void {
    if (this.stopped || this.timer) return;
    this.backoff = Math.min(Math.max(this.backoff * 2, 250), MAX_BACKOFF_MS);
    if (err) this.log.warn({ err: (err as Error).message, retryMs: this.backoff }, 'relay: cannot listen; retrying');
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, this.backoff);
    this.timer.unref();
  }

  /** A connection can die without a word (a cut network): ask it something now and then. */
  private async beat(): Promise<void> {
    const client = this.client;
    if (!client) return;
    try {
      await client.query('SELECT 1');
    } catch {
      if (this.client === client) {
        this.client = null;
        await client.end().catch(() => undefined);
        this.down();
      }
    }
  }

  private receive(channel: Channel, payload: string | undefined): void {
    const fn = this.handlers.get(channel);
    if (!fn) return;
    if (channel === channels.events) {
      fn(null);
      return;
    }
    let msg: Envelope;
    try {
      msg = JSON.parse(payload ?? '') as Envelope;
    } catch {
      return; // not ours
    }
    if (msg.from === this.instance) return;
    try {
      fn(msg.data);
    } catch (err) {
      this.log.warn({ err, channel }, 'relay: handler failed');
    }
  }
}

/** Splits a list into pieces whose JSON fits in one NOTIFY. */
export function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  let piece: T[] = [];
  let size = 0;
  for (const item of items) {
    const n = JSON.stringify(item).length + 1;
    if (piece.length && size + n > MAX_PAYLOAD) {
      out.push(piece);
      piece = [];
      size = 0;
    }
    piece.push(item);
    size += n;
  }
  if (piece.length) out.push(piece);
  return out;
}

import { beforeAll, beforeEach, afterEach, describe, expect, it, vi } from 'vitest';
import type { EventsPage, LiveEvent } from '../../client/src/common/cases/types.ts';
import type { ApplyContext, LiveClient } from '../../client/src/common/live-client.svelte.ts';
import { CATCH_UP_PAGE, CATCH_UP_REPLAY_MAX } from '../../shared/cases/catch-up.ts';
import { browserGlobals } from './browser-globals.ts';

/** socket.io's client as the live client uses it; the test plays the server's side. */
class FakeSocket {
  connected = false;
  active = true;
  connects = 0;
  private readonly handlers = new Map<string, ((...args: unknown[]) => void)[]>();
  readonly io = { engine: { close: () => this.drop('transport close') } };
  on(event: string, fn: (...args: unknown[]) => void) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
    return this;
  }
  /** the server sends `event` */
  serverSends(event: string, ...args: unknown[]) {
    for (const fn of this.handlers.get(event) ?? []) fn(...args);
  }
  /** the handshake succeeds and the server has joined the socket to its rooms */
  open() {
    this.connected = true;
    this.serverSends('connect');
    this.serverSends('ready');
  }
  drop(reason: string) {
    this.connected = false;
    this.serverSends('disconnect', reason);
  }
  connect() {
    this.connects += 1;
  }
  disconnect() {
    this.connected = false;
  }
  removeAllListeners() {
    this.handlers.clear();
  }
}

const sockets = vi.hoisted(() => [] as unknown[]);
const eventsAfter = vi.hoisted(() => vi.fn<(after: number, limit?: number) => Promise<EventsPage>>());
const me = vi.hoisted(() => vi.fn<() => Promise<unknown>>());
vi.mock('socket.io-client', () => ({
  io: () => {
    const s = new FakeSocket();
    sockets.push(s);
    return s;
  },
}));
vi.mock('../../client/src/common/api.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../client/src/common/api.ts')>()),
  api: { eventsAfter, me },
}));

/** the server's event log (GET /api/events?after=) */
let log: LiveEvent[] = [];
let prevSent = 0;
const event = (seq: number): LiveEvent => ({
  seq,
  incidentId: 100 + seq,
  type: 'incident.registered',
  actorUserId: 1,
  payload: { code: `C${seq}`, from: 'reported', to: 'registered' },
  occurredAt: new Date(seq * 1000).toISOString(),
  position: null,
  districtAdcode: '510104',
  officerIds: [],
});
/** events written to the log (and not sent to this client) */
const write = (...seqs: number[]) => log.push(...seqs.map(event));
/** an event written to the log and sent over the socket, with `prev` the seq sent to the room before it */
function send(s: FakeSocket, seq: number, prev = prevSent) {
  write(seq);
  prevSent = seq;
  s.serverSends('event', { ...event(seq), prev });
}
const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};

let Client: typeof LiveClient;
let session: typeof import('../../client/src/common/session.svelte.ts').session;
let hook: { errors: string[]; live: string; lastSeq: number };
let live: LiveClient;
let applied: { seq: number; ctx: ApplyContext }[];
/** events committed while the snapshot loads (after the head was read, before the snapshot was) */
let duringSnapshot: number[];
let resyncs: number;
let resyncWhy: string[];

beforeAll(async () => {
  browserGlobals();
  ({ LiveClient: Client } = await import('../../client/src/common/live-client.svelte.ts'));
  ({ session } = await import('../../client/src/common/session.svelte.ts'));
  hook = (window as unknown as { __zhihui: typeof hook }).__zhihui;
});
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  sockets.length = 0;
  log = [];
  prevSent = 0;
  hook.errors.length = 0;
  eventsAfter.mockReset().mockImplementation(async (after, limit = 1000) => {
    const rest = log.filter((e) => e.seq > after).sort((a, b) => a.seq - b.seq);
    return { events: rest.slice(0, limit), more: rest.length > limit, head: log.reduce((m, e) => Math.max(m, e.seq), 0) };
  });
  me.mockReset().mockResolvedValue({ id: 1 });
  applied = [];
  resyncs = 0;
  resyncWhy = [];
  duringSnapshot = [];
  live = new Client();
  live.trace = [];
  live.start({
    resync: async (why) => {
      resyncs += 1;
      resyncWhy.push(why);
      write(...duringSnapshot);
      duringSnapshot = [];
    },
    onEvent: (e, ctx) => applied.push({ seq: e.seq, ctx }),
  });
});
afterEach(() => {
  live.stop();
  session.token = null;
  vi.useRealTimers();
});

const socket = () => sockets.at(-1) as FakeSocket;
const seqs = (filter: (ctx: ApplyContext) => boolean = () => true) => applied.filter((a) => filter(a.ctx)).map((a) => a.seq);

/** First connection on a log holding 1..snapshot when its head is read; snapshot+1..head are written while the snapshot loads. */
async function firstConnection(head: number, snapshot: number) {
  write(...Array.from({ length: snapshot }, (_, i) => i + 1));
  duringSnapshot = Array.from({ length: head - snapshot }, (_, i) => snapshot + i + 1);
  prevSent = head;
  socket().open();
  await settle();
}

describe('the live client: catch-up and gap filling (client/src/common/live-client.svelte.ts)', () => {
  it('on the first connection, applies the walk from the snapshot to the head silently, then goes live', async () => {
    await firstConnection(10, 7);
    expect(resyncs).toBe(1);
    // the head first (limit 0), before the snapshot; then the walk from it
    expect(eventsAfter.mock.calls.slice(0, 2)).toEqual([
      [0, 0],
      [7, 5000],
    ]);
    expect(applied).toEqual([8, 9, 10].map((seq) => ({ seq, ctx: { silent: true, caughtUp: true } })));
    expect(live.status).toBe('live');
    expect(live.lastSeq).toBe(10);
    expect(hook).toMatchObject({ live: 'live', lastSeq: 10 });
    send(socket(), 11);
    expect(applied.at(-1)).toEqual({ seq: 11, ctx: { silent: false, caughtUp: false } });
    expect(live.trace).toEqual([8, 9, 10, 11]);
  });

  it('holds back live events that arrive while catching up, and applies each once, in seq order', async () => {
    write(1, 2, 3);
    prevSent = 3;
    const s = socket();
    s.connected = true;
    s.serverSends('connect');
    // the server writes 4 and 5 and sends them just after the client has read the head
    eventsAfter.mockImplementationOnce(async () => {
      send(s, 4);
      send(s, 5);
      return { events: [], more: false, head: 3 };
    });
    s.serverSends('ready');
    expect(applied).toEqual([]);
    expect(live.status).toBe('catching-up');
    await settle();
    expect(live.trace).toEqual([4, 5]);
    expect(live.status).toBe('live');
  });

  it('after a reconnect, applies what it missed from the log (not silently), then what came meanwhile, each once', async () => {
    await firstConnection(5, 5);
    send(socket(), 6);
    socket().drop('transport close');
    expect(live.status).toBe('connecting');
    expect(live.wasLive).toBe(true);
    write(7, 8, 9);
    prevSent = 9;
    const s = socket();
    s.connected = true;
    s.serverSends('connect');
    send(s, 10); // arrives before the catch-up has paged the log, which by then holds it too
    s.serverSends('ready');
    await settle();
    expect(resyncs).toBe(1); // the snapshot is not loaded again: the log is enough
    expect(seqs((c) => c.caughtUp)).toEqual([7, 8, 9, 10]);
    expect(seqs((c) => c.silent)).toEqual([]);
    expect(live.trace).toEqual([6, 7, 8, 9, 10]);
    expect(live.lastCatchUp).toMatchObject({ count: 4 });
    expect(live.status).toBe('live');
  });

  it('applies what came over the socket during the catch-up in seq order, after the log, whatever order it came in', async () => {
    await firstConnection(3, 3);
    socket().drop('transport close');
    write(4);
    let answer!: (page: EventsPage) => void;
    eventsAfter.mockImplementationOnce(() => new Promise((r) => (answer = r)));
    const s = socket();
    s.open();
    await settle();
    // committed after the log was read: 6 from one room comes before 5 from another
    send(s, 6, 4);
    send(s, 5, 4);
    answer({ events: [event(4)], more: false, head: 6 });
    await settle();
    expect(live.trace).toEqual([4, 5, 6]);
    expect(live.lastSeq).toBe(6);
  });

  it('applies a gap of up to CATCH_UP_REPLAY_MAX events from one large page', async () => {
    await firstConnection(1, 1);
    socket().drop('transport close');
    write(...Array.from({ length: CATCH_UP_REPLAY_MAX }, (_, i) => i + 2));
    eventsAfter.mockClear();
    socket().open();
    await settle();
    expect(eventsAfter.mock.calls).toEqual([[1, CATCH_UP_PAGE]]);
    expect(live.trace).toEqual(Array.from({ length: CATCH_UP_REPLAY_MAX }, (_, i) => i + 2));
    expect(resyncs).toBe(1);
    expect(live.lastCatchUp).toMatchObject({ count: CATCH_UP_REPLAY_MAX, reloaded: false });
  });

  it('away beyond the threshold: reloads the state instead of replaying, and resumes from the head', async () => {
    await firstConnection(1, 1);
    socket().drop('transport close');
    write(...Array.from({ length: 12_000 }, (_, i) => i + 2));
    prevSent = 12_001;
    duringSnapshot = [12_002, 12_003];
    eventsAfter.mockClear();
    const s = socket();
    s.open();
    await settle();
    // one page to decide, the reload, then the walk from the head it read (what came during the reload)
    expect(eventsAfter.mock.calls).toEqual([
      [1, CATCH_UP_PAGE],
      [12_001, CATCH_UP_PAGE],
    ]);
    expect(resyncWhy).toEqual(['start', 'behind']);
    expect(live.reloads).toBe(1);
    // nothing of the gap is replayed; what came during the reload is applied silently
    expect(live.trace).toEqual([12_002, 12_003]);
    expect(seqs((c) => c.silent)).toEqual([12_002, 12_003]);
    expect(live.lastSeq).toBe(12_003);
    expect(live.lastCatchUp).toMatchObject({ reloaded: true });
    expect(live.status).toBe('live');
    send(s, 12_004, 12_003);
    expect(live.trace?.at(-1)).toBe(12_004);
  });

  it('fills a gap in the live feed from the log: an event whose prev it has not seen waits for the ones before it', async () => {
    await firstConnection(3, 3);
    write(4, 5); // sent to the room but lost (a reconnect's race, a server restart)
    prevSent = 5;
    eventsAfter.mockClear();
    send(socket(), 6);
    // not applied before 4 and 5
    expect(live.trace).toEqual([]);
    await settle();
    expect(eventsAfter.mock.calls[0]![0]).toBe(3);
    expect(live.trace).toEqual([4, 5, 6]);
    expect(live.gapFills).toBe(1);
    expect(live.status).toBe('live');
    // and the feed goes on as before
    send(socket(), 7);
    expect(live.trace).toEqual([4, 5, 6, 7]);
    expect(live.gapFills).toBe(1);
  });

  it('applies an event it has already applied only once, and one from before the snapshot never', async () => {
    await firstConnection(4, 4);
    const s = socket();
    send(s, 5);
    s.serverSends('event', { ...event(5), prev: 4 });
    s.serverSends('event', { ...event(3), prev: 2 });
    expect(live.trace).toEqual([5]);
    expect(live.applied).toBe(1);
  });

  it('retries a failed catch-up after a pause, and says so', async () => {
    await firstConnection(2, 2);
    socket().drop('transport close');
    write(3, 4);
    eventsAfter.mockRejectedValueOnce(new Error('HTTP 503'));
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    socket().open();
    await settle();
    expect(live.status).toBe('catching-up');
    expect(hook.errors.some((m) => /catch-up failed/.test(m) && /HTTP 503/.test(m))).toBe(true);
    expect(logged).toHaveBeenCalledTimes(1);
    logged.mockRestore();
    expect(live.trace).toEqual([]);
    await vi.advanceTimersByTimeAsync(4000);
    await settle();
    expect(live.trace).toEqual([3, 4]);
    expect(live.status).toBe('live');
  });

  it('abandons a catch-up when the connection drops during it: nothing of it is applied, the next one does it', async () => {
    await firstConnection(2, 2);
    socket().drop('transport close');
    write(3, 4);
    let answer!: (page: EventsPage) => void;
    eventsAfter.mockImplementationOnce(() => new Promise((r) => (answer = r)));
    socket().open();
    await settle();
    socket().drop('transport close'); // the page is still on its way
    answer({ events: [event(3), event(4)], more: false, head: 4 });
    await settle();
    expect(live.trace).toEqual([]);
    socket().open();
    await settle();
    expect(live.trace).toEqual([3, 4]);
  });

  it('without a connection after a few seconds, loads the snapshot anyway', async () => {
    expect(resyncs).toBe(0);
    await vi.advanceTimersByTimeAsync(6000);
    expect(resyncs).toBe(1);
  });

  it('when the server closes the socket, asks whether the session is still valid, and connects again if so', async () => {
    await firstConnection(1, 1);
    socket().drop('io server disconnect');
    await settle();
    expect(me).toHaveBeenCalledTimes(1);
    expect(socket().connects).toBe(1);
  });

  it('when the session is over (a 401 has ended it), does not reconnect; on any other failure, tries again later', async () => {
    session.token = 'token-1';
    await firstConnection(1, 1);
    me.mockRejectedValueOnce(new Error('网络错误 network error'));
    socket().drop('io server disconnect');
    await settle();
    expect(socket().connects).toBe(0);
    await vi.advanceTimersByTimeAsync(4000);
    expect(socket().connects).toBe(1);

    me.mockImplementationOnce(async () => {
      session.token = null; // what api.ts does with a 401: the session ends, the login form shows
      throw Object.assign(new Error('HTTP 401'), { status: 401 });
    });
    socket().drop('io server disconnect');
    await settle();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(socket().connects).toBe(1);
  });
});

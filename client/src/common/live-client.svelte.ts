// The live feed over socket.io, with catch-up after every (re)connect.
//
// Every event carries a global, monotonically committed `seq`. The client keeps the highest seq it
// has applied (`lastSeq`) and the set of recently applied seqs. On each connection:
//   1. events that arrive over the socket are buffered while catching up;
//   2. it pages GET /api/events?after=<lastSeq> until `more` is false and applies those;
//   3. it then applies the buffer, sorted by seq;
// an event whose seq was already applied (a live copy of a caught-up one, or a repeat) is skipped,
// so nothing is ever applied twice. Live events come in seq order, each with `prev`: the seq the server
// sent before it to the same room. A `prev` above lastSeq means an event of ours went past unseen (a
// reconnect's race, a server that restarted): the client holds the new one back, fills the gap from
// GET /api/events?after=lastSeq, then applies it. So lastSeq means "everything up to here is applied",
// and nothing is ever applied out of order. The first connection has no lastSeq yet: the caller loads a
// snapshot (open cases) after the socket has joined its rooms, gives a lower bound of the log's head
// (the newest seq in the snapshot's freshest case record), and the walk from there to the head is
// applied silently — the snapshot already shows it.
//
// Each connection attempt sends the session's current token (a refreshed token is used from the
// next reconnect on). When the server ends the session (logout elsewhere, an administrator disabling
// the user, a password reset) it disconnects the socket and refuses the dead token: the client asks
// GET /api/auth/me, whose 401 ends the session (login form with a notice) instead of reconnecting.
import { io, type Socket } from 'socket.io-client';
import { api, errorText } from './api.ts';
import type { LiveEvent, LiveStatus, PositionUpdate } from './cases/types.ts';
import { reportError } from './errors.svelte.ts';
import { setLiveHook } from './test-hook.ts';
import { session, tokenChangeSettled } from './session.svelte.ts';

export interface ApplyContext {
  /** replayed to establish the baseline: the snapshot already reflects it, raise no alerts */
  silent: boolean;
  /** came from GET /api/events (missed while away) rather than the socket */
  caughtUp: boolean;
}

export interface LiveHandlers {
  /** load the snapshot (open cases); answer a seq known to be at or below the log's head (0 if none) */
  resync(): Promise<number>;
  onEvent(e: LiveEvent, ctx: ApplyContext): void;
  onPositions?(batch: PositionUpdate[]): void;
}

const PAGE = 1000;
const MAX_REMEMBERED = 5000;
const RETRY_MS = 4000;
/** without a live connection by then, load the snapshot anyway (the queue is not left empty) */
const SNAPSHOT_FALLBACK_MS = 6000;

export class LiveClient {
  status = $state<LiveStatus>('off');
  lastSeq = $state(0);
  /** true once connected at least once: `connecting` then means reconnecting */
  wasLive = $state(false);
  /** events applied since start, for the header */
  applied = $state(0);
  /** the last reconnection's catch-up: how many missed events it applied, and when it finished */
  lastCatchUp = $state<{ count: number; at: number } | null>(null);
  /** gaps found in the live feed and filled from the log */
  gapFills = 0;
  /** browser tests set this to an array: every applied seq is pushed in the order applied */
  trace: number[] | null = null;

  private socket: Socket | null = null;
  private handlers: LiveHandlers | null = null;
  /** seqs applied recently, in the order applied */
  private readonly seen = new Set<number>();
  /** seqs at or below this are no longer remembered individually and count as applied */
  private forgotten = 0;
  private buffer: LiveEvent[] | null = null;
  private baselineKnown = false;
  private generation = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private fallbackTimer: ReturnType<typeof setTimeout> | null = null;
  /** the server's last word on why it ended this session (socket event `session_ended`) */
  private endedWhy: string | null = null;

  start(handlers: LiveHandlers): void {
    this.stop();
    this.handlers = handlers;
    this.setStatus('connecting');
    // read at every (re)connection: a refreshed token goes with the next one
    const socket = io({ auth: (cb) => cb({ token: session.token }), reconnectionDelay: 1000, reconnectionDelayMax: 8000 });
    this.socket = socket;
    socket.on('connect', () => {
      // events may follow 'ready' at once: buffer from now until the catch-up is done
      this.buffer = [];
      this.endedWhy = null;
      this.setStatus('catching-up');
    });
    socket.on('ready', () => void this.catchUp());
    socket.on('event', (e: LiveEvent & { prev?: number }) => {
      if (this.buffer) this.buffer.push(e);
      else if (typeof e.prev === 'number' && e.prev > this.lastSeq) {
        // something before it is missing here: hold it back until the gap is filled
        this.buffer = [e];
        this.gapFills += 1;
        void this.catchUp(true);
      } else this.apply(e, { silent: false, caughtUp: false });
    });
    socket.on('positions', (batch: PositionUpdate[]) => this.handlers?.onPositions?.(batch));
    // sent just before the server disconnects a session it ended: why, for the login form's notice
    socket.on('session_ended', (m: { message?: unknown }) => {
      if (typeof m?.message === 'string') this.endedWhy = m.message;
    });
    this.fallbackTimer = setTimeout(() => {
      this.fallbackTimer = null;
      if (!this.baselineKnown && this.handlers === handlers) handlers.resync().catch((err: unknown) => reportError(err));
    }, SNAPSHOT_FALLBACK_MS);
    socket.on('disconnect', (reason) => {
      this.generation += 1; // abandon a catch-up in progress
      this.buffer = null;
      if (reason === 'io client disconnect') return;
      this.setStatus('connecting');
      // the server closed the socket itself (its session was ended, or it is shutting down): socket.io
      // does not reconnect on its own. A session that is over goes to the login form, not round again.
      if (reason === 'io server disconnect') this.checkSessionThenRetry(socket, true);
    });
    socket.on('connect_error', (err) => {
      this.setStatus('connecting');
      if (socket.active) return; // socket.io retries by itself
      // the server refused the handshake ('unauthorized…': a dead or expired token): check the session
      this.checkSessionThenRetry(socket, false);
      if (!/^unauthori[sz]ed/i.test(err.message)) reportError(new Error(`实时连接失败 live connection failed: ${err.message}`));
    });
  }

  /**
   * GET /api/auth/me decides: a 401 ends the session (api.ts sends the page to the login form and the
   * app stops this client); a session still valid (a token refreshed meanwhile) connects again.
   */
  private checkSessionThenRetry(socket: Socket, now: boolean): void {
    const gen = this.generation;
    const why = this.endedWhy; // (stop() forgets it once the session ends)
    // a password change ends every session of the user, this one too, and answers a new token: wait for it
    void tokenChangeSettled()
      .then(() => api.me())
      .then(
        () => {
          if (this.socket !== socket) return;
          if (now && gen === this.generation && !socket.connected) socket.connect();
          else this.retryLater();
        },
        (err: unknown) => {
          // a 401 has ended the session (the app stops this client): the notice says why, if the server said
          if ((err as { status?: number }).status === 401 && !session.token && session.notice && why) {
            session.notice = { ...session.notice, detail: why };
          }
          // anything else (or a token renewed meanwhile): try again later
          if (this.socket === socket && session.token) this.retryLater();
        },
      );
  }

  stop(): void {
    this.generation += 1;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.fallbackTimer) clearTimeout(this.fallbackTimer);
    this.fallbackTimer = null;
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.handlers = null;
    this.buffer = null;
    this.endedWhy = null;
    this.baselineKnown = false;
    this.seen.clear();
    this.forgotten = 0;
    this.lastSeq = 0;
    this.applied = 0;
    this.lastCatchUp = null;
    this.wasLive = false;
    this.setStatus('off');
  }

  /** For tests and the console: drop the connection as if the network failed (it reconnects). */
  simulateDrop(): void {
    this.socket?.io.engine?.close();
  }

  private retryLater(): void {
    if (this.retryTimer || !this.socket) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.socket && !this.socket.connected) this.socket.connect();
    }, RETRY_MS);
  }

  private setStatus(s: LiveStatus): void {
    this.status = s;
    if (s === 'live') this.wasLive = true;
    setLiveHook(s, this.lastSeq);
  }

  /** After a connect (or, with `gap`, a hole in the live feed): page the log, then apply what was held back. */
  private async catchUp(gap = false): Promise<void> {
    const gen = ++this.generation;
    const handlers = this.handlers;
    if (!handlers) return;
    this.buffer ??= [];
    if (!gap) this.setStatus('catching-up');
    try {
      if (!this.baselineKnown) {
        const hint = await handlers.resync();
        if (gen !== this.generation) return;
        // everything up to the hint is in the snapshot: it counts as applied
        if (hint > this.lastSeq) this.lastSeq = hint;
        this.forgotten = Math.max(this.forgotten, hint);
        await this.drain(Math.max(hint, this.lastSeq), gen, true);
        if (gen !== this.generation) return;
        this.baselineKnown = true;
      } else {
        const before = this.applied;
        await this.drain(this.lastSeq, gen, false);
        if (gen !== this.generation) return;
        const pending = (this.buffer ?? []).sort((a, b) => a.seq - b.seq);
        this.buffer = null;
        for (const e of pending) this.apply(e, { silent: false, caughtUp: false });
        if (!gap) this.lastCatchUp = { count: this.applied - before, at: Date.now() };
      }
      if (gen !== this.generation) return;
      const pending = (this.buffer ?? []).sort((a, b) => a.seq - b.seq);
      this.buffer = null;
      for (const e of pending) this.apply(e, { silent: false, caughtUp: false });
      this.setStatus('live');
    } catch (err) {
      if (gen !== this.generation) return;
      reportError(new Error(`补齐事件失败 catch-up failed, retrying: ${errorText(err)}`));
      setTimeout(() => {
        if (gen === this.generation && this.socket?.connected) void this.catchUp();
      }, RETRY_MS);
    }
  }

  /** Page GET /api/events?after= until the head, applying in seq order. */
  private async drain(after: number, gen: number, silent: boolean): Promise<void> {
    let cursor = after;
    for (;;) {
      const page = await api.eventsAfter(cursor, PAGE);
      if (gen !== this.generation) return;
      for (const e of page.events) {
        this.apply(e, { silent, caughtUp: true });
        cursor = Math.max(cursor, e.seq);
      }
      if (!page.more || page.events.length === 0) return;
    }
  }

  private apply(e: LiveEvent, ctx: ApplyContext): void {
    if (typeof e.seq !== 'number' || e.seq <= this.forgotten || this.seen.has(e.seq)) return;
    this.seen.add(e.seq);
    if (this.seen.size > MAX_REMEMBERED) {
      // forget the earliest remembered; anything at or below it counts as applied from now on
      const first = this.seen.values().next().value as number;
      this.seen.delete(first);
      this.forgotten = Math.max(this.forgotten, first);
    }
    if (e.seq > this.lastSeq) this.lastSeq = e.seq;
    this.applied += 1;
    this.trace?.push(e.seq);
    setLiveHook(this.status, this.lastSeq);
    try {
      this.handlers?.onEvent(e, ctx);
    } catch (err) {
      reportError(err);
    }
  }
}

export const live = new LiveClient();

declare global {
  interface Window {
    /** the live client, for browser tests (drop the connection with simulateDrop()) */
    __zhihuiLive?: LiveClient;
  }
}
window.__zhihuiLive = live;

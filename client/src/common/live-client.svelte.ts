// The live feed over socket.io, with catch-up after every (re)connect.
//
// Every event carries a global, monotonically committed `seq`. The client keeps the highest seq it
// has applied (`lastSeq`) and the set of recently applied seqs. On each connection:
//   1. events that arrive over the socket are buffered while catching up;
//   2. it asks GET /api/events?after=<lastSeq> for what it missed (shared/cases/catch-up.ts): a gap of
//      up to CATCH_UP_REPLAY_MAX events is applied (pages of CATCH_UP_PAGE); a larger one is not
//      replayed: the state is reloaded (the caller's resync) and the walk resumes from the log's `head`,
//      read before the reload, so everything up to it is in what was loaded;
//   3. it then applies the buffer, sorted by seq;
// an event whose seq was already applied (a live copy of a caught-up one, or a repeat) is skipped,
// so nothing is ever applied twice. Live events come in seq order, each with `prev`: the seq the server
// sent before it to the same room. A `prev` above lastSeq means an event of ours went past unseen (a
// reconnect's race, a server that restarted): the client holds the new one back, fills the gap from
// GET /api/events?after=lastSeq (or reloads, if the gap is large), then applies it. So lastSeq means
// "everything up to here is applied", and nothing is ever applied out of order. The first connection
// has nothing yet: it reads the head (limit=0), loads the snapshot after the socket has joined its
// rooms, and applies the walk from that head silently — the snapshot already shows most of it.
//
// Each connection attempt sends the session's current token (a refreshed token is used from the
// next reconnect on). When the server ends the session (logout elsewhere, an administrator disabling
// the user, a password reset) it disconnects the socket and refuses the dead token: the client asks
// GET /api/auth/me, whose 401 ends the session (login form with a notice) instead of reconnecting.
import { io, type Socket } from 'socket.io-client';
import { catchUp, type CatchUpOutcome } from '#shared/cases/catch-up.ts';
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
  /**
   * Load the state afresh (open cases, duty…): at the start, and when the client was away too long to
   * replay what it missed (`behind`). Events after the head read before it are applied silently after.
   */
  resync(why: 'start' | 'behind'): Promise<unknown>;
  onEvent(e: LiveEvent, ctx: ApplyContext): void;
  onPositions?(batch: PositionUpdate[]): void;
}

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
  /** the last reconnection's catch-up: how many missed events it applied (or that it reloaded), and when it finished */
  lastCatchUp = $state<{ count: number; at: number; reloaded: boolean } | null>(null);
  /** catch-ups that reloaded the state rather than replaying (the gap was above CATCH_UP_REPLAY_MAX) */
  reloads = 0;
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
      if (!this.baselineKnown && this.handlers === handlers) handlers.resync('start').catch((err: unknown) => reportError(err));
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
    this.reloads = 0;
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

  /** After a connect (or, with `gap`, a hole in the live feed): catch up from the log, then apply what was held back. */
  private async catchUp(gap = false): Promise<void> {
    const gen = ++this.generation;
    const handlers = this.handlers;
    if (!handlers) return;
    this.buffer ??= [];
    if (!gap) this.setStatus('catching-up');
    try {
      if (!this.baselineKnown) {
        await this.reload(handlers, 'start', (await api.eventsAfter(this.lastSeq, 0)).head, gen);
        if (gen !== this.generation) return;
        this.baselineKnown = true;
      } else {
        const before = this.applied;
        const out = await this.walk(this.lastSeq, gen, false);
        if (gen !== this.generation) return;
        if (out.kind === 'reload') {
          this.reloads += 1;
          await this.reload(handlers, 'behind', out.head, gen);
          if (gen !== this.generation) return;
        }
        const pending = (this.buffer ?? []).sort((a, b) => a.seq - b.seq);
        this.buffer = null;
        for (const e of pending) this.apply(e, { silent: false, caughtUp: false });
        if (!gap) this.lastCatchUp = { count: this.applied - before, at: Date.now(), reloaded: out.kind === 'reload' };
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

  /**
   * Load the state afresh; `head` was read before, so the state shows everything up to it: that counts
   * as applied, and the walk from it to now is applied silently (the state may already show some of it).
   */
  private async reload(handlers: LiveHandlers, why: 'start' | 'behind', head: number, gen: number): Promise<void> {
    await handlers.resync(why);
    if (gen !== this.generation) return;
    this.seen.clear();
    this.forgotten = head;
    this.lastSeq = head;
    await this.walk(head, gen, true, Infinity);
  }

  /** The shared catch-up walk (shared/cases/catch-up.ts), applying in seq order; `replayMax` Infinity never reloads. */
  private walk(after: number, gen: number, silent: boolean, replayMax?: number): Promise<CatchUpOutcome> {
    return catchUp({
      after,
      replayMax,
      fetchPage: (a, limit) => api.eventsAfter(a, limit),
      apply: (events) => {
        for (const e of events) this.apply(e, { silent, caughtUp: true });
      },
      alive: () => gen === this.generation,
    });
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

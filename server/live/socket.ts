import type { FastifyInstance } from 'fastify';
import { Server, type Socket } from 'socket.io';
import { can } from '#shared/auth/permissions.ts';
import type { AuthUser, TokenClaims } from '../auth/user.ts';
import { isDatabaseUnavailable } from '../db/availability.ts';
import { TOKEN_COOKIE } from '../auth/plugin.ts';
import type { EventBus } from '../events/bus.ts';
import type { EventRow } from '../events/repository.ts';
import { channels, chunks, type PgRelay } from './relay.ts';
import type { LiveService } from './service.ts';
import type { PositionService, PositionUpdate } from '../workforce/positions.ts';

/** Room names: consoles by scope, officers by id (joined only while on duty). */
export const rooms = {
  city: 'scope:city',
  district: (adcode: string) => `scope:${adcode}`,
  officer: (id: number) => `officer:${id}`,
  officerAlways: (id: number) => `officer-conn:${id}`,
  session: (sid: string) => `session:${sid}`,
  user: (id: number) => `user:${id}`,
};

/** How often live sockets are checked against their sessions (ended elsewhere: another instance, the CLI, expiry). */
const SESSION_SWEEP_MS = 750;

/**
 * A browser may open the socket only from the server's own origin or one configured in ALLOWED_ORIGINS;
 * clients that send no Origin (phones' native apps, scripts) authenticate with their token alone.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

function tokenOf(socket: Socket): string | null {
  const auth = socket.handshake.auth as { token?: unknown } | undefined;
  if (typeof auth?.token === 'string') return auth.token;
  const header = socket.handshake.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7);
  const cookie = socket.handshake.headers.cookie?.split(/;\s*/).find((c) => c.startsWith(`${TOKEN_COOKIE}=`));
  return cookie ? decodeURIComponent(cookie.slice(TOKEN_COOKIE.length + 1)) : null;
}

/** A live event as sent: `prev` is the seq of the event sent before it to the same room. */
export type LiveEnvelope = EventRow & { prev: number };

/**
 * socket.io on the API's server, authenticated with the API's token. Consoles and leaders get their
 * district's events (city-wide users all), an officer only events about their own dispatches and
 * only while on duty. Every instance sends every event to its own sockets, in seq order, from the
 * log (the EventBus); each carries its `seq` and the `prev` seq of its room, so a client that finds
 * `prev` above what it has applied fills the gap from GET /api/events?after= first. Positions and
 * ended sessions reach the other instances through the relay (CLUSTER=true).
 */
export function attachLive(
  app: FastifyInstance,
  deps: { live: LiveService; bus: EventBus; positions: PositionService; relay: PgRelay | null; allowedOrigins: readonly string[] },
): Server {
  const io = new Server(app.server, {
    serveClient: false,
    transports: ['websocket', 'polling'],
    allowRequest: (req, done) => {
      const ok = originAllowed(req.headers.origin, req.headers.host, deps.allowedOrigins);
      done(ok ? null : `origin ${req.headers.origin} may not open the live feed (ALLOWED_ORIGINS)`, ok);
    },
  });

  io.use(async (socket, next) => {
    const token = tokenOf(socket);
    if (!token) return next(new Error('unauthorized: connect with auth { token } from POST /api/auth/login'));
    let claims: TokenClaims;
    try {
      claims = app.jwt.verify<TokenClaims>(token);
    } catch {
      return next(new Error('unauthorized: the token is invalid or expired; log in again'));
    }
    let user: AuthUser | null;
    try {
      user = await app.auth.check(claims);
    } catch (err) {
      // not the session's fault: the client keeps its login and tries again
      return next(new Error(isDatabaseUnavailable(err) ? 'unavailable: the database is away; retrying' : 'unavailable: could not check the session; retrying'));
    }
    if (!user) return next(new Error('unauthorized: the session has ended; log in again'));
    socket.data.user = user;
    next();
  });

  const endSockets = (room: string, why: string) => {
    io.in(room).emit('session_ended', { message: `会话已结束 ${why}; log in again` });
    io.in(room).disconnectSockets(true);
  };
  const ended = (e: { sid?: string | null; userId?: number | null; why: string }) => {
    if (e.sid) endSockets(rooms.session(e.sid), e.why);
    if (e.userId) endSockets(rooms.user(e.userId), e.why);
  };
  const offEnded = app.auth.onEnded((e) => {
    ended(e);
    void deps.relay?.send(channels.sessions, { sid: e.sid ?? null, userId: e.userId ?? null, why: e.why });
  });
  deps.relay?.on(channels.sessions, (data) => ended(data as { sid: string | null; userId: number | null; why: string }));
  // Sessions ended where this process did not see it (another instance, the user CLI) or expired.
  let sweeping = false;
  const sweep = setInterval(async () => {
    if (sweeping || io.of('/').sockets.size === 0) return;
    sweeping = true;
    try {
      const sockets = [...io.of('/').sockets.values()];
      const live = await app.auth.liveOf([...new Set(sockets.map((s) => (s.data.user as AuthUser).sid!))]);
      for (const s of sockets) {
        if (live.has((s.data.user as AuthUser).sid!)) continue;
        s.emit('session_ended', { message: '会话已结束 the session has ended; log in again' });
        s.disconnect(true);
      }
    } catch (err) {
      app.log.warn({ err }, 'live session sweep');
    } finally {
      sweeping = false;
    }
  }, SESSION_SWEEP_MS);
  sweep.unref();

  io.on('connection', (socket) => {
    void join(socket).catch((err: unknown) => {
      // the database went away mid-join: the client retries its connection and catches up then
      app.log.warn({ err: (err as Error).message }, 'live socket join failed');
      socket.disconnect(true);
    });
  });

  async function join(socket: Socket): Promise<void> {
    const user = socket.data.user as AuthUser;
    await socket.join([rooms.session(user.sid!), rooms.user(user.id)]);
    if (user.role === 'officer' && user.officerId) {
      await socket.join(rooms.officerAlways(user.officerId));
      if (await deps.live.officerOnDuty(user.officerId)) await socket.join(rooms.officer(user.officerId));
    } else if (can(user.role, 'events.read')) {
      await socket.join(user.districtAdcode ? rooms.district(user.districtAdcode) : rooms.city);
    }
    // The newest seq at join time: a client starts its catch-up (GET /api/events?after=) from here.
    socket.emit('ready', { role: user.role, districtAdcode: user.districtAdcode, officerId: user.officerId, seq: await deps.live.head() });
  }

  // the seq last sent to each room: a client compares the next one's `prev` with what it has applied
  const lastSent = new Map<string, number>();
  const send = (room: string, e: EventRow) => {
    const prev = lastSent.get(room) ?? deps.bus.startSeq;
    lastSent.set(room, e.seq);
    io.to(room).emit('event', { ...e, prev } satisfies LiveEnvelope);
  };
  const unsubscribe = deps.bus.subscribe((e: EventRow) => {
    if (e.type === 'officer.duty') {
      const id = e.officerIds[0]!;
      const target = io.in(rooms.officerAlways(id));
      if (e.payload.to === 'off_duty') target.socketsLeave(rooms.officer(id));
      else target.socketsJoin(rooms.officer(id));
    }
    // a socket is in one of these rooms only: consoles in a scope room, officers in their own
    send(rooms.city, e);
    if (e.districtAdcode) send(rooms.district(e.districtAdcode), e);
    for (const id of e.officerIds) send(rooms.officer(id), e);
  });

  const emitPositions = (batch: PositionUpdate[]) => {
    io.to(rooms.city).emit('positions', batch);
    const byDistrict = new Map<string, PositionUpdate[]>();
    for (const p of batch) {
      const list = byDistrict.get(p.districtAdcode);
      if (list) list.push(p);
      else byDistrict.set(p.districtAdcode, [p]);
    }
    for (const [adcode, list] of byDistrict) io.to(rooms.district(adcode)).emit('positions', list);
  };
  deps.positions.onBatch((batch: PositionUpdate[]) => {
    emitPositions(batch);
    if (deps.relay) for (const piece of chunks(batch)) void deps.relay.send(channels.positions, piece);
  });
  deps.relay?.on(channels.positions, (data) => emitPositions(data as PositionUpdate[]));

  // Shutting down: the clients reconnect at once (through a balancer, to another instance) and catch up.
  app.addHook('preClose', async () => {
    clearInterval(sweep);
    offEnded();
    unsubscribe();
    io.emit('server_closing', { message: '服务器重启 the server is restarting; reconnecting' });
    // closing the transports (not disconnecting the sockets) makes socket.io clients reconnect by themselves
    io.engine.close();
  });
  return io;
}

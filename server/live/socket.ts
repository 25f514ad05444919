import { createAdapter } from '@socket.io/postgres-adapter';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { Server, type Socket } from 'socket.io';
import { can } from '../../shared/auth/permissions.ts';
import type { AuthUser } from '../auth/user.ts';
import { TOKEN_COOKIE } from '../auth/plugin.ts';
import type { EventBus } from '../events/bus.ts';
import { type EventRow, latestSeq } from '../events/repository.ts';
import type { PositionService, PositionUpdate } from '../workforce/positions.ts';

/** Room names: consoles by scope, officers by id (joined only while on duty). */
export const rooms = {
  city: 'scope:city',
  district: (adcode: string) => `scope:${adcode}`,
  officer: (id: number) => `officer:${id}`,
  officerAlways: (id: number) => `officer-conn:${id}`,
};

function tokenOf(socket: Socket): string | null {
  const auth = socket.handshake.auth as { token?: unknown } | undefined;
  if (typeof auth?.token === 'string') return auth.token;
  const header = socket.handshake.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7);
  const cookie = socket.handshake.headers.cookie?.split(/;\s*/).find((c) => c.startsWith(`${TOKEN_COOKIE}=`));
  return cookie ? decodeURIComponent(cookie.slice(TOKEN_COOKIE.length + 1)) : null;
}

/**
 * socket.io on the API's server, authenticated with the API's token. Consoles and leaders get their
 * district's events (city-wide users all), an officer only events about their own dispatches and
 * only while on duty. Every event carries its `seq`; GET /api/events?after= covers what a client missed.
 */
export function attachLive(app: FastifyInstance, deps: { pool: pg.Pool; bus: EventBus; positions: PositionService; crossInstance: boolean }): Server {
  const io = new Server(app.server, { serveClient: false, transports: ['websocket', 'polling'] });
  if (deps.crossInstance) io.adapter(createAdapter(deps.pool, { errorHandler: (err) => app.log.warn({ err }, 'socket.io adapter') }));

  io.use((socket, next) => {
    const token = tokenOf(socket);
    if (!token) return next(new Error('unauthorized: connect with auth { token } from POST /api/auth/login'));
    try {
      socket.data.user = app.jwt.verify<AuthUser>(token);
      next();
    } catch {
      next(new Error('unauthorized: the token is invalid or expired; log in again'));
    }
  });

  io.on('connection', async (socket) => {
    const user = socket.data.user as AuthUser;
    if (user.role === 'officer' && user.officerId) {
      await socket.join(rooms.officerAlways(user.officerId));
      const duty = await deps.pool.query<{ duty_status: string }>(`SELECT duty_status FROM officers WHERE id = $1`, [user.officerId]);
      if (duty.rows[0]?.duty_status !== 'off_duty') await socket.join(rooms.officer(user.officerId));
    } else if (can(user.role, 'events.read')) {
      await socket.join(user.districtAdcode ? rooms.district(user.districtAdcode) : rooms.city);
    }
    // The newest seq at join time: a client starts its catch-up (GET /api/events?after=) from here.
    socket.emit('ready', { role: user.role, districtAdcode: user.districtAdcode, officerId: user.officerId, seq: await latestSeq(deps.pool) });
  });

  const unsubscribe = deps.bus.subscribe((e: EventRow) => {
    if (e.type === 'officer.duty') {
      const id = e.officerIds[0]!;
      const target = io.in(rooms.officerAlways(id));
      if (e.payload.to === 'off_duty') target.socketsLeave(rooms.officer(id));
      else target.socketsJoin(rooms.officer(id));
    }
    const consoles = [rooms.city, ...(e.districtAdcode ? [rooms.district(e.districtAdcode)] : [])];
    io.to(consoles).emit('event', e);
    if (e.officerIds.length) io.to(e.officerIds.map(rooms.officer)).except(consoles).emit('event', e);
  });

  deps.positions.onBatch((batch: PositionUpdate[]) => {
    io.to(rooms.city).emit('positions', batch);
    const byDistrict = new Map<string, PositionUpdate[]>();
    for (const p of batch) byDistrict.set(p.districtAdcode, [...(byDistrict.get(p.districtAdcode) ?? []), p]);
    for (const [adcode, list] of byDistrict) io.to(rooms.district(adcode)).emit('positions', list);
  });

  app.addHook('preClose', async () => {
    unsubscribe();
    io.disconnectSockets(true);
    // The Postgres adapter holds a pooled client for LISTEN until its adapter is closed.
    await io.of('/').adapter.close();
    io.engine.close();
  });
  return io;
}

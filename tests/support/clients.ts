import type { FastifyInstance } from 'fastify';
import { io, type Socket } from 'socket.io-client';
import { TEST_PASSWORD } from './constants.ts';

export interface Session {
  token: string;
  user: { id: number; login: string; role: string; districtAdcode: string | null; officerId: number | null };
}

export async function login(app: FastifyInstance, loginName: string, password = TEST_PASSWORD): Promise<Session> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: loginName, password } });
  if (res.statusCode !== 200) throw new Error(`login ${loginName}: ${res.statusCode} ${res.body}`);
  return res.json();
}

export interface Call {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** An API call as `session` (or anonymous), answering status and parsed body. */
export async function call(app: FastifyInstance, session: Session | null, c: Call) {
  const res = await app.inject({
    method: c.method ?? (c.body === undefined ? 'GET' : 'POST'),
    url: c.url,
    payload: c.body as never,
    headers: { ...(session ? { authorization: `Bearer ${session.token}` } : {}), ...c.headers },
  });
  let json: unknown = null;
  try {
    json = res.json();
  } catch {
    /* not JSON */
  }
  return { status: res.statusCode, json: json as any, body: res.body };
}

export interface EventMsg {
  seq: number;
  incidentId: number | null;
  type: string;
  actorUserId: number | null;
  payload: Record<string, any>;
  officerIds: number[];
  districtAdcode: string | null;
  receivedAt: number;
}

/** A real socket.io client that records what it receives. */
export class LiveClient {
  readonly socket: Socket;
  readonly events: EventMsg[] = [];
  readonly positions: { officerId: number; lon: number; lat: number }[][] = [];

  constructor(base: string, token: string) {
    this.socket = io(base, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    this.socket.on('event', (e) => this.events.push({ ...e, receivedAt: performance.now() }));
    this.socket.on('positions', (p) => this.positions.push(p));
  }

  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('ready', () => resolve());
      this.socket.once('connect_error', (err) => reject(err));
    });
  }

  /** The first event matching `pred`, waiting up to `ms`. */
  async waitFor(pred: (e: EventMsg) => boolean, ms = 3000): Promise<EventMsg> {
    const started = Date.now();
    for (;;) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      if (Date.now() - started > ms) throw new Error(`no matching event within ${ms} ms; got ${this.events.map((e) => e.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.socket.close();
  }
}

export async function connect(base: string, session: Session): Promise<LiveClient> {
  const c = new LiveClient(base, session.token);
  await c.ready();
  return c;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The smallest valid PNG (1×1), a real image for evidence uploads. */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

export function multipart(files: { name: string; type: string; bytes: Buffer }[]): { body: Buffer; contentType: string } {
  const boundary = `----zhihui${Date.now()}`;
  const parts = files.map((f) =>
    Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${f.name}"\r\nContent-Type: ${f.type}\r\n\r\n`),
      f.bytes,
      Buffer.from('\r\n'),
    ]),
  );
  return { body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

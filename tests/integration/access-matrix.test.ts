import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PERMISSIONS } from '#shared/auth/permissions.ts';
import { ROLES } from '#shared/roles.ts';
import { testApp } from '../support/app.ts';
import { call, connect, type LiveClient, login, type Session, sleep } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';
import { freeOfficers, officerSession, userSession } from '../support/fixtures.ts';

/**
 * Who may call what, generated from the OpenAPI document (each operation's `x-access`, written from the
 * permission table and the case steps) rather than listed here: a new route is covered as it lands.
 */
const db = testDatabase();
let app: FastifyInstance;
let base: string;
let doc: { paths: Record<string, Record<string, { 'x-access'?: Access }>> };
const sessions = new Map<string, Session>();
let caseId = 0;
let caseCode = '';
let spareUserId = 0;

interface Access {
  permission: string | null;
  public: boolean;
  roles: string[];
}

const HOME = '510104'; // the demo officer's district, where the case is
const AWAY = '510105';
const POINT: [number, number] = [104.0835, 30.6545]; // 锦江区

beforeAll(async () => {
  app = await testApp(db);
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  for (const role of ROLES) sessions.set(role, await login(app, role));
  doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
  // a case every demo user may see: the demo officer reported it in their own district (not 0101 私搭乱建:
  // that one registers a new building in this key area and is escalated at once, which the socket test does by hand)
  const made = await call(app, sessions.get('officer')!, {
    url: '/api/incidents',
    body: { category: '0102', source: 'patrol', description: 'access matrix', lon: POINT[0], lat: POINT[1] },
  });
  expect(made.status, made.body).toBe(201);
  caseId = made.json.incident.id;
  caseCode = made.json.incident.code;
  expect(made.json.incident.districtAdcode).toBe(HOME);
  spareUserId = (await userSession(app, sessions.get('admin')!, 'dispatcher', null)).user.id;
});
afterAll(async () => {
  await app.close();
  await db.close();
});

function operations() {
  const ops: { method: string; path: string; access: Access }[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const [method, op] of Object.entries(methods)) {
      if (!op['x-access']) throw new Error(`${method.toUpperCase()} ${path} does not say who may call it (x-access)`);
      ops.push({ method: method.toUpperCase(), path, access: op['x-access'] });
    }
  }
  return ops;
}

function url(path: string): string {
  return path
    .replace('/api/users/{id}', `/api/users/${spareUserId}`)
    .replace('{id}', String(caseId))
    .replace('{layer}', 'grid-cells')
    .replace('{z}', '14')
    .replace('{x}', '13100')
    .replace('{y}', '6783');
}

async function send(method: string, path: string, session: Session | null) {
  const hasBody = method !== 'GET' && method !== 'DELETE';
  return call(app, session, { method: method as never, url: url(path), body: hasBody ? {} : undefined });
}

const refusedByRole = (r: { status: number; json: { message?: string } }) => r.status === 403 && /^role \w+ may not/.test(r.json?.message ?? '');

describe(`role × route, from the permission table and the OpenAPI document, on the ${inject('databaseMode')} database`, () => {
  it('every /api route says who may call it, and only a short named list is public', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(40);
    const open = ops
      .filter((o) => o.access.public)
      .map((o) => `${o.method} ${o.path}`)
      .sort();
    expect(open).toEqual(['GET /api/config', 'GET /api/health', 'GET /api/health/live', 'POST /api/auth/login', 'POST /api/auth/logout']);
    for (const o of ops) if (o.access.permission) expect(PERMISSIONS).toHaveProperty(o.access.permission);
  });

  it('anonymous callers get 401 from every route that is not public', async () => {
    let checked = 0;
    for (const o of operations()) {
      const res = await send(o.method, o.path, null);
      if (o.access.public) expect([401, 403], `${o.method} ${o.path}`).not.toContain(res.status);
      else {
        expect(res.status, `${o.method} ${o.path}`).toBe(401);
        expect(res.json.message).toMatch(/log in/);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(40);
  });

  for (const role of ROLES) {
    it(`${role}: let in where the table allows, refused by role elsewhere`, async () => {
      const answers: string[] = [];
      for (const o of operations()) {
        // public routes answer everyone; logging out would end the session this loop uses
        if (o.access.public) continue;
        const res = await send(o.method, o.path, sessions.get(role)!);
        const label = `${role} ${o.method} ${o.path} → ${res.status} ${res.json?.message ?? ''}`;
        answers.push(label);
        expect(res.status, label).not.toBe(401);
        expect(res.status, label).toBeLessThan(500);
        if (o.access.roles.includes(role)) expect(refusedByRole(res), label).toBe(false);
        else {
          expect(refusedByRole(res), label).toBe(true);
          expect(res.json.message).toContain(`role ${role} may not`);
        }
      }
      expect(answers.length).toBeGreaterThan(30);
    });
  }
});

describe('out of scope: district-scoped users and officers see only their own, on HTTP and on socket.io', () => {
  const away = new Map<string, Session>();
  beforeAll(async () => {
    const admin = sessions.get('admin')!;
    for (const role of ['dispatcher', 'supervisor', 'leader']) away.set(role, await userSession(app, admin, role, AWAY));
    const [other] = await freeOfficers(db.pool, { district: HOME, kind: 'officer', count: 1 });
    away.set('officer', await officerSession(app, admin, other!));
  });

  it('a case outside their scope does not exist for them: every /api/incidents/{id} route answers 404 or refuses the body', async () => {
    const byId = operations().filter((o) => o.path.startsWith('/api/incidents/{id}'));
    expect(byId.length).toBeGreaterThan(15);
    for (const [role, s] of away) {
      for (const o of byId) {
        if (!o.access.roles.includes(role)) continue;
        const res = await send(o.method, o.path, s);
        const label = `${role}@${s.user.districtAdcode ?? 'own cases'} ${o.method} ${o.path} → ${res.status} ${res.json?.message ?? ''}`;
        if (o.method === 'GET') expect(res.status, label).toBe(404);
        else expect([400, 403, 404, 415], label).toContain(res.status);
        expect(res.body, label).not.toContain(caseCode);
      }
    }
  });

  it('lists hold only their district (or, for an officer, their own cases)', async () => {
    for (const [role, s] of away) {
      const list = await call(app, s, { url: '/api/incidents?limit=1000' });
      expect(list.status).toBe(200);
      const cases = list.json as { code: string; districtAdcode: string }[];
      expect(
        cases.map((c) => c.code),
        role,
      ).not.toContain(caseCode);
      if (role !== 'officer')
        expect(
          cases.every((c) => c.districtAdcode === AWAY),
          role,
        ).toBe(true);
      const events = await call(app, s, { url: '/api/events?after=0&limit=5000' });
      expect(events.status).toBe(200);
      const evs = events.json.events as { incidentId: number | null; districtAdcode: string | null }[];
      expect(
        evs.some((e) => e.incidentId === caseId),
        role,
      ).toBe(false);
      if (role !== 'officer')
        expect(
          evs.every((e) => e.districtAdcode === AWAY || e.districtAdcode === null),
          role,
        ).toBe(true);
    }
    for (const role of ['dispatcher', 'supervisor', 'leader']) {
      const s = away.get(role)!;
      const squads = await call(app, s, { url: '/api/squads' });
      expect((squads.json.features as { properties: { districtAdcode: string } }[]).every((f) => f.properties.districtAdcode === AWAY)).toBe(true);
      const squadIds = new Set((squads.json.features as { properties: { id: number } }[]).map((f) => f.properties.id));
      const officers = await call(app, s, { url: '/api/officers' });
      expect(officers.status).toBe(200);
      expect(
        (officers.json.features as { properties: { squadId: number } }[]).every((f) => squadIds.has(f.properties.squadId)),
        role,
      ).toBe(true);
      for (const u of [`/api/officers?district=${HOME}`, `/api/squads?district=${HOME}`]) {
        const refused = await call(app, s, { url: u });
        expect(refused.status, `${role} ${u}`).toBe(403);
        expect(refused.json.message).toMatch(new RegExp(`you see district ${AWAY} only`));
      }
      const board = await call(app, s, { url: '/api/squads/board' });
      expect((board.json.districts as { adcode: string }[]).map((d) => d.adcode)).toEqual([AWAY]);
    }
    const officer = away.get('officer')!;
    expect((await call(app, officer, { url: '/api/officers' })).status).toBe(403);
    const me = await call(app, officer, { url: '/api/officers/me' });
    expect(me.status).toBe(200);
    expect(me.json.id).toBe(officer.user.officerId);
  });

  it('socket.io: an event of the case reaches the city and its district, not another district or another officer', async () => {
    const watchers: [string, LiveClient][] = [];
    try {
      for (const [role, s] of away) watchers.push([`${role}@away`, await connect(base, s)]);
      const city = await connect(base, sessions.get('dispatcher')!);
      const home = await connect(base, sessions.get('leader')!); // the demo leader leads 锦江
      const escalated = await call(app, sessions.get('dispatcher')!, { url: `/api/incidents/${caseId}/escalate`, body: { reason: 'access matrix' } });
      expect(escalated.status, escalated.body).toBe(200);
      await city.waitFor((e) => e.incidentId === caseId && e.type === 'incident.escalated');
      await home.waitFor((e) => e.incidentId === caseId && e.type === 'incident.escalated');
      app.zhihui.positions.publish([
        {
          officerId: sessions.get('officer')!.user.officerId!,
          lon: POINT[0],
          lat: POINT[1],
          at: new Date().toISOString(),
          dutyStatus: 'available',
          districtAdcode: HOME,
        },
      ]);
      await sleep(1500);
      expect(city.positions.flat().some((p) => p.officerId === sessions.get('officer')!.user.officerId)).toBe(true);
      for (const [who, w] of watchers) {
        expect(
          w.events.filter((e) => e.incidentId === caseId),
          who,
        ).toEqual([]);
        if (!who.startsWith('officer'))
          expect(
            w.positions.flat().filter((p) => p.officerId === sessions.get('officer')!.user.officerId),
            who,
          ).toEqual([]);
      }
      city.close();
      home.close();
    } finally {
      for (const [, w] of watchers) w.close();
    }
  });

  it("socket.io refuses browsers from another origin, and takes the server's own", async () => {
    const { io } = await import('socket.io-client');
    const attempt = (origin: string) =>
      new Promise<string>((resolve) => {
        const sock = io(base, {
          auth: { token: sessions.get('dispatcher')!.token },
          transports: ['polling'],
          reconnection: false,
          forceNew: true,
          extraHeaders: { origin },
        });
        sock.once('ready', () => {
          sock.close();
          resolve('ready');
        });
        sock.once('connect_error', (err) => {
          sock.close();
          resolve(`refused: ${err.message}`);
        });
      });
    expect(await attempt('http://evil.example')).toMatch(/^refused/);
    expect(await attempt(base)).toBe('ready');
  });
});

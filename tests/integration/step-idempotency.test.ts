// Steps resent with their Idempotency-Key (the officer phone's offline queue): taken once, answered
// again with the case as it is; a key reused for another step is refused; an officer sees the
// problems they reported themselves.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testApp } from '../support/app.ts';
import { call, login, type Session } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';
import { east, freeOfficers, keyAreaPoint, officerSession, onDutyAt } from '../support/fixtures.ts';

const db = testDatabase();
let app: FastifyInstance;
let dispatcher: Session, officer: Session;
let officerId: number;
let spot: [number, number];

beforeAll(async () => {
  app = await testApp(db);
  const admin = await login(app, 'admin');
  dispatcher = await login(app, 'dispatcher');
  spot = await keyAreaPoint(app, '宽窄巷子');
  [officerId] = (await freeOfficers(db.pool, { district: '510105', kind: 'officer', count: 1 })) as [number];
  officer = await officerSession(app, admin, officerId);
  await onDutyAt(app, officer, east(spot, 30));
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const step = (id: number, action: string, body: object, key?: string) =>
  app.inject({
    method: 'POST',
    url: `/api/incidents/${id}/${action}`,
    payload: body,
    headers: { authorization: `Bearer ${officer.token}`, ...(key ? { 'idempotency-key': key } : {}) },
  });
const events = async (id: number) =>
  (await db.pool.query<{ type: string }>(`SELECT type FROM incident_events WHERE incident_id = $1 ORDER BY seq`, [id])).rows.map((r) => r.type);

describe(`idempotent steps (${inject('databaseMode')} database)`, () => {
  it('takes a resent step once and answers the resend with the case as it is', async () => {
    const inc = (
      await call(app, dispatcher, {
        url: '/api/incidents',
        body: { category: '0507', source: 'public', description: '重发测试', lon: spot[0], lat: spot[1], register: true },
      })
    ).json.incident;
    expect((await call(app, dispatcher, { url: `/api/incidents/${inc.id}/dispatch`, body: { officerIds: [officerId] } })).status).toBe(200);

    const first = await step(inc.id, 'accept', {}, 'k-accept-1');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await step(inc.id, 'accept', {}, 'k-accept-1');
    expect(again.statusCode, again.body).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().state).toBe('accepted');
    // without the key the same step is a step in the wrong state
    expect((await step(inc.id, 'accept', {})).statusCode).toBe(409);

    // two sends of the same arrive at once: one step
    const [a, b] = await Promise.all([
      step(inc.id, 'arrive', { lon: spot[0], lat: spot[1] }, 'k-arrive'),
      step(inc.id, 'arrive', { lon: spot[0], lat: spot[1] }, 'k-arrive'),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect([a.headers['idempotent-replayed'], b.headers['idempotent-replayed']].filter(Boolean)).toEqual(['true']);

    // a key already used for another step is refused, and nothing happens
    const reused = await step(inc.id, 'handle', { outcome: 'service' }, 'k-arrive');
    expect(reused.statusCode).toBe(422);
    expect(reused.json().message).toMatch(/already used for arrive/);
    expect(await events(inc.id)).toEqual(['incident.reported', 'incident.registered', 'incident.dispatched', 'incident.accepted', 'incident.arrived']);
    expect((await step(inc.id, 'handle', { outcome: 'service' }, 'k-handle')).statusCode).toBe(200);
    // an over-long key is bad input
    expect((await step(inc.id, 'handle', { outcome: 'service' }, 'x'.repeat(200))).statusCode).toBe(400);
  });

  it('lets an officer see and add photos to a problem they reported (上报问题)', async () => {
    const r = await call(app, officer, {
      url: '/api/incidents',
      headers: { 'idempotency-key': 'patrol-1' },
      body: { category: '0507', source: 'patrol', description: '巡查发现：乱堆物料', lon: spot[0], lat: spot[1] },
    });
    expect(r.status, r.body).toBe(201);
    const id = r.json.incident.id as number;
    expect((await call(app, officer, { url: `/api/incidents/${id}` })).status).toBe(200);
    expect((await call(app, officer, { url: '/api/incidents?open=true' })).json.map((i: { id: number }) => i.id)).toContain(id);
    // another officer does not
    const admin = await login(app, 'admin');
    const [otherId] = (await freeOfficers(db.pool, { district: '510105', kind: 'officer', count: 1, exclude: [officerId] })) as [number];
    const other = await officerSession(app, admin, otherId);
    expect((await call(app, other, { url: `/api/incidents/${id}` })).status).toBe(404);
  });
});

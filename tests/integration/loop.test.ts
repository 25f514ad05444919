import { distance, point } from '@turf/turf';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testApp } from '../support/app.ts';
import { call, connect, LiveClient, login, multipart, type Session, sleep, TINY_PNG } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';
import { east, freeOfficers, keyAreaPoint, officerSession, onDutyAt } from '../support/fixtures.ts';

const db = testDatabase();
let app: FastifyInstance;
let base: string;
let admin: Session, dispatcher: Session, supervisor: Session, leader: Session, officerA: Session, officerB: Session;
let consoleLive: LiveClient, leaderLive: LiveClient, liveA: LiveClient, liveB: LiveClient;
let spot: [number, number];

beforeAll(async () => {
  app = await testApp(db);
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  [admin, dispatcher, supervisor, leader] = (await Promise.all(['admin', 'dispatcher', 'supervisor', 'leader'].map((l) => login(app, l)))) as [
    Session,
    Session,
    Session,
    Session,
  ];
  spot = await keyAreaPoint(app, '春熙路·太古里');
  const [a, b] = await freeOfficers(db.pool, { district: '510104', kind: 'officer', count: 2 });
  officerA = await officerSession(app, admin, a!);
  officerB = await officerSession(app, admin, b!);
  await onDutyAt(app, officerA, east(spot, 120));
  await onDutyAt(app, officerB, east(spot, 400));
  [consoleLive, leaderLive, liveA, liveB] = (await Promise.all([dispatcher, leader, officerA, officerB].map((s) => connect(base, s)))) as [
    LiveClient,
    LiveClient,
    LiveClient,
    LiveClient,
  ];
});
afterAll(async () => {
  for (const c of [consoleLive, leaderLive, liveA, liveB]) c?.close();
  await app.close();
  await db.close();
});

const step = (s: Session, id: number, action: string, body: unknown = {}) => call(app, s, { url: `/api/incidents/${id}/${action}`, body });

async function photo(s: Session, id: number) {
  const { body, contentType } = multipart([{ name: 'scene.png', type: 'image/png', bytes: TINY_PNG }]);
  const res = await app.inject({
    method: 'POST',
    url: `/api/incidents/${id}/evidence`,
    payload: body,
    headers: { 'content-type': contentType, authorization: `Bearer ${s.token}` },
  });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { id: number }[])[0]!.id;
}

describe(`the case loop, live (${inject('databaseMode')} database)`, () => {
  it('runs discover → dispatch → handle → feedback with every step recorded', async () => {
    const posted = performance.now();
    const intake = await call(app, dispatcher, {
      url: '/api/incidents',
      body: {
        category: '0504',
        source: 'public',
        sourceRef: '12345-20261130-0001',
        description: '春熙路商铺店外经营占道',
        lon: spot[0],
        lat: spot[1],
        register: true,
        reporterContact: '138****0000',
      },
    });
    expect(intake.status, intake.body).toBe(201);
    const inc = intake.json.incident;
    expect(inc.state).toBe('registered');
    expect(inc.districtAdcode).toBe('510104');
    expect(inc.gridCode).toMatch(/^510104\d{9}$/);
    expect(inc.keyAreas.map((k: { name: string }) => k.name)).toContain('春熙路·太古里');
    expect(inc.deadline).not.toBeNull();

    // The console sees it within a second, located.
    const seen = await consoleLive.waitFor((e) => e.type === 'incident.reported' && e.incidentId === inc.id, 1000);
    expect(seen.receivedAt - posted).toBeLessThan(1000);
    expect(seen.payload.gridCode).toBe(inc.gridCode);
    expect(seen.districtAdcode).toBe('510104');
    expect(seen.payload.keyAreaIds).toContain(inc.keyAreas[0].id);
    await leaderLive.waitFor((e) => e.type === 'incident.reported' && e.incidentId === inc.id, 1000);

    // Recommendations: responsible squad first, each group soonest there first (travel time); distances agree with turf.
    const rec = await call(app, dispatcher, { url: `/api/incidents/${inc.id}/recommendations?limit=30` });
    expect(rec.status).toBe(200);
    const candidates = rec.json as {
      officerId: number;
      meters: number;
      etaSeconds: number;
      responsibleSquad: boolean;
      certified: boolean;
      dutyStatus: string;
    }[];
    expect(candidates.length).toBeGreaterThanOrEqual(2);
    const officers = (await call(app, admin, { url: '/api/officers' })).json.features as {
      properties: { id: number };
      geometry: { coordinates: [number, number] };
    }[];
    for (const c of candidates) {
      const o = officers.find((f) => f.properties.id === c.officerId)!;
      const turfMeters = distance(point(spot), point(o.geometry.coordinates), { units: 'meters' });
      expect(Math.abs(turfMeters - c.meters), `officer ${c.officerId}`).toBeLessThan(Math.max(2, turfMeters * 0.005));
      expect(c.dutyStatus).toBe('available');
    }
    const firstOther = candidates.findIndex((c) => !c.responsibleSquad);
    if (firstOther > 0) expect(candidates.slice(firstOther).every((c) => !c.responsibleSquad)).toBe(true);
    for (const group of [candidates.filter((c) => c.responsibleSquad), candidates.filter((c) => !c.responsibleSquad)]) {
      for (let i = 1; i < group.length; i++) expect(group[i]!.etaSeconds).toBeGreaterThanOrEqual(group[i - 1]!.etaSeconds);
    }
    expect(candidates.map((c) => c.officerId)).toContain(officerA.user.officerId);

    // Dispatch to A: only A's socket hears of it.
    const sent = await step(dispatcher, inc.id, 'dispatch', { officerIds: [officerA.user.officerId] });
    expect(sent.status, sent.body).toBe(200);
    expect(sent.json.state).toBe('dispatched');
    const pushed = await liveA.waitFor((e) => e.type === 'incident.dispatched' && e.incidentId === inc.id, 1000);
    expect(pushed.officerIds).toEqual([officerA.user.officerId]);
    await sleep(300);
    expect(liveB.events.filter((e) => e.incidentId === inc.id)).toEqual([]);
    expect((await db.pool.query(`SELECT duty_status FROM officers WHERE id = $1`, [officerA.user.officerId])).rows[0].duty_status).toBe('busy');

    expect((await step(officerA, inc.id, 'accept')).json.state).toBe('accepted');
    expect((await step(officerA, inc.id, 'arrive', { lon: spot[0], lat: spot[1] })).json.state).toBe('on_scene');
    const photoId = await photo(officerA, inc.id);
    const handled = await step(officerA, inc.id, 'handle', { outcome: 'enforcement', notes: '责令改正，已清理', evidenceIds: [photoId] });
    expect(handled.status, handled.body).toBe(200);
    expect(handled.json.state).toBe('handled');
    expect(handled.json.outcome).toBe('enforcement');
    expect((await db.pool.query(`SELECT duty_status FROM officers WHERE id = $1`, [officerA.user.officerId])).rows[0].duty_status).toBe('available');

    // Only those who may see the case get the photo.
    const img = await app.inject({ method: 'GET', url: `/api/evidence/${photoId}`, headers: { authorization: `Bearer ${supervisor.token}` } });
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');
    expect(img.rawPayload.equals(TINY_PNG)).toBe(true);
    expect((await app.inject({ method: 'GET', url: `/api/evidence/${photoId}`, headers: { authorization: `Bearer ${officerB.token}` } })).statusCode).toBe(404);

    const closed = await step(supervisor, inc.id, 'close');
    expect(closed.json.state).toBe('closed');
    await consoleLive.waitFor((e) => e.type === 'incident.closed' && e.incidentId === inc.id, 1000);

    const log = (await call(app, supervisor, { url: `/api/incidents/${inc.id}/events` })).json as { seq: number; type: string; actorUserId: number }[];
    expect(log.map((e) => e.type)).toEqual([
      'incident.reported',
      'incident.registered',
      'incident.dispatched',
      'incident.accepted',
      'incident.arrived',
      'incident.evidence_added',
      'incident.handled',
      'incident.closed',
    ]);
    expect(log.map((e) => e.actorUserId)).toEqual([
      dispatcher.user.id,
      dispatcher.user.id,
      dispatcher.user.id,
      officerA.user.id,
      officerA.user.id,
      officerA.user.id,
      officerA.user.id,
      supervisor.user.id,
    ]);
    for (let i = 1; i < log.length; i++) expect(log[i]!.seq).toBeGreaterThan(log[i - 1]!.seq);
    const row = (
      await db.pool.query(`SELECT registered_at, dispatched_at, accepted_at, on_scene_at, handled_at, closed_at FROM incidents WHERE id = $1`, [inc.id])
    ).rows[0];
    for (const [k, v] of Object.entries(row)) expect(v, k).not.toBeNull();
  });

  it('sends a failed result back (返工) to the officer, then closes it', async () => {
    const intake = await call(app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0102', source: 'dispatcher', description: '暴露垃圾', lon: east(spot, 60)[0], lat: spot[1], register: true },
    });
    const id = intake.json.incident.id as number;
    await step(dispatcher, id, 'dispatch', { officerIds: [officerB.user.officerId] });
    await step(officerB, id, 'accept');
    await step(officerB, id, 'arrive');
    await step(officerB, id, 'handle', { outcome: 'service', notes: '已清理' });

    const noReason = await step(supervisor, id, 'rework');
    expect(noReason.status).toBe(400);
    expect(noReason.json.message).toMatch(/reason/);
    const back = await step(supervisor, id, 'rework', { reason: '现场仍有垃圾，未清理彻底' });
    expect(back.status, back.body).toBe(200);
    expect(back.json.state).toBe('dispatched');
    expect(back.json.reworkCount).toBe(1);
    await liveB.waitFor((e) => e.type === 'incident.reworked' && e.incidentId === id, 1000);
    expect((await db.pool.query(`SELECT duty_status FROM officers WHERE id = $1`, [officerB.user.officerId])).rows[0].duty_status).toBe('busy');

    await step(officerB, id, 'accept');
    await step(officerB, id, 'arrive');
    await step(officerB, id, 'handle', { outcome: 'service', notes: '二次清理完成' });
    expect((await step(supervisor, id, 'close')).json.state).toBe('closed');
    const types = ((await call(app, supervisor, { url: `/api/incidents/${id}/events` })).json as { type: string }[]).map((e) => e.type);
    expect(types).toEqual([
      'incident.reported',
      'incident.registered',
      'incident.dispatched',
      'incident.accepted',
      'incident.arrived',
      'incident.handled',
      'incident.reworked',
      'incident.accepted',
      'incident.arrived',
      'incident.handled',
      'incident.closed',
    ]);
  });

  it('answers a step out of order with 409 naming the allowed steps, and changes nothing', async () => {
    const intake = await call(app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0201', source: 'dispatcher', description: '小广告', lon: spot[0], lat: spot[1] },
    });
    const id = intake.json.incident.id as number;
    const before = (await call(app, dispatcher, { url: `/api/incidents/${id}/events` })).json.length;
    const early = await step(supervisor, id, 'close');
    expect(early.status).toBe(409);
    expect(early.json.message).toMatch(/cannot close .* reported; allowed now: register, void/);
    const wrongRole = await step(leader, id, 'register');
    expect(wrongRole.status).toBe(403);
    expect((await call(app, dispatcher, { url: `/api/incidents/${id}` })).json.state).toBe('reported');
    expect((await call(app, dispatcher, { url: `/api/incidents/${id}/events` })).json.length).toBe(before);
  });

  it('keeps officers positions (AVL) at most once a second and pushes them to consoles in batches', async () => {
    const p = east(spot, 150);
    await sleep(1100);
    const first = await call(app, officerA, { url: '/api/officers/me/position', body: { lon: p[0], lat: p[1] } });
    expect(first.status).toBe(202);
    const again = await call(app, officerA, { url: '/api/officers/me/position', body: { lon: p[0], lat: p[1] } });
    expect(again.status).toBe(429);
    expect(again.json.message).toMatch(/once a second/);
    const started = Date.now();
    while (!consoleLive.positions.flat().some((x) => x.officerId === officerA.user.officerId && Math.abs(x.lon - p[0]) < 1e-9)) {
      if (Date.now() - started > 2500) throw new Error('no positions batch reached the console');
      await sleep(20);
    }
    const kept = await db.pool.query(`SELECT count(*)::int AS n FROM officer_positions WHERE officer_id = $1`, [officerA.user.officerId]);
    expect(kept.rows[0].n).toBeGreaterThanOrEqual(2);
  });

  it('notifies only on-duty officers', async () => {
    const intake = await call(app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0102', source: 'dispatcher', description: '垃圾', lon: spot[0], lat: spot[1], register: true },
    });
    const id = intake.json.incident.id as number;
    await step(dispatcher, id, 'dispatch', { officerIds: [officerB.user.officerId] });
    await step(officerB, id, 'accept');
    await step(officerB, id, 'arrive');
    await step(officerB, id, 'handle', { outcome: 'management' });
    expect((await call(app, officerB, { url: '/api/officers/me/duty', body: { status: 'off_duty' } })).status).toBe(200);
    // Off duty: not pushed to, and not dispatchable.
    await step(supervisor, id, 'close');
    await consoleLive.waitFor((e) => e.type === 'incident.closed' && e.incidentId === id, 1000);
    await sleep(200);
    expect(liveB.events.some((e) => e.type === 'incident.closed' && e.incidentId === id)).toBe(false);
    const intake2 = await call(app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0102', source: 'dispatcher', description: '垃圾', lon: spot[0], lat: spot[1], register: true },
    });
    const busy = await step(dispatcher, intake2.json.incident.id, 'dispatch', { officerIds: [officerB.user.officerId] });
    expect(busy.status).toBe(409);
    expect(busy.json.message).toMatch(/off duty/);
    await call(app, officerB, { url: '/api/officers/me/duty', body: { status: 'available' } });
  });
});

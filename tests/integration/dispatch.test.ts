import gcoord from 'gcoord';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testApp } from '../support/app.ts';
import { call, connect, login, multipart, type Session, sleep, TINY_PNG } from '../support/clients.ts';
import { testDatabase, testDatabaseUrl } from '../support/database.ts';
import { east, freeOfficers, keyAreaPoint, officerSession, onDutyAt, userSession } from '../support/fixtures.ts';
import pg from 'pg';

const db = testDatabase();
const mode = inject('databaseMode');
let app: FastifyInstance;
let other: FastifyInstance;
let otherPool: pg.Pool | null = null;
let base: string;
let admin: Session, dispatcher: Session, supervisor: Session, leader: Session;
let spot: [number, number];

beforeAll(async () => {
  app = await testApp(db, { config: { acceptTimeoutSeconds: 1 } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  // A second server instance on the same database (its own pool where the database allows it).
  otherPool = mode === 'external' ? new pg.Pool({ connectionString: testDatabaseUrl(), max: 8 }) : null;
  other = await testApp(otherPool ? { ...db, pool: otherPool } : db);
  [admin, dispatcher, supervisor, leader] = (await Promise.all(['admin', 'dispatcher', 'supervisor', 'leader'].map((l) => login(app, l)))) as [
    Session,
    Session,
    Session,
    Session,
  ];
  spot = await keyAreaPoint(app, '春熙路·太古里'); // inside 锦江区 (510104), the seeded leader's district
});
afterAll(async () => {
  await other.close();
  await otherPool?.end();
  await app.close();
  await db.close();
});

const intake = (s: Session, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call(app, s, {
    url: '/api/incidents',
    body: { category: '0102', source: 'dispatcher', description: '测试案件', lon: spot[0], lat: spot[1], ...body },
    headers,
  });
const step = (s: Session, id: number, action: string, body: unknown = {}, on = app) => call(on, s, { url: `/api/incidents/${id}/${action}`, body });
const count = async (table: string) => (await db.pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

describe(`dispatch rules (${mode} database)`, () => {
  it('books one officer for exactly one of twenty cases assigned at the same instant, across two server instances', async () => {
    const [officerId] = await freeOfficers(db.pool, { district: '510105', kind: 'officer', count: 1 });
    const officer = await officerSession(app, admin, officerId!);
    await onDutyAt(app, officer, spot);
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) ids.push((await intake(dispatcher, { register: true, description: `并发派遣 ${i}` })).json.incident.id);
    const results = await Promise.all(ids.map((id, i) => step(dispatcher, id, 'dispatch', { officerIds: [officerId] }, i % 2 ? other : app)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const r of results.filter((x) => x.status === 409)) expect(r.json.message).toMatch(/busy on another case/);
    const live = await db.pool.query(`SELECT count(*)::int AS n FROM dispatches WHERE officer_id = $1 AND state IN ('pending', 'accepted')`, [officerId]);
    expect(live.rows[0].n).toBe(1);
    const states = await db.pool.query(`SELECT state, count(*)::int AS n FROM incidents WHERE id = ANY($1) GROUP BY state ORDER BY state`, [ids]);
    expect(states.rows).toEqual([
      { state: 'dispatched', n: 1 },
      { state: 'registered', n: 19 },
    ]);
  });

  it('refuses to send only auxiliaries to an enforcement case (422), and accepts them with a certified officer', async () => {
    const [aux] = await freeOfficers(db.pool, { district: '510105', kind: 'auxiliary', count: 1 });
    const [cert] = await freeOfficers(db.pool, { district: '510105', kind: 'officer', count: 1 });
    await db.pool.query(`UPDATE officers SET duty_status = 'available' WHERE id = ANY($1)`, [[aux, cert]]);
    const id = (await intake(dispatcher, { category: '0501', register: true, description: '无照游商' })).json.incident.id;
    const alone = await step(dispatcher, id, 'dispatch', { officerIds: [aux] });
    expect(alone.status).toBe(422);
    expect(alone.json.message).toMatch(/certified officer/);
    expect((await db.pool.query(`SELECT state FROM incidents WHERE id = $1`, [id])).rows[0].state).toBe('registered');
    expect((await db.pool.query(`SELECT duty_status FROM officers WHERE id = $1`, [aux])).rows[0].duty_status).toBe('available');
    const together = await step(dispatcher, id, 'dispatch', { officerIds: [aux, cert] });
    expect(together.status, together.body).toBe(200);
    expect(together.json.officers.map((o: { officerId: number }) => o.officerId).sort()).toEqual([aux, cert].sort());
  });

  it('leaves out off-duty, busy and stale officers from recommendations', async () => {
    const id = (await intake(dispatcher, { register: true })).json.incident.id;
    const rec = (await call(app, dispatcher, { url: `/api/incidents/${id}/recommendations?limit=50` })).json as { officerId: number }[];
    const ids = rec.map((r) => r.officerId);
    const excluded = await db.pool.query<{ id: number }>(
      `SELECT id FROM officers WHERE duty_status <> 'available' OR position_at < now() - interval '30 minutes'`,
    );
    expect(excluded.rows.length).toBeGreaterThan(0);
    for (const { id: x } of excluded.rows) expect(ids).not.toContain(x);
  });

  it('returns one case for an intake retried five times with one Idempotency-Key', async () => {
    const before = await count('incidents');
    const key = `retry-${Date.now()}`;
    const results = await Promise.all([0, 1, 2, 3, 4].map(() => intake(dispatcher, { description: '重复提交' }, { 'idempotency-key': key })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.json.incident.id)).size).toBe(1);
    expect(results.filter((r) => r.json.replayed)).toHaveLength(4);
    expect(await count('incidents')).toBe(before + 1);
  });

  it('suggests possible duplicates: same category within 50 m and 24 h', async () => {
    const first = (await intake(dispatcher, { category: '0507', description: '乱堆物' })).json.incident;
    const near = await intake(dispatcher, { category: '0507', description: '乱堆物 again', lon: east(spot, 30)[0] });
    expect(near.json.possibleDuplicates.map((d: { id: number }) => d.id)).toContain(first.id);
    const far = await intake(dispatcher, { category: '0507', description: '乱堆物 far', lon: east(spot, 80)[0] });
    expect(far.json.possibleDuplicates.map((d: { id: number }) => d.id)).not.toContain(first.id);
    const otherCategory = await intake(dispatcher, { category: '0102', description: '垃圾', lon: east(spot, 10)[0] });
    expect(otherCategory.json.possibleDuplicates.map((d: { id: number }) => d.id)).not.toContain(first.id);
  });

  it('accepts GCJ-02 and BD-09 points and stores them as WGS84', async () => {
    for (const crs of ['gcj02', 'bd09'] as const) {
      const [x, y] = gcoord.transform(spot, gcoord.WGS84, crs === 'gcj02' ? gcoord.GCJ02 : gcoord.BD09) as [number, number];
      const r = await intake(dispatcher, { lon: x, lat: y, crs });
      expect(r.status, r.body).toBe(201);
      const metersOff = Math.hypot((r.json.incident.lon - spot[0]) * 95_800, (r.json.incident.lat - spot[1]) * 110_900);
      expect(metersOff).toBeLessThan(1);
      expect(r.json.incident.keyAreas.map((k: { name: string }) => k.name)).toContain('春熙路·太古里');
    }
  });

  it('sends a console that was away every event it missed, in order, none twice', async () => {
    const live = await connect(base, dispatcher);
    const marker = (await intake(dispatcher, { description: 'marker' })).json.incident.id;
    const seen = await live.waitFor((e) => e.incidentId === marker);
    live.close();
    const created: number[] = [];
    for (let i = 0; i < 25; i++) created.push((await intake(dispatcher, { register: true, description: `离线期间 ${i}` })).json.incident.id);
    const back = await connect(base, dispatcher);
    const missed = (await call(app, dispatcher, { url: `/api/events?after=${seen.seq}` })).json as {
      events: { seq: number; type: string; incidentId: number }[];
      more: boolean;
    };
    expect(missed.more).toBe(false);
    expect(missed.events).toHaveLength(50);
    const seqs = missed.events.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(50);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(seqs[0]).toBeGreaterThan(seen.seq);
    expect([...new Set(missed.events.map((e) => e.incidentId))]).toEqual(created);
    expect(missed.events.map((e) => e.type)).toEqual(created.flatMap(() => ['incident.reported', 'incident.registered']));
    // Paging gives the same events.
    const page1 = (await call(app, dispatcher, { url: `/api/events?after=${seen.seq}&limit=20` })).json;
    const page2 = (await call(app, dispatcher, { url: `/api/events?after=${page1.events.at(-1).seq}&limit=40` })).json;
    expect(page1.more).toBe(true);
    expect([...page1.events, ...page2.events].map((e: { seq: number }) => e.seq)).toEqual(seqs);
    back.close();
  });

  it('enforces who may see and do what', async () => {
    const qingyangLeader = await userSession(app, admin, 'leader', '510105');
    const [a, b] = await freeOfficers(db.pool, { district: '510107', kind: 'officer', count: 2 });
    const offA = await officerSession(app, admin, a!);
    const offB = await officerSession(app, admin, b!);
    await onDutyAt(app, offA, spot);
    const id = (await intake(dispatcher, { register: true })).json.incident.id;
    expect((await call(app, dispatcher, { url: `/api/incidents/${id}` })).json.districtAdcode).toBe('510104');
    await step(dispatcher, id, 'dispatch', { officerIds: [a] });

    // An officer cannot read another officer's dispatch, nor act on it.
    expect((await call(app, offA, { url: `/api/incidents/${id}` })).status).toBe(200);
    expect((await call(app, offB, { url: `/api/incidents/${id}` })).status).toBe(404);
    expect((await step(offB, id, 'accept')).status).toBe(404);
    expect((await call(app, offB, { url: '/api/incidents' })).json.map((i: { id: number }) => i.id)).not.toContain(id);
    // A leader of another district cannot see the case, its events or its record.
    expect((await call(app, qingyangLeader, { url: `/api/incidents/${id}` })).status).toBe(404);
    expect((await call(app, qingyangLeader, { url: '/api/incidents?open=true' })).json.map((i: { id: number }) => i.id)).not.toContain(id);
    const theirEvents = (await call(app, qingyangLeader, { url: '/api/events?after=0&limit=5000' })).json.events as {
      incidentId: number;
      districtAdcode: string;
    }[];
    expect(theirEvents.some((e) => e.incidentId === id)).toBe(false);
    expect(theirEvents.every((e) => e.districtAdcode === '510105')).toBe(true);
    expect((await call(app, leader, { url: `/api/incidents/${id}` })).status).toBe(200);
    // Roles: leaders watch, officers do not dispatch, supervisors do not dispatch.
    expect((await intake(leader, { source: 'dispatcher' })).status).toBe(403);
    expect((await step(offA, id, 'dispatch', { officerIds: [a] })).status).toBe(403);
    expect((await call(app, offA, { url: `/api/incidents/${id}/recommendations` })).status).toBe(403);
    expect((await call(app, dispatcher, { url: '/api/users' })).status).toBe(403);
    // No token: 401 everywhere that needs one, with a message saying how to log in.
    for (const url of [
      '/api/incidents',
      `/api/incidents/${id}`,
      `/api/incidents/${id}/events`,
      '/api/events?after=0',
      `/api/incidents/${id}/recommendations`,
      '/api/users',
      '/api/auth/me',
    ]) {
      const r = await call(app, null, { url });
      expect(r.status, url).toBe(401);
      expect(r.json.message).toMatch(/log in/);
    }
    for (const [url, body] of [
      ['/api/incidents', {}],
      [`/api/incidents/${id}/accept`, {}],
      ['/api/officers/me/position', { lon: 104, lat: 30 }],
    ] as const) {
      expect((await call(app, null, { url, body })).status, url).toBe(401);
    }
    // Sockets need the token too.
    await expect(connect(base, { ...dispatcher, token: 'not-a-token' })).rejects.toThrow(/unauthorized/);
  });

  it('answers bad input with a 4xx that says what to fix, and writes nothing', async () => {
    const incidents = await count('incidents');
    const caseEvents = async () => (await db.pool.query(`SELECT count(*)::int AS n FROM incident_events WHERE incident_id IS NOT NULL`)).rows[0].n as number;
    const events = await caseEvents();
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ lon: 200 }, 400, /body\.lon must be <= 180/],
      [{ lat: -95 }, 400, /body\.lat must be >= -90/],
      [{ category: '9999' }, 400, /unknown category "9999"; use a minor code .*0101/],
      [{ category: 'abc' }, 400, /body\.category must match pattern/],
      [{ crs: 'epsg3857' }, 400, /body\.crs must be one of \["wgs84","gcj02","bd09"\]/],
      [{ color: 'red' }, 400, /unknown field "color"/],
      [{ description: '' }, 400, /body\.description must NOT have fewer than 1 characters/],
      [{ lon: 116.397, lat: 39.908 }, 422, /outside every district/],
      [{ source: 'patrol' }, 422, /reports with source/],
    ];
    for (const [body, status, message] of cases) {
      const r = await intake(dispatcher, body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.json.message, JSON.stringify(body)).toMatch(message);
    }
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/incidents',
      payload: 'lon=1',
      headers: { authorization: `Bearer ${dispatcher.token}`, 'content-type': 'text/plain' },
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().message).toMatch(/body must be object/);

    // Uploads: not an image, too large, nothing attached.
    const [o] = await freeOfficers(db.pool, { district: '510108', kind: 'officer', count: 1 });
    const officer = await officerSession(app, admin, o!);
    await onDutyAt(app, officer, spot);
    const id = (await intake(dispatcher, { register: true })).json.incident.id;
    await step(dispatcher, id, 'dispatch', { officerIds: [o] });
    await step(officer, id, 'accept');
    const upload = (files: { name: string; type: string; bytes: Buffer }[]) => {
      const { body, contentType } = multipart(files);
      return app.inject({
        method: 'POST',
        url: `/api/incidents/${id}/evidence`,
        payload: body,
        headers: { 'content-type': contentType, authorization: `Bearer ${officer.token}` },
      });
    };
    const evidenceBefore = await count('evidence');
    const text = await upload([{ name: 'x.png', type: 'image/png', bytes: Buffer.from('this is not a picture') }]);
    expect(text.statusCode).toBe(415);
    expect(text.json().message).toMatch(/not a JPEG, PNG or WebP/);
    const mixed = await upload([
      { name: 'ok.png', type: 'image/png', bytes: TINY_PNG },
      { name: 'bad.txt', type: 'text/plain', bytes: Buffer.from('hello') },
    ]);
    expect(mixed.statusCode).toBe(415);
    const huge = await upload([
      { name: 'big.jpg', type: 'image/jpeg', bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(11 * 1024 * 1024)]) },
    ]);
    expect(huge.statusCode).toBe(413);
    expect(huge.json().message).toMatch(/larger than 10 MB/);
    expect(await count('evidence')).toBe(evidenceBefore);
    // Steps: unknown fields, missing outcome, out of order.
    expect((await step(officer, id, 'arrive', { colour: 1 })).json.message).toMatch(/unknown field "colour"/);
    await step(officer, id, 'arrive');
    const noOutcome = await step(officer, id, 'handle', { notes: 'done' });
    expect(noOutcome.status).toBe(400);
    expect(noOutcome.json.message).toMatch(/outcome/);
    const badOutcome = await step(officer, id, 'handle', { outcome: 'persuasion' });
    expect(badOutcome.json.message).toMatch(/must be one of \["service","management","enforcement"\]/);
    const foreign = await step(officer, id, 'handle', { outcome: 'service', evidenceIds: [999999] });
    expect(foreign.status).toBe(400);
    expect((await db.pool.query(`SELECT state FROM incidents WHERE id = $1`, [id])).rows[0].state).toBe('on_scene');
    expect(await count('incidents')).toBe(incidents + 1);
    const types = (await call(app, dispatcher, { url: `/api/incidents/${id}/events` })).json.map((e: { type: string }) => e.type);
    expect(types).toEqual(['incident.reported', 'incident.registered', 'incident.dispatched', 'incident.accepted', 'incident.arrived']);
    expect(await caseEvents()).toBe(events + types.length);
  });

  it('marks overdue cases and escalates them to the district leaders (督办)', async () => {
    const leaderLive = await connect(base, leader);
    const id = (await intake(dispatcher, { category: '0401', register: true, description: '路面塌陷' })).json.incident.id;
    // The clock ran out: move the deadline into the past rather than wait an hour.
    await db.pool.query(`UPDATE incidents SET deadline = now() - interval '1 minute' WHERE id = $1`, [id]);
    const events = await app.zhihui.clocks.tick();
    expect(events.filter((e) => e.incidentId === id).map((e) => e.type)).toEqual(['incident.overdue', 'incident.escalated']);
    await leaderLive.waitFor((e) => e.type === 'incident.escalated' && e.incidentId === id, 1000);
    expect((await call(app, dispatcher, { url: `/api/incidents/${id}` })).json.overdue).toBe(true);
    expect((await app.zhihui.clocks.tick()).filter((e) => e.incidentId === id)).toEqual([]);
    // An extension (延期) moves the deadline and lifts the overdue mark.
    const ext = await step(supervisor, id, 'extend', { extendBy: 2, reason: '需燃气公司配合' });
    expect(ext.status, ext.body).toBe(200);
    expect(ext.json.overdue).toBe(false);
    expect(ext.json.extendedCount).toBe(1);
    leaderLive.close();
  });

  it('returns a dispatch not accepted in time to the queue with an alert', async () => {
    const consoleLive = await connect(base, dispatcher);
    const [o] = await freeOfficers(db.pool, { district: '510106', kind: 'officer', count: 1 });
    await db.pool.query(`UPDATE officers SET duty_status = 'available' WHERE id = $1`, [o]);
    const id = (await intake(dispatcher, { register: true })).json.incident.id;
    await step(dispatcher, id, 'dispatch', { officerIds: [o] });
    await sleep(1200);
    const events = await app.zhihui.clocks.tick();
    const timedOut = events.find((e) => e.incidentId === id && e.type === 'incident.dispatch_timed_out');
    expect(timedOut?.payload).toMatchObject({ alert: true, to: 'registered', officerIds: [o] });
    await consoleLive.waitFor((e) => e.type === 'incident.dispatch_timed_out' && e.incidentId === id, 1000);
    expect((await call(app, dispatcher, { url: `/api/incidents/${id}` })).json.state).toBe('registered');
    expect((await db.pool.query(`SELECT duty_status FROM officers WHERE id = $1`, [o])).rows[0].duty_status).toBe('available');
    consoleLive.close();
  });
});

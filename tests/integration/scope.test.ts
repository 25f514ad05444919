// Scope holes (issue 10): what a reporter is told about duplicates, where a district-scoped user may
// report and whom they may send, what an officer taken off a case still reads, a reused intake key
// with another report, and positions from the other side of the planet.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { locate } from '../../server/cases/repository.ts';
import { testApp } from '../support/app.ts';
import { call, login, multipart, type Session, TINY_PNG } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';
import { east, freeOfficers, keyAreaPoint, officerSession, onDutyAt, userSession } from '../support/fixtures.ts';

const db = testDatabase();
let app: FastifyInstance;
let admin: Session, dispatcher: Session;
/** 锦江区 (510104) and 青羊区 (510105) */
let jinjiang: [number, number], qingyang: [number, number];

beforeAll(async () => {
  app = await testApp(db);
  [admin, dispatcher] = (await Promise.all(['admin', 'dispatcher'].map((l) => login(app, l)))) as [Session, Session];
  jinjiang = await keyAreaPoint(app, '春熙路·太古里');
  qingyang = await keyAreaPoint(app, '宽窄巷子');
});
afterAll(async () => {
  await app.close();
  await db.close();
});

type Body = Record<string, unknown>;
const report = (s: Session, at: [number, number], body: Body = {}, headers: Record<string, string> = {}) =>
  call(app, s, { url: '/api/incidents', body: { category: '0102', source: 'dispatcher', description: '范围测试', lon: at[0], lat: at[1], ...body }, headers });
const step = (s: Session, id: number, action: string, body: Body = {}) => call(app, s, { url: `/api/incidents/${id}/${action}`, body });
const ids = (list: { id: number }[]) => list.map((d) => d.id);
const districtOf = async (p: [number, number]) => (await locate(db.pool, p[0], p[1]))?.districtAdcode ?? null;
const squadDistrict = async (officerId: number) =>
  (await db.pool.query<{ d: string }>(`SELECT s.district_adcode AS d FROM officers o JOIN squads s ON s.id = o.squad_id WHERE o.id = $1`, [officerId])).rows[0]!
    .d;

/** Two points at most ~30 m apart, the first located in 510104, the second in 510105 (their common border). */
async function acrossTheBorder(): Promise<[[number, number], [number, number]]> {
  const border = await db.pool.query<{ lon: number; lat: number }>(`
    WITH a AS (SELECT boundary AS g FROM districts WHERE adcode = '510104'), b AS (SELECT boundary AS g FROM districts WHERE adcode = '510105'),
    line AS (SELECT ST_Intersection(ST_Boundary(a.g), ST_Buffer(b.g::geography, 3)::geometry) AS l FROM a, b)
    SELECT ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat FROM line, ST_DumpPoints(ST_Segmentize(line.l::geography, 150)::geometry) p LIMIT 60`);
  expect(border.rows.length, '510104 and 510105 share a border').toBeGreaterThan(0);
  const dLat = 15 / 111_320;
  for (const { lon, lat } of border.rows) {
    const around: [number, number][] = [east([lon, lat], 15), east([lon, lat], -15), [lon, lat + dLat], [lon, lat - dLat]];
    const where = await Promise.all(around.map(districtOf));
    const inJinjiang = around[where.indexOf('510104')];
    const inQingyang = around[where.indexOf('510105')];
    if (inJinjiang && inQingyang) return [inJinjiang, inQingyang];
  }
  throw new Error('no pair of points across the 510104/510105 border');
}

describe(`scope (${inject('databaseMode')} database)`, () => {
  it('names as possible duplicates at intake (and on replay) only cases the reporter may see', async () => {
    // A district-scoped dispatcher reporting on their side of a border: the case just across it is not theirs.
    const [mine, theirs] = await acrossTheBorder();
    const across = await report(dispatcher, theirs, { category: '0605', description: '对面区的案件' });
    expect(across.status, across.body).toBe(201);
    const jinjiangDispatcher = await userSession(app, admin, 'dispatcher', '510104');
    const scoped = await report(jinjiangDispatcher, mine, { category: '0605', description: '本区的案件' }, { 'idempotency-key': 'dup-scope-1' });
    expect(scoped.status, scoped.body).toBe(201);
    expect(ids(scoped.json.possibleDuplicates)).not.toContain(across.json.incident.id);
    const replay = await report(jinjiangDispatcher, mine, { category: '0605', description: '本区的案件' }, { 'idempotency-key': 'dup-scope-1' });
    expect(replay.status, replay.body).toBe(200);
    expect(replay.json.replayed).toBe(true);
    expect(ids(replay.json.possibleDuplicates)).not.toContain(across.json.incident.id);
    // the same rule as the preview before saving
    const preview = await call(app, jinjiangDispatcher, { url: `/api/incidents/duplicates?lon=${mine[0]}&lat=${mine[1]}&categoryCode=0605` });
    expect(ids(preview.json.duplicates)).not.toContain(across.json.incident.id);
    expect(ids(preview.json.duplicates)).toContain(scoped.json.incident.id);
    // a city-wide dispatcher there is told of both
    const city = await report(dispatcher, mine, { category: '0605', description: '全市调度' });
    expect(ids(city.json.possibleDuplicates)).toEqual(expect.arrayContaining([across.json.incident.id, scoped.json.incident.id]));

    // An officer on patrol: their own earlier report, not a case dispatched to nobody or to someone else.
    const at = east(qingyang, 40);
    const someoneElses = await report(dispatcher, at, { category: '0506', description: '调度上报' });
    const [o] = await freeOfficers(db.pool, { district: '510105', kind: 'auxiliary', count: 1 });
    const officer = await officerSession(app, admin, o!);
    const patrol = (body: Body, headers: Record<string, string> = {}) => report(officer, east(at, 5), { category: '0506', source: 'patrol', ...body }, headers);
    const first = await patrol({ description: '巡查发现 1' });
    expect(first.status, first.body).toBe(201);
    const second = await patrol({ description: '巡查发现 2' }, { 'idempotency-key': 'dup-officer-1' });
    expect(ids(second.json.possibleDuplicates)).toContain(first.json.incident.id);
    expect(ids(second.json.possibleDuplicates)).not.toContain(someoneElses.json.incident.id);
    const again = await patrol({ description: '巡查发现 2' }, { 'idempotency-key': 'dup-officer-1' });
    expect(again.json.replayed).toBe(true);
    expect(ids(again.json.possibleDuplicates)).toContain(first.json.incident.id);
    expect(ids(again.json.possibleDuplicates)).not.toContain(someoneElses.json.incident.id);
    // the record of the report names only those too
    const reported = (await call(app, officer, { url: `/api/incidents/${second.json.incident.id}/events` })).json[0];
    expect(reported.type).toBe('incident.reported');
    expect(reported.payload.duplicates).toContain(first.json.incident.code);
    expect(reported.payload.duplicates).not.toContain(someoneElses.json.incident.code);
  });

  it('refuses a district-scoped reporter a case in another district (403 naming the district)', async () => {
    expect(await districtOf(qingyang)).toBe('510105');
    const before = (await db.pool.query(`SELECT count(*)::int AS n FROM incidents`)).rows[0].n;
    for (const role of ['dispatcher', 'supervisor'] as const) {
      const s = await userSession(app, admin, role, '510104');
      const source = role === 'dispatcher' ? 'public' : 'supervisor';
      const r = await report(s, qingyang, { source, description: '越区上报' }, { 'idempotency-key': `cross-${role}` });
      expect(r.status, r.body).toBe(403);
      expect(r.json.message).toMatch(/锦江区 \(510104\)/);
      expect(r.json.message).toMatch(/青羊区 \(510105\)/);
      expect((await report(s, jinjiang, { source, description: '本区上报' })).status).toBe(201);
    }
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM incidents`)).rows[0].n).toBe(before + 2);
    // city-wide: anywhere served
    expect((await report(dispatcher, qingyang, { description: '全市' })).status).toBe(201);
  });

  it("offers and lets a district-scoped dispatcher send only their district's officers; city-wide ones send anyone", async () => {
    const place = east(jinjiang, 300);
    expect(await districtOf(place)).toBe('510104');
    const [j1, j2, j3] = (await freeOfficers(db.pool, { district: '510104', kind: 'officer', count: 3 })) as [number, number, number];
    const [q1] = (await freeOfficers(db.pool, { district: '510105', kind: 'officer', count: 1 })) as [number];
    const sessions = new Map<number, Session>();
    for (const [n, id] of [j1, j2, j3, q1].entries()) {
      const s = await officerSession(app, admin, id);
      sessions.set(id, s);
      await onDutyAt(app, s, east(place, 2 + n));
    }
    const scoped = await userSession(app, admin, 'dispatcher', '510104');
    const scopedSupervisor = await userSession(app, admin, 'supervisor', '510104');
    const inc = (await report(scoped, place, { category: '0501', description: '跨区派遣', register: true })).json.incident;

    const cityList = (await call(app, dispatcher, { url: `/api/incidents/${inc.id}/recommendations?limit=50` })).json as { officerId: number }[];
    expect(cityList.map((c) => c.officerId)).toEqual(expect.arrayContaining([j1, j2, j3, q1]));
    const scopedList = (await call(app, scoped, { url: `/api/incidents/${inc.id}/recommendations?limit=50` })).json as { officerId: number }[];
    expect(scopedList.map((c) => c.officerId)).toEqual(expect.arrayContaining([j1, j2, j3]));
    expect(scopedList.map((c) => c.officerId)).not.toContain(q1);
    for (const c of scopedList) expect(await squadDistrict(c.officerId)).toBe('510104');

    const cross = await step(scoped, inc.id, 'dispatch', { officerIds: [j1, q1] });
    expect(cross.status, cross.body).toBe(403);
    expect(cross.json.message).toMatch(/锦江区 \(510104\)/);
    expect(cross.json.message).toMatch(new RegExp(`#${q1}\\) is of 青羊区 \\(510105\\)`));
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM dispatches WHERE incident_id = $1`, [inc.id])).rows[0].n).toBe(0);
    expect((await step(scoped, inc.id, 'dispatch', { officerIds: [j1] })).status).toBe(200);

    // reassign: not to another district's officer, yes to one of theirs
    const reassignCross = await step(scoped, inc.id, 'reassign', { officerIds: [q1], reason: '改派外区' });
    expect(reassignCross.status, reassignCross.body).toBe(403);
    expect(reassignCross.json.message).toMatch(/青羊区 \(510105\)/);
    expect((await step(scoped, inc.id, 'reassign', { officerIds: [j2], reason: '改派本区' })).status).toBe(200);

    // rework: the scoped supervisor names no other district's officer; back to the handler is fine
    const j2s = sessions.get(j2)!;
    for (const a of ['accept', 'arrive']) expect((await step(j2s, inc.id, a)).status).toBe(200);
    expect((await step(j2s, inc.id, 'handle', { outcome: 'enforcement', notes: '已处理' })).status).toBe(200);
    const reworkCross = await step(scopedSupervisor, inc.id, 'rework', { officerIds: [q1], reason: '返工外区' });
    expect(reworkCross.status, reworkCross.body).toBe(403);
    expect((await step(scopedSupervisor, inc.id, 'rework', { reason: '返工原处置人' })).status).toBe(200);

    // a city-wide dispatcher sends anyone, across districts
    const other = (await report(dispatcher, place, { category: '0501', description: '全市派遣', register: true })).json.incident;
    const city = await step(dispatcher, other.id, 'dispatch', { officerIds: [j3, q1] });
    expect(city.status, city.body).toBe(200);
  });

  it('lets an officer taken off a case, or who declined it, read nothing more of it', async () => {
    const place = east(qingyang, -250);
    const [a, b, c] = (await freeOfficers(db.pool, { district: '510105', kind: 'officer', count: 3 })) as [number, number, number];
    const [offA, offB, offC] = await Promise.all([a, b, c].map((id) => officerSession(app, admin, id)));
    for (const [n, s] of [offA!, offB!, offC!].entries()) await onDutyAt(app, s, east(place, 3 + n));
    const inc = (await report(dispatcher, place, { category: '0507', description: '改派后不可见', register: true })).json.incident;
    expect((await step(dispatcher, inc.id, 'dispatch', { officerIds: [a] })).status).toBe(200);
    expect((await step(offA!, inc.id, 'accept')).status).toBe(200);
    const { body, contentType } = multipart([{ name: 'a.png', type: 'image/png', bytes: TINY_PNG }]);
    const up = await app.inject({
      method: 'POST',
      url: `/api/incidents/${inc.id}/evidence`,
      payload: body,
      headers: { authorization: `Bearer ${offA!.token}`, 'content-type': contentType },
    });
    expect(up.statusCode, up.body).toBe(201);
    const photo = up.json()[0].id as number;
    expect((await call(app, offA!, { url: `/api/evidence/${photo}` })).status).toBe(200);

    const seqBefore = (await db.pool.query(`SELECT max(seq)::int AS s FROM incident_events`)).rows[0].s as number;
    expect((await step(dispatcher, inc.id, 'reassign', { officerIds: [b], reason: 'A 调往别处' })).status).toBe(200);
    expect((await step(offB!, inc.id, 'accept')).status).toBe(200);
    expect((await step(dispatcher, inc.id, 'escalate', { reason: '督办' })).status).toBe(200);

    const gone = async (s: Session) => {
      expect((await call(app, s, { url: `/api/incidents/${inc.id}` })).status).toBe(404);
      expect((await call(app, s, { url: `/api/incidents/${inc.id}/events` })).status).toBe(404);
      expect((await call(app, s, { url: `/api/evidence/${photo}` })).status).toBe(404);
      expect(ids((await call(app, s, { url: '/api/incidents?limit=1000' })).json)).not.toContain(inc.id);
      expect((await step(s, inc.id, 'arrive')).status).toBe(404);
    };
    await gone(offA!);
    // the feed: the reassignment that took A off reaches A, nothing after it
    const feedA = ((await call(app, offA!, { url: `/api/events?after=${seqBefore}&limit=5000` })).json.events as { type: string; incidentId: number }[])
      .filter((e) => e.incidentId === inc.id)
      .map((e) => e.type);
    expect(feedA).toEqual(['incident.reassigned']);
    // the officer working it sees all of it, history included
    expect((await call(app, offB!, { url: `/api/incidents/${inc.id}` })).status).toBe(200);
    expect((await call(app, offB!, { url: `/api/evidence/${photo}` })).status).toBe(200);
    const feedB = ((await call(app, offB!, { url: `/api/events?after=${seqBefore - 10}&limit=5000` })).json.events as { type: string; incidentId: number }[])
      .filter((e) => e.incidentId === inc.id)
      .map((e) => e.type);
    expect(feedB).toEqual(expect.arrayContaining(['incident.reassigned', 'incident.accepted', 'incident.escalated']));

    // declined: the same
    const second = (await report(dispatcher, east(place, 20), { category: '0507', description: '退单后不可见', register: true })).json.incident;
    expect((await step(dispatcher, second.id, 'dispatch', { officerIds: [c] })).status).toBe(200);
    expect((await call(app, offC!, { url: `/api/incidents/${second.id}` })).status).toBe(200);
    // the answer to the decline (and to its resend) is the case as it is, with nothing left to do
    const decline = () =>
      app.inject({
        method: 'POST',
        url: `/api/incidents/${second.id}/decline`,
        payload: { reason: '不在辖区' },
        headers: { authorization: `Bearer ${offC!.token}`, 'idempotency-key': 'decline-c-1' },
      });
    const declined = await decline();
    expect(declined.statusCode, declined.body).toBe(200);
    expect(declined.json()).toMatchObject({ state: 'registered', allowedSteps: [] });
    const resent = await decline();
    expect(resent.statusCode, resent.body).toBe(200);
    expect(resent.headers['idempotent-replayed']).toBe('true');
    expect((await call(app, offC!, { url: `/api/incidents/${second.id}` })).status).toBe(404);
    expect(ids((await call(app, offC!, { url: '/api/incidents?limit=1000' })).json)).not.toContain(second.id);
    // ... while B, who handled the first case, still reads it once done
    expect((await step(offB!, inc.id, 'arrive')).status).toBe(200);
    expect((await step(offB!, inc.id, 'handle', { outcome: 'service', notes: '已清理' })).status).toBe(200);
    expect((await call(app, offB!, { url: `/api/incidents/${inc.id}` })).json.state).toBe('handled');
  });

  it('gives an officer the events of the problems they reported, as the case list does', async () => {
    const [o] = await freeOfficers(db.pool, { district: '510105', kind: 'auxiliary', count: 1 });
    const officer = await officerSession(app, admin, o!);
    const seqBefore = (await db.pool.query(`SELECT max(seq)::int AS s FROM incident_events`)).rows[0].s as number;
    const inc = (await report(officer, east(qingyang, 120), { category: '0201', source: 'patrol', description: '上报问题' })).json.incident;
    expect((await step(dispatcher, inc.id, 'register')).status).toBe(200);
    const feed = ((await call(app, officer, { url: `/api/events?after=${seqBefore}` })).json.events as { type: string; incidentId: number }[])
      .filter((e) => e.incidentId === inc.id)
      .map((e) => e.type);
    expect(feed).toEqual(['incident.reported', 'incident.registered']);
  });

  it('refuses a reused intake Idempotency-Key with another report (422), and still replays the same one', async () => {
    const body = { category: '0507', source: 'public', description: '幂等指纹', reporterName: '张三', lon: jinjiang[0], lat: jinjiang[1] };
    const first = await call(app, dispatcher, { url: '/api/incidents', body, headers: { 'idempotency-key': 'intake-fp-1' } });
    expect(first.status, first.body).toBe(201);
    const count = async () => (await db.pool.query(`SELECT count(*)::int AS n FROM incidents`)).rows[0].n as number;
    const before = await count();
    // the same report, its members in another order and the default crs spelled out: a replay
    const same = await call(app, dispatcher, {
      url: '/api/incidents',
      body: { crs: 'wgs84', ...Object.fromEntries(Object.entries(body).reverse()) },
      headers: { 'idempotency-key': 'intake-fp-1' },
    });
    expect(same.status, same.body).toBe(200);
    expect(same.json.replayed).toBe(true);
    expect(same.json.incident.id).toBe(first.json.incident.id);
    for (const change of [{ description: '另一件事' }, { lon: east(jinjiang, 30)[0] }, { register: true }]) {
      const other = await call(app, dispatcher, { url: '/api/incidents', body: { ...body, ...change }, headers: { 'idempotency-key': 'intake-fp-1' } });
      expect(other.status, other.body).toBe(422);
      expect(other.json.message).toMatch(/Idempotency-Key intake-fp-1 was already used/);
      expect(other.json.message).toContain(first.json.incident.code);
    }
    expect(await count()).toBe(before);
    // keys are per user: another user's same key is their own
    const supervisor = await login(app, 'supervisor');
    expect(
      (await call(app, supervisor, { url: '/api/incidents', body: { ...body, source: 'supervisor' }, headers: { 'idempotency-key': 'intake-fp-1' } })).status,
    ).toBe(201);
  });

  it('refuses positions outside the area served (422) and keeps the last good one', async () => {
    const [o] = await freeOfficers(db.pool, { district: '510106', kind: 'auxiliary', count: 1 });
    const officer = await officerSession(app, admin, o!);
    const post = (lon: number, lat: number, crs?: string) =>
      call(app, officer, { url: '/api/officers/me/position', body: { lon, lat, ...(crs ? { crs } : {}) } });
    const extent = (
      await db.pool.query<{ w: number; s: number; e: number; n: number }>(`
      SELECT ST_XMin(x) AS w, ST_YMin(x) AS s, ST_XMax(x) AS e, ST_YMax(x) AS n FROM (SELECT ST_Extent(boundary)::box2d AS x FROM districts) d`)
    ).rows[0]!;
    const mid = (extent.s + extent.n) / 2;
    const kmLon = 1 / (111.32 * Math.cos((mid * Math.PI) / 180));
    const kept = async () => (await db.pool.query(`SELECT count(*)::int AS n FROM officer_positions WHERE officer_id = $1`, [o])).rows[0].n as number;
    const before = await kept();
    // 0,0 (a GPS cold start), Beijing, 30 km east and 30 km north of the districts
    for (const [lon, lat] of [
      [0, 0],
      [116.397, 39.909],
      [extent.e + 30 * kmLon, mid],
      [(extent.w + extent.e) / 2, extent.n + 30 / 111.32],
    ]) {
      const r = await post(lon!, lat!);
      expect(r.status, `${lon},${lat}: ${r.body}`).toBe(422);
      expect(r.json.message).toMatch(/outside the area this system serves/);
    }
    expect(await kept()).toBe(before);
    // inside the city, and 10 km beyond its line (within the margin): kept
    expect((await post(jinjiang[0], jinjiang[1])).status).toBe(202);
    const at = (await db.pool.query(`SELECT ST_X(position) AS lon FROM officers WHERE id = $1`, [o])).rows[0].lon as number;
    expect(at).toBeCloseTo(jinjiang[0], 6);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await post(extent.e + 10 * kmLon, mid)).status).toBe(202);
    expect(await kept()).toBe(before + 2);
  });
});

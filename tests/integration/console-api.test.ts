import gcoord from 'gcoord';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DuplicatesPreview, CaseView, SquadBoard } from '#shared/cases/contract.ts';
import { testApp } from '../support/app.ts';
import { call, connect, type LiveClient, login, type Session } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';
import { east, freeOfficers, keyAreaPoint, officerSession, onDutyAt, userSession } from '../support/fixtures.ts';

const db = testDatabase();
let app: FastifyInstance;
let base: string;
let admin: Session, dispatcher: Session, supervisor: Session, leader: Session;
let consoleLive: LiveClient, leaderLive: LiveClient;
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
  spot = await keyAreaPoint(app, '春熙路·太古里'); // 锦江区 510104, the seeded leader's district
  [consoleLive, leaderLive] = (await Promise.all([dispatcher, leader].map((s) => connect(base, s)))) as [LiveClient, LiveClient];
});
afterAll(async () => {
  for (const c of [consoleLive, leaderLive]) c?.close();
  await app.close();
  await db.close();
});

type Answer = { status: number; json: any; body: string };
const intake = (s: Session, body: Record<string, unknown>): Promise<Answer> =>
  call(app, s, { url: '/api/incidents', body: { category: '0102', source: 'dispatcher', description: '控制台测试', lon: spot[0], lat: spot[1], ...body } });
const newCase = async (body: Record<string, unknown> = {}): Promise<CaseView> => {
  const r = await intake(dispatcher, body);
  expect(r.status, r.body).toBe(201);
  return r.json.incident;
};
const step = (s: Session, id: number, action: string, body: unknown = {}) => call(app, s, { url: `/api/incidents/${id}/${action}`, body });
const view = async (s: Session, id: number): Promise<CaseView> => (await call(app, s, { url: `/api/incidents/${id}` })).json;
const preview = (s: Session | null, q: Record<string, string | number>) =>
  call(app, s, { url: `/api/incidents/duplicates?${new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)]))}` });
const caseEvents = async (id: number) =>
  (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1`, [id])).rows[0]!.n;
const dutyOf = async (officerId: number) => (await db.pool.query<{ d: string }>(`SELECT duty_status AS d FROM officers WHERE id = $1`, [officerId])).rows[0]!.d;
/** Puts a case straight into a final state (the loop to get there is tested elsewhere). */
const finish = (id: number, state: 'closed' | 'voided') =>
  db.pool.query(
    `UPDATE incidents SET state = $2, outcome = CASE WHEN $2 = 'closed' THEN 'service' END, closed_at = CASE WHEN $2 = 'closed' THEN now() END WHERE id = $1`,
    [id, state],
  );

describe(`the dispatcher's wall console API (${inject('databaseMode')} database)`, () => {
  describe('duplicates preview before saving', () => {
    it('shows where a report would land and the open cases of its category within 50 m and 24 h, as intake finds them', async () => {
      const here = east(spot, 520);
      const first = await newCase({ category: '0605', description: '垃圾分类不规范 一', lon: here[0], lat: here[1] });
      const second = await newCase({ category: '0605', description: '垃圾分类不规范 二', lon: east(here, 25)[0], lat: here[1], register: true });
      const voided = await newCase({ category: '0605', description: '已作废', lon: east(here, 10)[0], lat: here[1] });
      expect((await step(dispatcher, voided.id, 'void', { reason: '测试作废' })).status).toBe(200);
      const closed = await newCase({ category: '0605', description: '已结案', lon: east(here, 5)[0], lat: here[1] });
      await finish(closed.id, 'closed');
      await newCase({ category: '0102', description: '别的类别', lon: east(here, 3)[0], lat: here[1] });
      await newCase({ category: '0605', description: '远处', lon: east(here, 90)[0], lat: here[1] });

      const at = east(here, 10);
      const r = await preview(dispatcher, { lon: at[0], lat: at[1], categoryCode: '0605' });
      expect(r.status, r.body).toBe(200);
      const p = r.json as DuplicatesPreview;
      expect(p.duplicates.map((d) => d.id)).toEqual([first.id, second.id]); // nearest first; not voided, closed, other category or far
      const [d1, d2] = p.duplicates;
      expect(d1).toEqual({
        id: first.id,
        code: first.code,
        state: 'reported',
        meters: expect.any(Number),
        reportedAt: first.reportedAt,
        description: '垃圾分类不规范 一',
        category: { code: '0605', nameZh: '垃圾分类不规范', nameEn: 'Garbage sorting violations' },
      });
      expect(Math.abs(d1!.meters - 10)).toBeLessThan(1);
      expect(Math.abs(d2!.meters - 15)).toBeLessThan(1);
      expect(d2!.state).toBe('registered');
      expect(p.lon).toBeCloseTo(at[0], 9);

      // Saving the report at that point: intake finds the same cases and locates it where the preview said.
      const saved = await intake(dispatcher, { category: '0605', description: '垃圾分类不规范 三', lon: at[0], lat: at[1] });
      expect(saved.json.possibleDuplicates.map((d: { id: number }) => d.id)).toEqual([first.id, second.id]);
      const inc = saved.json.incident as CaseView;
      expect(p.location).toEqual({
        districtAdcode: inc.districtAdcode,
        districtName: inc.districtName,
        streetCode: inc.streetCode,
        streetName: expect.any(String),
        gridCode: inc.gridCode,
        landmark: inc.landmark,
        keyAreas: inc.keyAreas,
      });
      expect(p.location!.districtAdcode).toBe('510104');
      expect(p.location!.gridCode).toMatch(/^510104\d{9}$/);
      const street = await db.pool.query(`SELECT name FROM streets WHERE code = $1`, [inc.streetCode]);
      expect(p.location!.streetName).toBe(street.rows[0].name);
    });

    it('takes GCJ-02 and BD-09 points and answers the WGS84 point intake would store', async () => {
      const target = await newCase({ category: '0506', description: '非机动车乱停放', lon: east(spot, 260)[0], lat: spot[1] });
      for (const crs of ['gcj02', 'bd09'] as const) {
        const [x, y] = gcoord.transform([target.lon, target.lat], gcoord.WGS84, crs === 'gcj02' ? gcoord.GCJ02 : gcoord.BD09) as [number, number];
        const r = await preview(dispatcher, { lon: x, lat: y, crs, categoryCode: '0506' });
        expect(r.status, r.body).toBe(200);
        expect(Math.hypot((r.json.lon - target.lon) * 95_800, (r.json.lat - target.lat) * 110_900)).toBeLessThan(1);
        expect(r.json.duplicates.map((d: { id: number }) => d.id)).toContain(target.id);
      }
    });

    it('answers a point outside every district with no location, a district-scoped user only with their district, and refuses bad input and other roles', async () => {
      const outside = await preview(dispatcher, { lon: 116.397, lat: 39.908, categoryCode: '0102' });
      expect(outside.status).toBe(200);
      expect(outside.json).toMatchObject({ location: null, duplicates: [] });

      const mine = await newCase({ category: '0201', description: '小广告', lon: east(spot, 330)[0], lat: spot[1] });
      const qingyangDispatcher = await userSession(app, admin, 'dispatcher', '510105');
      const scoped = await preview(qingyangDispatcher, { lon: mine.lon, lat: mine.lat, categoryCode: '0201' });
      expect(scoped.status).toBe(200);
      expect(scoped.json.duplicates.map((d: { id: number }) => d.id)).not.toContain(mine.id);
      expect((await preview(leader, { lon: mine.lon, lat: mine.lat, categoryCode: '0201' })).status).toBe(403);
      expect((await preview(supervisor, { lon: mine.lon, lat: mine.lat, categoryCode: '0201' })).json.duplicates.map((d: { id: number }) => d.id)).toContain(
        mine.id,
      );

      const bad: [Record<string, string | number>, number, RegExp][] = [
        [{ lon: spot[0], lat: spot[1] }, 400, /"categoryCode" is required/],
        [{ lon: spot[0], lat: spot[1], categoryCode: '9999' }, 400, /unknown category "9999"; use a minor code .*0101/],
        [{ lon: spot[0], lat: spot[1], categoryCode: 'x1' }, 400, /querystring\.categoryCode must match pattern/],
        [{ lon: 200, lat: spot[1], categoryCode: '0102' }, 400, /querystring\.lon must be <= 180/],
        [{ lon: spot[0], lat: spot[1], categoryCode: '0102', crs: 'epsg3857' }, 400, /querystring\.crs must be one of \["wgs84","gcj02","bd09"\]/],
        [{ lon: spot[0], lat: spot[1], categoryCode: '0102', radius: 100 }, 400, /unknown field "radius"/],
      ];
      for (const [q, status, message] of bad) {
        const r = await preview(dispatcher, q);
        expect(r.status, JSON.stringify(q)).toBe(status);
        expect(r.json.message, JSON.stringify(q)).toMatch(message);
      }
      expect((await preview(null, { lon: spot[0], lat: spot[1], categoryCode: '0102' })).status).toBe(401);
    });
  });

  describe('merge (合并) a duplicate into another case', () => {
    it('voids the duplicate into the open case, naming its code, in one event the console and the feed carry', async () => {
      const target = await newCase({ category: '0103', description: '渣土堆 原案', register: true });
      const dup = await newCase({ category: '0103', description: '渣土堆 重复来电' });
      expect((await view(dispatcher, dup.id)).allowedSteps).toEqual(expect.arrayContaining(['merge', 'void', 'register']));
      const seqBefore = (await db.pool.query<{ s: number }>(`SELECT max(seq) AS s FROM incident_events`)).rows[0]!.s;

      const r = await step(dispatcher, dup.id, 'merge', { intoId: target.id, reason: '同一地点重复来电' });
      expect(r.status, r.body).toBe(200);
      const merged = r.json as CaseView;
      expect(merged.state).toBe('voided');
      expect(merged.mergedInto).toEqual({ id: target.id, code: target.code });
      expect(merged.stateReason).toContain(target.code);
      expect(merged.stateReason).toContain('同一地点重复来电');
      expect(merged.allowedSteps).toEqual([]);
      const row = (await db.pool.query(`SELECT merged_into, voided_at FROM incidents WHERE id = $1`, [dup.id])).rows[0];
      expect(row.merged_into).toBe(target.id);
      expect(row.voided_at).not.toBeNull();
      expect((await view(dispatcher, target.id)).state).toBe('registered');

      const live = await consoleLive.waitFor((e) => e.type === 'incident.merged' && e.incidentId === dup.id, 2000);
      expect(live.payload).toEqual({ code: dup.code, from: 'reported', to: 'voided', intoId: target.id, intoCode: target.code, reason: '同一地点重复来电' });
      expect(live.actorUserId).toBe(dispatcher.user.id);
      const feed = (await call(app, dispatcher, { url: `/api/events?after=${seqBefore}` })).json.events as { type: string; incidentId: number; seq: number }[];
      expect(feed.filter((e) => e.incidentId === dup.id).map((e) => e.type)).toEqual(['incident.merged']);
      expect(feed.find((e) => e.type === 'incident.merged')!.seq).toBe(live.seq);

      // A supervisor may merge too, without a reason; the state reason still names the target.
      const dup2 = await newCase({ category: '0103', description: '渣土堆 又一次', register: true });
      const bySupervisor = await step(supervisor, dup2.id, 'merge', { intoId: target.id });
      expect(bySupervisor.status, bySupervisor.body).toBe(200);
      expect(bySupervisor.json.stateReason).toMatch(new RegExp(`^合并至 ${target.code}`));
    });

    it('refuses merging into itself, into a closed, voided, unknown or unseen case, from a dispatched case, by other roles, and bad bodies; nothing changes', async () => {
      const target = await newCase({ category: '0103', description: '目标', register: true });
      const dup = await newCase({ category: '0103', description: '重复' });
      const closed = await newCase({ category: '0103', description: '已结案' });
      await finish(closed.id, 'closed');
      const voided = await newCase({ category: '0103', description: '已作废' });
      await step(dispatcher, voided.id, 'void', { reason: '非城管职责' });
      const events = await caseEvents(dup.id);

      const itself = await step(dispatcher, dup.id, 'merge', { intoId: dup.id });
      expect(itself.status).toBe(422);
      expect(itself.json.message).toMatch(/cannot be merged into itself/);
      const intoClosed = await step(dispatcher, dup.id, 'merge', { intoId: closed.id });
      expect(intoClosed.status).toBe(422);
      expect(intoClosed.json.message).toMatch(new RegExp(`case ${closed.code} is closed; merge into an open case`));
      const intoVoided = await step(dispatcher, dup.id, 'merge', { intoId: voided.id });
      expect(intoVoided.status).toBe(422);
      expect(intoVoided.json.message).toMatch(/is voided/);
      const unknown = await step(dispatcher, dup.id, 'merge', { intoId: 987654321 });
      expect(unknown.status).toBe(404);
      expect(unknown.json.message).toMatch(/no case 987654321 that you can see to merge into/);

      // A dispatcher of 青羊区 cannot merge a case of theirs into one of 锦江区 (nor see the 锦江 one).
      const qingyang = await userSession(app, admin, 'dispatcher', '510105');
      const theirs = (await intake(qingyang, { category: '0103', description: '青羊 渣土', ...pointOf(await keyAreaPoint(app, '宽窄巷子')) })).json
        .incident as CaseView;
      expect(theirs.districtAdcode).toBe('510105');
      const unseen = await step(qingyang, theirs.id, 'merge', { intoId: target.id });
      expect(unseen.status).toBe(404);
      expect((await step(qingyang, dup.id, 'merge', { intoId: theirs.id })).status).toBe(404);

      // Wrong role, wrong state, bad bodies.
      const byLeader = await step(leader, dup.id, 'merge', { intoId: target.id });
      expect(byLeader.status).toBe(403);
      expect(byLeader.json.message).toMatch(/role leader may not merge \(合并\); that is for supervisor, dispatcher, admin/);
      const [o] = await freeOfficers(db.pool, { district: '510104', kind: 'officer', count: 1 });
      await db.pool.query(`UPDATE officers SET duty_status = 'available' WHERE id = $1`, [o]);
      const sent = await newCase({ category: '0103', description: '已派遣', register: true });
      expect((await step(dispatcher, sent.id, 'dispatch', { officerIds: [o] })).status).toBe(200);
      const late = await step(dispatcher, sent.id, 'merge', { intoId: target.id });
      expect(late.status).toBe(409);
      expect(late.json.message).toMatch(/cannot merge \(合并\) a case that is dispatched; allowed now: .*reassign/);
      await step(supervisor, sent.id, 'suspend', { reason: '测试结束' });
      for (const [body, message] of [
        [{}, /body: "intoId" is required/],
        [{ intoId: 0 }, /body\.intoId must be >= 1/],
        [{ intoId: target.id, colour: 'red' }, /unknown field "colour"/],
        [{ intoId: 'abc' }, /body\.intoId must be integer/],
      ] as const) {
        const r = await step(dispatcher, dup.id, 'merge', body);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(r.json.message, JSON.stringify(body)).toMatch(message);
      }
      expect((await view(dispatcher, dup.id)).state).toBe('reported');
      expect(await caseEvents(dup.id)).toBe(events);
      expect((await db.pool.query(`SELECT merged_into FROM incidents WHERE id = $1`, [dup.id])).rows[0].merged_into).toBeNull();
    });

    it('merges two cases into each other at the same instant without a deadlock: one wins, the other is refused', async () => {
      const a = await newCase({ category: '0103', description: '互并 A' });
      const b = await newCase({ category: '0103', description: '互并 B' });
      const [ab, ba] = await Promise.all([step(dispatcher, a.id, 'merge', { intoId: b.id }), step(supervisor, b.id, 'merge', { intoId: a.id })]);
      expect([ab.status, ba.status].sort()).toEqual([200, 422]);
      const states = (await db.pool.query(`SELECT id, state FROM incidents WHERE id = ANY($1) ORDER BY id`, [[a.id, b.id]])).rows.map((r) => r.state).sort();
      expect(states).toEqual(['reported', 'voided']);
    });
  });

  describe('escalate (督办) by hand', () => {
    it('marks an open case escalated without changing its state, tells the district leaders, and refuses a second time', async () => {
      const inc = await newCase({ category: '0401', description: '路面塌陷 需督办', register: true });
      expect((await view(dispatcher, inc.id)).allowedSteps).toContain('escalate');
      const r = await step(dispatcher, inc.id, 'escalate', { reason: '群众多次来电' });
      expect(r.status, r.body).toBe(200);
      expect(r.json.state).toBe('registered');
      expect(r.json.escalatedAt).not.toBeNull();
      expect(r.json.allowedSteps).not.toContain('escalate');
      expect(r.json.allowedSteps).toContain('dispatch');
      const heard = await leaderLive.waitFor((e) => e.type === 'incident.escalated' && e.incidentId === inc.id, 2000);
      expect(heard.payload).toEqual({
        code: inc.code,
        state: 'registered',
        to: 'leader',
        manual: true,
        reason: '群众多次来电',
        by: { userId: dispatcher.user.id, login: 'dispatcher', role: 'dispatcher' },
      });
      await consoleLive.waitFor((e) => e.type === 'incident.escalated' && e.incidentId === inc.id, 2000);
      const events = await caseEvents(inc.id);

      const again = await step(supervisor, inc.id, 'escalate', { reason: '再次督办' });
      expect(again.status).toBe(409);
      expect(again.json.message).toMatch(/cannot escalate \(督办\): this case was already escalated \(督办\) at .*; allowed now:/);
      expect(await caseEvents(inc.id)).toBe(events);
      expect((await view(dispatcher, inc.id)).escalatedAt).toBe(r.json.escalatedAt);

      // The overdue clock later: the leaders hear it is overdue, the first escalation time stays.
      await db.pool.query(`UPDATE incidents SET deadline = now() - interval '1 minute' WHERE id = $1`, [inc.id]);
      const ticked = (await app.zhihui.clocks.tick()).filter((e) => e.incidentId === inc.id).map((e) => e.type);
      expect(ticked).toEqual(['incident.overdue', 'incident.escalated']);
      expect((await view(dispatcher, inc.id)).escalatedAt).toBe(r.json.escalatedAt);
    });

    it('refuses a case the overdue clock escalated, closed cases, other roles and a missing reason', async () => {
      const overdue = await newCase({ category: '0102', description: '超期', register: true });
      await db.pool.query(`UPDATE incidents SET deadline = now() - interval '1 minute' WHERE id = $1`, [overdue.id]);
      await app.zhihui.clocks.tick();
      expect((await view(dispatcher, overdue.id)).allowedSteps).not.toContain('escalate');
      expect((await step(dispatcher, overdue.id, 'escalate', { reason: '督办' })).status).toBe(409);

      const closed = await newCase({ category: '0102', description: '已结案' });
      await finish(closed.id, 'closed');
      const late = await step(dispatcher, closed.id, 'escalate', { reason: '督办' });
      expect(late.status).toBe(409);
      expect(late.json.message).toMatch(/cannot escalate \(督办\) a case that is closed; allowed now: none for your role/);

      const open = await newCase({ category: '0102', description: '待督办' });
      const byLeader = await step(leader, open.id, 'escalate', { reason: '督办' });
      expect(byLeader.status).toBe(403);
      expect(byLeader.json.message).toMatch(/role leader may not escalate/);
      expect((await step(dispatcher, open.id, 'escalate', {})).json.message).toMatch(/body: "reason" is required/);
      const blank = await step(dispatcher, open.id, 'escalate', { reason: '   ' });
      expect(blank.status).toBe(400);
      expect(blank.json.message).toMatch(/escalating \(督办\) needs a "reason"/);
      expect((await step(dispatcher, open.id, 'escalate', { reason: 'x'.repeat(501) })).json.message).toMatch(
        /body\.reason must NOT have more than 500 characters/,
      );
      expect((await view(dispatcher, open.id)).escalatedAt).toBeNull();
      // A supervisor may escalate a case not yet registered.
      expect((await step(supervisor, open.id, 'escalate', { reason: '督办' })).status).toBe(200);
    });
  });

  describe('reassign (改派)', () => {
    let officerA: Session, officerB: Session, liveA: LiveClient, liveB: LiveClient;
    let aux: number, busyOne: number, spare: number;
    const a = () => officerA.user.officerId!;
    const b = () => officerB.user.officerId!;

    beforeAll(async () => {
      const [oa, ob, oBusy, oSpare] = await freeOfficers(db.pool, { district: '510104', kind: 'officer', count: 4 });
      aux = (await freeOfficers(db.pool, { district: '510104', kind: 'auxiliary', count: 1 }))[0]!;
      busyOne = oBusy!;
      spare = oSpare!;
      officerA = await officerSession(app, admin, oa!);
      officerB = await officerSession(app, admin, ob!);
      await onDutyAt(app, officerA, east(spot, 100));
      await onDutyAt(app, officerB, east(spot, 200));
      await db.pool.query(`UPDATE officers SET duty_status = 'available' WHERE id = ANY($1)`, [[aux, busyOne, spare]]);
      [liveA, liveB] = (await Promise.all([officerA, officerB].map((s) => connect(base, s)))) as [LiveClient, LiveClient];
    });
    afterAll(() => {
      liveA?.close();
      liveB?.close();
    });

    it('cancels the live dispatch, frees its officer, sends the new one, and both phones hear of it', async () => {
      const inc = await newCase({ category: '0501', description: '无照游商 改派', register: true });
      expect((await step(dispatcher, inc.id, 'dispatch', { officerIds: [a()] })).status).toBe(200);
      expect((await step(officerA, inc.id, 'accept')).json.state).toBe('accepted');
      expect((await view(dispatcher, inc.id)).allowedSteps).toContain('reassign');

      const r = await step(dispatcher, inc.id, 'reassign', { officerIds: [b()], reason: 'A 另有紧急任务' });
      expect(r.status, r.body).toBe(200);
      expect(r.json.state).toBe('dispatched');
      expect(r.json.officers).toEqual([
        expect.objectContaining({ officerId: a(), dispatchState: 'cancelled' }),
        expect.objectContaining({ officerId: b(), dispatchState: 'pending' }),
      ]);
      expect(await dutyOf(a())).toBe('available');
      expect(await dutyOf(b())).toBe('busy');
      const rows = (await db.pool.query(`SELECT officer_id, state, reason FROM dispatches WHERE incident_id = $1 ORDER BY id`, [inc.id])).rows;
      expect(rows).toEqual([
        { officer_id: a(), state: 'cancelled', reason: 'A 另有紧急任务' },
        { officer_id: b(), state: 'pending', reason: null },
      ]);

      const payload = { code: inc.code, from: 'accepted', to: 'dispatched', officerIds: [b()], previousOfficerIds: [a()], reason: 'A 另有紧急任务' };
      for (const live of [liveA, liveB, consoleLive]) {
        const e = await live.waitFor((x) => x.type === 'incident.reassigned' && x.incidentId === inc.id, 2000);
        expect(e.payload).toEqual(payload);
        expect([...e.officerIds].sort((x, y) => x - y)).toEqual([a(), b()].sort((x, y) => x - y));
      }
      const feedB = (await call(app, officerB, { url: '/api/events?after=0&limit=5000' })).json.events as { type: string; incidentId: number }[];
      expect(feedB.some((e) => e.type === 'incident.reassigned' && e.incidentId === inc.id)).toBe(true);

      // The new officer takes it from there; the old one no longer sees the case at all (issue 10).
      expect((await step(officerA, inc.id, 'arrive')).status).toBe(404);
      expect((await step(officerB, inc.id, 'accept')).json.state).toBe('accepted');
      expect((await step(officerB, inc.id, 'arrive')).json.state).toBe('on_scene');
      const onScene = await step(dispatcher, inc.id, 'reassign', { officerIds: [a()], reason: '到场后不改派' });
      expect(onScene.status).toBe(409);
      expect(onScene.json.message).toMatch(/cannot reassign \(改派\) a case that is on_scene; allowed now: escalate/);
      await step(officerB, inc.id, 'handle', { outcome: 'enforcement', notes: '已处理' });
      expect(await dutyOf(b())).toBe('available');
      const types = ((await call(app, dispatcher, { url: `/api/incidents/${inc.id}/events` })).json as { type: string }[]).map((e) => e.type);
      expect(types).toEqual([
        'incident.reported',
        'incident.registered',
        'incident.dispatched',
        'incident.accepted',
        'incident.reassigned',
        'incident.accepted',
        'incident.arrived',
        'incident.handled',
      ]);
    });

    it('refuses a busy officer (409), only auxiliaries on an enforcement case (422), the same officers, other roles and states, and bad bodies; nothing changes', async () => {
      const other = await newCase({ category: '0102', description: '占用一名队员', register: true });
      expect((await step(dispatcher, other.id, 'dispatch', { officerIds: [busyOne] })).status).toBe(200);
      const inc = await newCase({ category: '0501', description: '无照游商 改派被拒', register: true });
      expect((await step(dispatcher, inc.id, 'dispatch', { officerIds: [spare] })).status).toBe(200);
      const events = await caseEvents(inc.id);
      const unchanged = async () => {
        expect((await view(dispatcher, inc.id)).state).toBe('dispatched');
        const live = (await db.pool.query(`SELECT officer_id FROM dispatches WHERE incident_id = $1 AND state IN ('pending', 'accepted')`, [inc.id])).rows;
        expect(live).toEqual([{ officer_id: spare }]);
        expect(await dutyOf(spare)).toBe('busy');
        expect(await dutyOf(aux)).toBe('available');
        expect(await caseEvents(inc.id)).toBe(events);
      };

      const busy = await step(dispatcher, inc.id, 'reassign', { officerIds: [busyOne], reason: '改派' });
      expect(busy.status).toBe(409);
      expect(busy.json.message).toMatch(new RegExp(`#${busyOne}\\) is busy on another case`));
      await unchanged();
      const auxOnly = await step(dispatcher, inc.id, 'reassign', { officerIds: [aux], reason: '改派协管员' });
      expect(auxOnly.status).toBe(422);
      expect(auxOnly.json.message).toMatch(/involves enforcement: include at least one certified officer/);
      await unchanged();
      const same = await step(dispatcher, inc.id, 'reassign', { officerIds: [spare], reason: '同一人' });
      expect(same.status).toBe(422);
      expect(same.json.message).toMatch(/already on this case/);
      const unknown = await step(dispatcher, inc.id, 'reassign', { officerIds: [987654], reason: '无此人' });
      expect(unknown.status).toBe(400);
      expect(unknown.json.message).toMatch(/no officer 987654/);
      await unchanged();

      const bySupervisor = await step(supervisor, inc.id, 'reassign', { officerIds: [aux, a()], reason: '改派' });
      expect(bySupervisor.status).toBe(403);
      expect(bySupervisor.json.message).toMatch(/role supervisor may not reassign \(改派\); that is for dispatcher, admin/);
      const registered = await newCase({ category: '0102', description: '未派遣', register: true });
      const notSent = await step(dispatcher, registered.id, 'reassign', { officerIds: [a()], reason: '改派' });
      expect(notSent.status).toBe(409);
      expect(notSent.json.message).toMatch(/cannot reassign \(改派\) a case that is registered; allowed now: void, dispatch, merge, escalate/);
      for (const [body, message] of [
        [{ officerIds: [a()] }, /body: "reason" is required/],
        [{ reason: '改派' }, /body: "officerIds" is required/],
        [{ officerIds: [], reason: '改派' }, /body\.officerIds must NOT have fewer than 1 items/],
        [{ officerIds: [a()], reason: '  ' }, /reassigning \(改派\) needs a "reason"/],
      ] as const) {
        const r = await step(dispatcher, inc.id, 'reassign', body);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(r.json.message, JSON.stringify(body)).toMatch(message);
      }
      await unchanged();

      // With a certified officer beside the auxiliary it goes through (admin may reassign too).
      const ok = await step(admin, inc.id, 'reassign', { officerIds: [aux, a()], reason: '加派协管员' });
      expect(ok.status, ok.body).toBe(200);
      expect(await dutyOf(spare)).toBe('available');
      expect(await dutyOf(aux)).toBe('busy');
      await liveA.waitFor((e) => e.type === 'incident.reassigned' && e.incidentId === inc.id, 2000);
      // Tidy up: free everyone for the next test files.
      await step(supervisor, inc.id, 'suspend', { reason: '测试结束' });
      await step(supervisor, other.id, 'suspend', { reason: '测试结束' });
      expect(await dutyOf(aux)).toBe('available');
    });
  });

  describe('squad board', () => {
    type Count = { district: string; kind: string; duty: string; n: number };
    const sqlCounts = async (district: string | null) =>
      (
        await db.pool.query<Count>(
          `
      SELECT s.district_adcode AS district, o.kind, o.duty_status AS duty, count(*)::int AS n
      FROM officers o JOIN squads s ON s.id = o.squad_id WHERE $1::text IS NULL OR s.district_adcode = $1
      GROUP BY 1, 2, 3`,
          [district],
        )
      ).rows;
    const boardCounts = (board: SquadBoard) =>
      board.districts
        .flatMap((d) =>
          (['officer', 'auxiliary'] as const).flatMap((kind) => {
            const c = kind === 'officer' ? d.officers : d.auxiliaries;
            return (
              [
                ['available', c.available],
                ['busy', c.busy],
                ['off_duty', c.offDuty],
              ] as const
            ).map(([duty, n]) => ({ district: d.adcode, kind, duty, n }));
          }),
        )
        .filter((c) => c.n > 0);
    const byKey = (rows: Count[]) => Object.fromEntries(rows.map((r) => [`${r.district}/${r.kind}/${r.duty}`, r.n]));

    it('shows a city dispatcher every district, with counts that match the database and each person’s live case', async () => {
      const [o] = await freeOfficers(db.pool, { district: '510104', kind: 'officer', count: 1 });
      await db.pool.query(`UPDATE officers SET duty_status = 'available' WHERE id = $1`, [o]);
      const inc = await newCase({ category: '0102', description: '看板', register: true });
      await step(dispatcher, inc.id, 'dispatch', { officerIds: [o] });

      const r = await call(app, dispatcher, { url: '/api/squads/board' });
      expect(r.status, r.body).toBe(200);
      const board = r.json as SquadBoard;
      expect(board.districts.map((d) => d.adcode)).toEqual(['510104', '510105', '510106', '510107', '510108']);
      expect(byKey(boardCounts(board))).toEqual(byKey(await sqlCounts(null)));

      const squads = (await db.pool.query<{ id: number; district_adcode: string }>(`SELECT id, district_adcode FROM squads ORDER BY id`)).rows;
      expect(board.districts.flatMap((d) => d.squads.map((s) => s.id)).sort((x, y) => x - y)).toEqual(squads.map((s) => s.id));
      for (const d of board.districts) for (const s of d.squads) expect(s.districtAdcode).toBe(d.adcode);
      const members = board.districts.flatMap((d) => d.squads.flatMap((s) => s.members.map((m) => ({ ...m, squadId: s.id }))));
      const people = (
        await db.pool.query<{ id: number; squad_id: number; certified: boolean; age: number | null }>(`
        SELECT id, squad_id, kind = 'officer' AND (certificate_expires IS NULL OR certificate_expires >= (now() AT TIME ZONE 'Asia/Shanghai')::date) AS certified,
               extract(epoch FROM now() - position_at)::float8 AS age
        FROM officers ORDER BY id`)
      ).rows;
      expect(members.map((m) => m.id).sort((x, y) => x - y)).toEqual(people.map((p) => p.id));
      for (const p of people) {
        const m = members.find((x) => x.id === p.id)!;
        expect(m.squadId).toBe(p.squad_id);
        expect(m.certified, `officer ${p.id}`).toBe(p.certified);
        if (p.age === null) expect(m.positionAgeSeconds).toBeNull();
        else expect(Math.abs(m.positionAgeSeconds! - p.age)).toBeLessThan(5);
      }
      const mine = members.find((m) => m.id === o)!;
      expect(mine.dutyStatus).toBe('busy');
      expect(mine.currentCase).toEqual({
        id: inc.id,
        code: inc.code,
        state: 'dispatched',
        dispatchState: 'pending',
        category: { code: '0102', nameZh: '暴露垃圾', nameEn: 'Exposed rubbish' },
      });
      const liveCases = (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM dispatches WHERE state IN ('pending', 'accepted')`)).rows[0]!.n;
      expect(members.filter((m) => m.currentCase !== null)).toHaveLength(liveCases);
      expect(members.filter((m) => m.currentCase === null).every((m) => m.dutyStatus !== 'busy')).toBe(true);
      await step(supervisor, inc.id, 'suspend', { reason: '测试结束' });
    });

    it('shows a district leader only their district, and refuses officers and anonymous callers', async () => {
      const r = await call(app, leader, { url: '/api/squads/board' });
      expect(r.status, r.body).toBe(200);
      const board = r.json as SquadBoard;
      expect(board.districts.map((d) => d.adcode)).toEqual(['510104']);
      expect(byKey(boardCounts(board))).toEqual(byKey(await sqlCounts('510104')));
      const own = (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM squads WHERE district_adcode = '510104'`)).rows[0]!.n;
      expect(board.districts[0]!.squads).toHaveLength(own);
      const qingyangSupervisor = await userSession(app, admin, 'supervisor', '510105');
      expect((await call(app, qingyangSupervisor, { url: '/api/squads/board' })).json.districts.map((d: { adcode: string }) => d.adcode)).toEqual(['510105']);

      const [o] = await freeOfficers(db.pool, { district: '510106', kind: 'officer', count: 1 });
      const officer = await officerSession(app, admin, o!);
      const refused = await call(app, officer, { url: '/api/squads/board' });
      expect(refused.status).toBe(403);
      expect(refused.json.message).toMatch(/role officer may not squads\.board/);
      expect((await call(app, null, { url: '/api/squads/board' })).status).toBe(401);
    });
  });

  it('documents the console routes in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, unknown> };
    for (const p of [
      '/api/incidents/duplicates',
      '/api/incidents/{id}/merge',
      '/api/incidents/{id}/escalate',
      '/api/incidents/{id}/reassign',
      '/api/squads/board',
    ]) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });
});

function pointOf(p: [number, number]): { lon: number; lat: number } {
  return { lon: p[0], lat: p[1] };
}

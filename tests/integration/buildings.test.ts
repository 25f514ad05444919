import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { STAGE_LIMIT_WORKING_DAYS } from '#shared/buildings/stage-machine.ts';
import { computeDeadline } from '#shared/time/deadlines.ts';
import { serverCalendar } from '../../server/holidays/service.ts';
import { testApp } from '../support/app.ts';
import { call, connect, login, type Session } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';
import { userSession } from '../support/fixtures.ts';
import { freeSpot as freeSpotIn, square } from '../support/buildings.ts';

const db = testDatabase();
const freeSpot = (district: string, n: number) => freeSpotIn(db, district, n);
let app: FastifyInstance;
let admin: Session, supervisor: Session, officer: Session, dispatcher: Session, away: Session;
let base = '';

const step = (s: Session, id: number, body: unknown) => call(app, s, { url: `/api/buildings/${id}/steps`, body });
const detail = (s: Session, id: number) => call(app, s, { url: `/api/buildings/${id}` });

beforeAll(async () => {
  app = await testApp(db);
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  [admin, supervisor, officer, dispatcher] = (await Promise.all(['admin', 'supervisor', 'officer', 'dispatcher'].map((l) => login(app, l)))) as Session[] as [
    Session,
    Session,
    Session,
    Session,
  ];
  away = await userSession(app, admin, 'supervisor', '510105');
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe(`the illegal-building register as a workflow (${inject('databaseMode')} database)`, () => {
  it('takes a building from discovered to closed, each stage timed, and keeps the record in order', async () => {
    const spot = await freeSpot('510104', 0);
    const made = await call(app, supervisor, {
      url: '/api/buildings',
      body: { geometry: square(spot, 10), kind: 'stock', floors: 2, declaredAreaM2: 95, use: '商铺', party: '张某' },
    });
    expect(made.status, made.body).toBe(201);
    const b = made.json.building;
    expect(b.code).toMatch(/^WJ-510104-\d{5}$/);
    expect(b.stage).toBe('discovered');
    expect(b.areaM2).toBeGreaterThan(95);
    expect(b.areaM2).toBeLessThan(105);
    expect(b.declaredAreaM2).toBe(95);
    expect(b.districtAdcode).toBe('510104');
    expect(b.gridCode).not.toBeNull();
    expect(b.streetCode).not.toBeNull();
    expect(b.escalatedAt).toBeNull();
    const dueOf = (stage: keyof typeof STAGE_LIMIT_WORKING_DAYS, at: string) =>
      computeDeadline(new Date(at), STAGE_LIMIT_WORKING_DAYS[stage]!, 'working_days', serverCalendar()).toISOString();
    expect(b.stageDue).toBe(dueOf('discovered', b.stageAt));
    expect(made.json.allowedSteps).toEqual(['verify', 'dismiss']);

    // out of order: 409 naming what is allowed
    const early = await step(supervisor, b.id, { action: 'file' });
    expect(early.status).toBe(409);
    expect(early.json.allowed).toEqual(['verify', 'dismiss']);
    expect(early.json.message).toMatch(/verify, dismiss/);

    const verified = await step(officer, b.id, { action: 'verify', note: '现场核实' });
    expect(verified.status, verified.body).toBe(200);
    expect(verified.json.building.stage).toBe('verified');
    expect(verified.json.building.stageDue).toBe(dueOf('verified', verified.json.building.stageAt));

    // the officer may not file: a role refusal, not a state one
    const byOfficer = await step(officer, b.id, { action: 'file' });
    expect(byOfficer.status).toBe(403);
    expect((await step(dispatcher, b.id, { action: 'file' })).status).toBe(403);

    const filed = await step(supervisor, b.id, { action: 'file' });
    expect(filed.json.building.stage).toBe('filed');
    expect(filed.json.building.stageDue).toBe(dueOf('filed', filed.json.building.stageAt));

    const ordered = await step(supervisor, b.id, { action: 'order', rectifyBy: '2099-06-30' });
    expect(ordered.status, ordered.body).toBe(200);
    expect(ordered.json.building.stage).toBe('ordered');
    expect(ordered.json.building.stageDue).toBe(new Date('2099-07-01T00:00:00+08:00').toISOString());

    const floorArea = b.areaM2 * 2;
    const first = await step(officer, b.id, { action: 'demolish', demolishedAreaM2: 50 });
    expect(first.status, first.body).toBe(200);
    expect(first.json.building.stage).toBe('demolished');
    expect(first.json.building.demolishedAreaM2).toBeCloseTo(50);
    expect(first.json.building.stageDue).toBe(dueOf('demolished', first.json.building.stageAt));

    // more than is left: 422, and nothing changed
    const tooMuch = await step(officer, b.id, { action: 'demolish', demolishedAreaM2: floorArea });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.json.message).toMatch(/more than the building has left/);
    const still = await detail(supervisor, b.id);
    expect(still.json.building.demolishedAreaM2).toBeCloseTo(50);
    expect(still.json.demolitions).toHaveLength(1);

    const second = await step(officer, b.id, { action: 'demolish', demolishedAreaM2: 30 });
    expect(second.json.building.demolishedAreaM2).toBeCloseTo(80);
    const facts = await db.pool.query(
      `SELECT area_m2, first, district_adcode, street_code, squad_id, event_seq FROM building_demolitions WHERE building_id = $1 ORDER BY id`,
      [b.id],
    );
    expect(facts.rows.map((r) => [r.area_m2, r.first])).toEqual([
      [50, true],
      [30, false],
    ]);
    expect(facts.rows[0].district_adcode).toBe('510104');
    expect(facts.rows[0].street_code).toBe(b.streetCode);
    expect(facts.rows.every((r) => r.event_seq !== null)).toBe(true);

    const closed = await step(supervisor, b.id, { action: 'close' });
    expect(closed.json.building.stage).toBe('closed');
    expect(closed.json.building.stageDue).toBeNull();
    expect(closed.json.allowedSteps).toEqual([]);

    const record = (await detail(supervisor, b.id)).json;
    expect(record.events.map((e: { type: string }) => e.type)).toEqual([
      'building.discovered',
      'building.verified',
      'building.filed',
      'building.ordered',
      'building.demolished',
      'building.demolished',
      'building.closed',
    ]);
    expect(record.events[4].payload).toMatchObject({ action: 'demolish', from: 'ordered', to: 'demolished', demolishedAreaM2: 50 });
    const row = await db.pool.query(`SELECT verified_on, filed_on, ordered_on, rectify_by, demolished_on, closed_on FROM illegal_buildings WHERE id = $1`, [
      b.id,
    ]);
    expect(Object.values(row.rows[0]).every((v) => v !== null)).toBe(true);

    // the catch-up feed validates and carries the building's events
    const feed = await call(app, supervisor, { url: `/api/events?after=0&limit=5000` });
    expect(feed.status, feed.body.slice(0, 300)).toBe(200);
    expect(feed.json.events.filter((e: { buildingId?: number }) => e.buildingId === b.id)).toHaveLength(7);
  });

  it('needs a reason to dismiss, and refuses evidence that is not the building’s', async () => {
    const spot = await freeSpot('510104', 1);
    const b = (await call(app, supervisor, { url: '/api/buildings', body: { geometry: square(spot, 8), kind: 'new', floors: 1 } })).json.building;
    expect((await step(supervisor, b.id, { action: 'dismiss' })).status).toBe(400);
    const other = await db.pool.query<{ id: string }>(`SELECT id FROM evidence WHERE building_id IS DISTINCT FROM $1 LIMIT 1`, [b.id]);
    if (other.rows[0])
      expect((await step(supervisor, b.id, { action: 'dismiss', reason: '已取得规划许可', evidenceIds: [Number(other.rows[0].id)] })).status).toBe(422);
    const dismissed = await step(supervisor, b.id, { action: 'dismiss', reason: '已取得规划许可' });
    expect(dismissed.status, dismissed.body).toBe(200);
    expect(dismissed.json.building.stage).toBe('closed');
    expect(dismissed.json.events.at(-1)).toMatchObject({ type: 'building.dismissed', payload: { reason: '已取得规划许可' } });
  });

  it('refuses a footprint it cannot store, saying what to fix', async () => {
    const spot = await freeSpot('510104', 2);
    const before = (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM illegal_buildings`)).rows[0]!.n;
    const open = square(spot, 10);
    open.coordinates[0]!.pop();
    const unclosed = await call(app, supervisor, { url: '/api/buildings', body: { geometry: open, kind: 'stock', floors: 1 } });
    expect(unclosed.status).toBe(422);
    expect(unclosed.json.message).toMatch(/not closed|at least 4/);
    const [x, y] = spot;
    const bowtie = {
      type: 'Polygon',
      coordinates: [
        [
          [x, y],
          [x + 0.0002, y + 0.0002],
          [x + 0.0002, y],
          [x, y + 0.0002],
          [x, y],
        ],
      ],
    };
    const crossing = await call(app, supervisor, { url: '/api/buildings', body: { geometry: bowtie, kind: 'stock', floors: 1 } });
    expect(crossing.status).toBe(422);
    expect(crossing.json.message).toMatch(/not a valid polygon/);
    const far = await call(app, supervisor, { url: '/api/buildings', body: { geometry: square([10, 10], 10), kind: 'stock', floors: 1 } });
    expect(far.status).toBe(422);
    expect(far.json.message).toMatch(/outside every district/);
    const huge = await call(app, supervisor, { url: '/api/buildings', body: { geometry: square(spot, 1000), kind: 'stock', floors: 1 } });
    expect(huge.status).toBe(422);
    expect((await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM illegal_buildings`)).rows[0]!.n).toBe(before);
  });

  it("carries a building's steps on the live feed to its district, not another", async () => {
    const home = await connect(base, supervisor);
    const other = await connect(base, away);
    try {
      const spot = await freeSpot('510104', 4);
      const b = (await call(app, supervisor, { url: '/api/buildings', body: { geometry: square(spot, 10), kind: 'stock', floors: 1 } })).json.building;
      await home.waitFor((e) => e.type === 'building.discovered' && (e as { buildingId?: number }).buildingId === b.id);
      expect((await step(officer, b.id, { action: 'verify' })).status).toBe(200);
      const live = await home.waitFor((e) => e.type === 'building.verified' && (e as { buildingId?: number }).buildingId === b.id);
      expect(live.districtAdcode).toBe('510104');
      expect(other.events.some((e) => (e as { buildingId?: number }).buildingId === b.id)).toBe(false);
    } finally {
      home.close();
      other.close();
    }
  });

  it('lets two demolitions at once take turns: the second sees what the first left', async () => {
    const spot = await freeSpot('510104', 5);
    const b = (await call(app, supervisor, { url: '/api/buildings', body: { geometry: square(spot, 10), kind: 'stock', floors: 1 } })).json.building;
    for (const body of [{ action: 'verify' }, { action: 'file' }, { action: 'order' }]) expect((await step(supervisor, b.id, body)).status).toBe(200);
    const share = Math.round(b.areaM2 * 0.6);
    const both = await Promise.all([
      step(officer, b.id, { action: 'demolish', demolishedAreaM2: share }),
      step(supervisor, b.id, { action: 'demolish', demolishedAreaM2: share }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 422]);
    const rec = (await detail(supervisor, b.id)).json;
    expect(rec.building.demolishedAreaM2).toBeCloseTo(share);
    expect(rec.demolitions).toHaveLength(1);
  });

  it('keeps a district-scoped user to their district', async () => {
    const spot = await freeSpot('510104', 3);
    const b = (await call(app, supervisor, { url: '/api/buildings', body: { geometry: square(spot, 10), kind: 'stock', floors: 1 } })).json.building;
    expect((await detail(away, b.id)).status).toBe(404);
    expect((await step(away, b.id, { action: 'verify' })).status).toBe(404);
    const list = await call(app, away, { url: '/api/buildings?limit=500' });
    expect(list.status).toBe(200);
    expect(list.json.buildings.every((r: { districtAdcode: string }) => r.districtAdcode === '510105')).toBe(true);
    expect((await call(app, away, { url: '/api/buildings?district=510104' })).status).toBe(403);
    expect((await call(app, away, { url: '/api/buildings', body: { geometry: square(spot, 10), kind: 'stock', floors: 1 } })).status).toBe(403);
    const mine = await call(app, supervisor, { url: `/api/buildings?q=${b.code}` });
    expect(mine.json.buildings.map((r: { id: number }) => r.id)).toEqual([b.id]);
  });
});

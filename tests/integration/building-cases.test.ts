import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testApp } from '../support/app.ts';
import { call, login, type Session } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';
import { freeOfficers, officerSession, onDutyAt } from '../support/fixtures.ts';
import { freeSpot as freeSpotIn, keyAreaSpot as keyAreaSpotIn, square } from '../support/buildings.ts';

const db = testDatabase();
const freeSpot = (district: string, n: number) => freeSpotIn(db, district, n);
const keyAreaSpot = () => keyAreaSpotIn(db);
let app: FastifyInstance;
let admin: Session, supervisor: Session, dispatcher: Session, fieldOfficer: Session;
let fieldOfficerId = 0;

const report = (s: Session, at: [number, number], headers: Record<string, string> = {}) =>
  call(app, s, { url: '/api/incidents', body: { category: '0101', source: 'dispatcher', description: '有人正在搭建彩钢棚', lon: at[0], lat: at[1] }, headers });
const caseLink = async (id: number) =>
  (await db.pool.query<{ building_id: number | null; building_task: string | null }>(`SELECT building_id, building_task FROM incidents WHERE id = $1`, [id]))
    .rows[0]!;
const building = (id: number) => call(app, supervisor, { url: `/api/buildings/${id}` });
const caseStep = (s: Session, id: number, action: string, body: unknown = {}) => call(app, s, { url: `/api/incidents/${id}/${action}`, body });

/** Runs a registered case through the loop: dispatch, accept, arrive, handle (with `handle`), close. */
async function loop(caseId: number, handle: Record<string, unknown> = {}) {
  expect((await caseStep(dispatcher, caseId, 'dispatch', { officerIds: [fieldOfficerId] })).status).toBe(200);
  expect((await caseStep(fieldOfficer, caseId, 'accept')).status).toBe(200);
  expect((await caseStep(fieldOfficer, caseId, 'arrive')).status).toBe(200);
  const handled = await caseStep(fieldOfficer, caseId, 'handle', { outcome: 'enforcement', notes: '现场处置', ...handle });
  expect(handled.status, handled.body).toBe(200);
  const closed = await caseStep(supervisor, caseId, 'close');
  expect(closed.status, closed.body).toBe(200);
  return closed;
}

beforeAll(async () => {
  app = await testApp(db);
  [admin, supervisor, dispatcher] = (await Promise.all(['admin', 'supervisor', 'dispatcher'].map((l) => login(app, l)))) as [Session, Session, Session];
  [fieldOfficerId] = (await freeOfficers(db.pool, { district: '510104', kind: 'officer', count: 1 })) as [number];
  fieldOfficer = await officerSession(app, admin, fieldOfficerId);
  await onDutyAt(app, fieldOfficer, await freeSpot('510104', 5));
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe(`construction cases joined to buildings (${inject('databaseMode')} database)`, () => {
  it('joins a 私搭乱建 case at a registered building to it', async () => {
    const spot = await freeSpot('510104', 0);
    const b = (await call(app, supervisor, { url: '/api/buildings', body: { geometry: square(spot, 12), kind: 'stock', floors: 1 } })).json.building;
    const made = await report(dispatcher, [b.lon, b.lat]);
    expect(made.status, made.body).toBe(201);
    expect(await caseLink(made.json.incident.id)).toEqual({ building_id: b.id, building_task: 'report' });
    const rec = (await building(b.id)).json;
    expect(rec.cases.map((c: { id: number; task: string }) => [c.id, c.task])).toEqual([[made.json.incident.id, 'report']]);
    expect(rec.events.at(-1)).toMatchObject({ type: 'building.case_linked', payload: { incidentId: made.json.incident.id, task: 'report' } });
  });

  it('registers a new building (待测绘) for a case elsewhere, once for a replayed report', async () => {
    const spot = await freeSpot('510104', 1);
    const first = await report(dispatcher, spot, { 'idempotency-key': 'bldg-new-1' });
    expect(first.status, first.body).toBe(201);
    const link = await caseLink(first.json.incident.id);
    expect(link.building_task).toBe('verify');
    const again = await report(dispatcher, spot, { 'idempotency-key': 'bldg-new-1' });
    expect(again.status).toBe(200);
    const made = await db.pool.query(`SELECT id FROM illegal_buildings WHERE origin_incident_id = $1`, [first.json.incident.id]);
    expect(made.rows).toHaveLength(1);
    const rec = (await building(link.building_id!)).json;
    expect(rec.building).toMatchObject({ kind: 'new', stage: 'discovered', districtAdcode: '510104' });
    expect(rec.building.areaM2).toBeGreaterThan(80);
    expect(rec.building.areaM2).toBeLessThan(120);
    const notes = await db.pool.query(`SELECT notes FROM illegal_buildings WHERE id = $1`, [link.building_id]);
    expect(notes.rows[0].notes).toMatch(/待测绘/);
    const zero = await db.pool.query(`SELECT 1 FROM building_targets WHERE district_adcode = '510104' AND new_max = 0`);
    if (zero.rowCount === 0) {
      expect(rec.building.escalatedAt).toBeNull();
      expect(first.json.incident.escalatedAt).toBeNull();
    }
  });

  it('escalates the case and the building for new construction in a key area', async () => {
    const spot = await keyAreaSpot();
    const made = await report(dispatcher, spot);
    expect(made.status, made.body).toBe(201);
    const inc = made.json.incident;
    expect(inc.keyAreas.length).toBeGreaterThan(0);
    expect(inc.escalatedAt).not.toBeNull();
    expect(inc.priority).toBeGreaterThanOrEqual(90);
    const events = (await call(app, dispatcher, { url: `/api/incidents/${inc.id}/events` })).json;
    expect(events.map((e: { type: string }) => e.type)).toContain('incident.escalated');
    const link = await caseLink(inc.id);
    const rec = (await building(link.building_id!)).json;
    expect(rec.building.escalatedAt).not.toBeNull();
    expect(rec.events.map((e: { type: string }) => e.type)).toEqual(['building.discovered', 'building.escalated', 'building.case_linked']);
    // the wall's view of the case says it is escalated, as GET does
    expect((await call(app, dispatcher, { url: `/api/incidents/${inc.id}` })).json.escalatedAt).not.toBeNull();
  });

  it('sends verification out as a case whose close verifies the building', async () => {
    const spot = await freeSpot('510104', 2);
    const b = (await call(app, admin, { url: '/api/buildings', body: { geometry: square(spot, 10), kind: 'stock', floors: 2 } })).json.building;
    const sent = await call(app, dispatcher, { url: `/api/buildings/${b.id}/field-case`, body: { task: 'verify' } });
    expect(sent.status, sent.body).toBe(201);
    expect(sent.json.state).toBe('registered');
    expect(sent.json.category.code).toBe('0101');
    expect(await caseLink(sent.json.id)).toEqual({ building_id: b.id, building_task: 'verify' });
    // one open verification at a time; a step the stage does not allow is refused
    expect((await call(app, dispatcher, { url: `/api/buildings/${b.id}/field-case`, body: { task: 'verify' } })).status).toBe(409);
    expect((await call(app, dispatcher, { url: `/api/buildings/${b.id}/field-case`, body: { task: 'demolish' } })).status).toBe(409);
    const recs = await call(app, dispatcher, { url: `/api/incidents/${sent.json.id}/recommendations` });
    expect(recs.status).toBe(200);
    await loop(sent.json.id);
    const rec = (await building(b.id)).json;
    expect(rec.building.stage).toBe('verified');
    expect(rec.events.at(-1)).toMatchObject({ type: 'building.verified', payload: { incidentId: sent.json.id } });
  });

  it('records the area a demolition case declared when it closes', async () => {
    const spot = await freeSpot('510104', 3);
    const b = (await call(app, admin, { url: '/api/buildings', body: { geometry: square(spot, 10), kind: 'stock', floors: 1 } })).json.building;
    for (const body of [{ action: 'verify' }, { action: 'file' }, { action: 'order' }]) {
      const r = await call(app, supervisor, { url: `/api/buildings/${b.id}/steps`, body });
      expect(r.status, r.body).toBe(200);
    }
    const sent = await call(app, dispatcher, { url: `/api/buildings/${b.id}/field-case`, body: { task: 'demolish' } });
    expect(sent.status, sent.body).toBe(201);
    const id = sent.json.id;
    expect((await caseStep(dispatcher, id, 'dispatch', { officerIds: [fieldOfficerId] })).status).toBe(200);
    await caseStep(fieldOfficer, id, 'accept');
    await caseStep(fieldOfficer, id, 'arrive');
    // more than the building has: refused at handle, not at close
    const tooMuch = await caseStep(fieldOfficer, id, 'handle', { outcome: 'enforcement', demolishedAreaM2: 500 });
    expect(tooMuch.status).toBe(422);
    expect((await caseStep(fieldOfficer, id, 'handle', { outcome: 'enforcement', demolishedAreaM2: 40 })).status).toBe(200);
    expect((await caseStep(supervisor, id, 'close')).status).toBe(200);
    const rec = (await building(b.id)).json;
    expect(rec.building.stage).toBe('demolished');
    expect(rec.building.demolishedAreaM2).toBeCloseTo(40);
    expect(rec.demolitions).toHaveLength(1);
  });
});

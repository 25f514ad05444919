// 存量违建巡查: stock buildings come due on their cycle (30 days in a key area, 90 elsewhere), the sweep
// makes one task each for the squad of their cell, the squad's officer records what they found with a
// photo, and an extension (加建) opens a case linked to the building.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testApp } from '../support/app.ts';
import { call, login, multipart, type Session, TINY_PNG } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';
import { officerSession } from '../support/fixtures.ts';

const db = testDatabase();
let app: FastifyInstance;
let admin: Session, supervisor: Session, dispatcher: Session, officer: Session, stranger: Session;
const ids: Record<string, number> = {};
let squadId = 0;

/** A ~6 m square around (lon, lat). */
function square(lon: number, lat: number): string {
  const d = 0.00003;
  const [w, e, s, n] = [lon - d, lon + d, lat - d, lat + d];
  return `SRID=4326;MULTIPOLYGON(((${w} ${s},${e} ${s},${e} ${n},${w} ${n},${w} ${s})))`;
}

beforeAll(async () => {
  app = await testApp(db);
  [admin, supervisor, dispatcher] = (await Promise.all(['admin', 'supervisor', 'dispatcher'].map((l) => login(app, l)))) as [Session, Session, Session];
  // seven cells of one squad of 锦江区 (one footprint in each), the squad having officers without a user yet
  const cells = await db.pool.query<{ id: number; squadId: number; lon: number; lat: number }>(`
    WITH squad AS (
      SELECT g.squad_id FROM grid_cells g
      WHERE g.district_adcode = '510104' AND g.squad_id IS NOT NULL AND g.valid_to IS NULL
        AND (SELECT count(*) FROM officers o WHERE o.squad_id = g.squad_id AND NOT EXISTS (SELECT 1 FROM users u WHERE u.officer_id = o.id)) >= 1
      GROUP BY g.squad_id HAVING count(*) >= 7 ORDER BY g.squad_id LIMIT 1)
    SELECT g.id, g.squad_id AS "squadId", ST_X(ST_PointOnSurface(g.geom)) AS lon, ST_Y(ST_PointOnSurface(g.geom)) AS lat
    FROM grid_cells g JOIN squad USING (squad_id) WHERE g.valid_to IS NULL AND g.district_adcode = '510104' ORDER BY g.id LIMIT 7`);
  expect(cells.rows).toHaveLength(7);
  squadId = cells.rows[0]!.squadId;
  const keyArea = (await db.pool.query<{ id: number }>(`SELECT id FROM key_areas ORDER BY id LIMIT 1`)).rows[0]!.id;
  // Hand-built dates, counted back from today in Asia/Shanghai.
  const buildings: [string, { kind: string; stage: string; key: boolean; discoveredAgo: number; inspectedAgo: number | null }][] = [
    ['keyDue', { kind: 'stock', stage: 'filed', key: true, discoveredAgo: 400, inspectedAgo: 31 }],
    ['keyFresh', { kind: 'stock', stage: 'filed', key: true, discoveredAgo: 400, inspectedAgo: 29 }],
    ['keyNever', { kind: 'stock', stage: 'ordered', key: true, discoveredAgo: 40, inspectedAgo: null }],
    ['plainDue', { kind: 'stock', stage: 'discovered', key: false, discoveredAgo: 400, inspectedAgo: 91 }],
    ['plainFresh', { kind: 'stock', stage: 'discovered', key: false, discoveredAgo: 400, inspectedAgo: 89 }],
    ['new', { kind: 'new', stage: 'discovered', key: true, discoveredAgo: 400, inspectedAgo: null }],
    ['closed', { kind: 'stock', stage: 'closed', key: true, discoveredAgo: 400, inspectedAgo: null }],
  ];
  let n = 0;
  for (const [name, b] of buildings) {
    const c = cells.rows[n++]!;
    const r = await db.pool.query<{ id: number }>(
      `
      INSERT INTO illegal_buildings (code, geom, area_m2, floors, kind, stage, party, district_adcode, discovered_on, last_inspected_on,
                                     grid_cell_id, street_code, key_area_ids, closed_on)
      VALUES ($1, ST_GeomFromEWKT($2), 480, 2, $3, $4, '测试当事人', '510104', (now() AT TIME ZONE 'Asia/Shanghai')::date - $5::int,
              CASE WHEN $6::int IS NULL THEN NULL ELSE (now() AT TIME ZONE 'Asia/Shanghai')::date - $6::int END,
              $7, left((SELECT code FROM grid_cells WHERE id = $7), 9), $8::int[],
              CASE WHEN $4 = 'closed' THEN (now() AT TIME ZONE 'Asia/Shanghai')::date - 10 END)
      RETURNING id`,
      [`TI-${process.pid}-${n}`, square(c.lon, c.lat), b.kind, b.stage, b.discoveredAgo, b.inspectedAgo, c.id, b.key ? [keyArea] : []],
    );
    ids[name] = r.rows[0]!.id;
  }
  const [mine, other] = await Promise.all([
    db.pool.query<{ id: number }>(
      `SELECT id FROM officers o WHERE squad_id = $1 AND NOT EXISTS (SELECT 1 FROM users u WHERE u.officer_id = o.id) ORDER BY id LIMIT 1`,
      [squadId],
    ),
    db.pool.query<{ id: number }>(
      `SELECT id FROM officers o WHERE squad_id <> $1 AND NOT EXISTS (SELECT 1 FROM users u WHERE u.officer_id = o.id) ORDER BY id LIMIT 1`,
      [squadId],
    ),
  ]);
  officer = await officerSession(app, admin, mine.rows[0]!.id);
  stranger = await officerSession(app, admin, other.rows[0]!.id);
});
afterAll(async () => {
  await app.close();
  await db.close();
});

async function tasksOf(buildingId: number) {
  const r = await db.pool.query<{ id: number; state: string; squadId: number; dueOn: string }>(
    `SELECT id, state, squad_id AS "squadId", to_char(due_on, 'YYYY-MM-DD') AS "dueOn" FROM building_inspections WHERE building_id = $1 ORDER BY id`,
    [buildingId],
  );
  return r.rows;
}

async function photo(s: Session, buildingId: number, bytes = TINY_PNG) {
  const { body, contentType } = multipart([{ name: 'site.png', type: 'image/png', bytes }]);
  const res = await app.inject({
    method: 'POST',
    url: `/api/buildings/${buildingId}/evidence`,
    payload: body,
    headers: { 'content-type': contentType, authorization: `Bearer ${s.token}` },
  });
  return { status: res.statusCode, json: res.statusCode === 201 ? (res.json() as { id: number }[]) : null, body: res.body };
}

describe(`patrol of stock buildings (${inject('databaseMode')} database)`, () => {
  it('the sweep makes a task for each stock building whose cycle has run out, and only once', async () => {
    expect((await call(app, dispatcher, { url: '/api/buildings/inspections/sweep', body: {} })).status).toBe(403);
    const first = await call(app, supervisor, { url: '/api/buildings/inspections/sweep', body: {} });
    expect(first.status, first.body).toBe(200);
    expect(first.json.created).toBeGreaterThanOrEqual(3);
    const due = (await tasksOf(ids.keyDue!))[0]!;
    expect(due).toMatchObject({ state: 'due', squadId });
    // due 30 days after the last inspection: yesterday
    const { rows } = await db.pool.query<{ d: string }>(`SELECT to_char((now() AT TIME ZONE 'Asia/Shanghai')::date - 1, 'YYYY-MM-DD') AS d`);
    expect(due.dueOn).toBe(rows[0]!.d);
    expect(await tasksOf(ids.keyNever!)).toHaveLength(1);
    expect(await tasksOf(ids.plainDue!)).toHaveLength(1);
    for (const b of ['keyFresh', 'plainFresh', 'new', 'closed']) expect(await tasksOf(ids[b]!), b).toHaveLength(0);
    const events = await db.pool.query<{ type: string; districtAdcode: string; payload: { code: string; squadId: number } }>(
      `SELECT type, district_adcode AS "districtAdcode", payload FROM incident_events WHERE building_id = $1 AND incident_id IS NULL`,
      [ids.keyDue],
    );
    expect(events.rows).toEqual([expect.objectContaining({ type: 'building.inspection_due', districtAdcode: '510104' })]);
    expect(events.rows[0]!.payload.squadId).toBe(squadId);

    const again = await call(app, admin, { url: '/api/buildings/inspections/sweep', body: {} });
    expect(again.json).toEqual({ created: 0 });
    // the clocks run the same sweep: nothing new either
    await Promise.all([app.zhihui.clocks.tick(), call(app, admin, { url: '/api/buildings/inspections/sweep', body: {} })]);
    expect(await tasksOf(ids.keyDue!)).toHaveLength(1);
  });

  it("the squad's officer sees the task with its footprint; the desk sees the district's", async () => {
    const mine = await call(app, officer, { url: '/api/buildings/inspections/mine' });
    expect(mine.status, mine.body).toBe(200);
    const task = mine.json.find((t: { building: { id: number } }) => t.building.id === ids.keyDue);
    expect(task).toMatchObject({
      overdueDays: 1,
      building: { kind: 'stock', stage: 'filed', party: '测试当事人', areaM2: 480 },
      geometry: { type: 'MultiPolygon' },
    });
    expect(task.building.keyAreas).toHaveLength(1);
    // overdue first
    const days = mine.json.map((t: { overdueDays: number }) => t.overdueDays);
    expect(days).toEqual([...days].sort((a, b) => b - a));
    const theirs = await call(app, stranger, { url: '/api/buildings/inspections/mine' });
    expect(theirs.json.some((t: { building: { id: number } }) => t.building.id === ids.keyDue)).toBe(false);
    const desk = await call(app, dispatcher, { url: '/api/buildings/inspections?district=510104' });
    expect(desk.status, desk.body).toBe(200);
    expect(desk.json.some((t: { building: { id: number } }) => t.building.id === ids.keyDue)).toBe(true);
    expect((await call(app, officer, { url: '/api/buildings/inspections' })).status).toBe(403);
  });

  it('recording needs a photo of the building; then the task is done, the building inspected today, the event logged', async () => {
    const taskId = (await tasksOf(ids.keyDue!))[0]!.id;
    const none = await call(app, officer, { url: `/api/buildings/inspections/${taskId}`, body: { result: 'unchanged', evidenceIds: [] } });
    expect(none.status, none.body).toBe(422);
    expect(none.json.message).toContain('/evidence');
    // a photo of another building is not a photo of this one
    const elsewhere = await photo(officer, ids.keyNever!);
    expect(elsewhere.status, elsewhere.body).toBe(201);
    const wrong = await call(app, officer, {
      url: `/api/buildings/inspections/${taskId}`,
      body: { result: 'unchanged', evidenceIds: [elsewhere.json![0]!.id] },
    });
    expect(wrong.status, wrong.body).toBe(422);
    // an officer of another squad may neither photograph nor record it
    expect((await photo(stranger, ids.keyDue!)).status).toBe(404);
    const up = await photo(officer, ids.keyDue!);
    expect(up.status, up.body).toBe(201);
    const photoId = up.json![0]!.id;
    const ev = await db.pool.query(`SELECT incident_id, building_id, stage FROM evidence WHERE id = $1`, [photoId]);
    expect(ev.rows[0]).toEqual({ incident_id: null, building_id: ids.keyDue, stage: 'filed' });
    const read = await app.inject({
      method: 'GET',
      url: `/api/buildings/${ids.keyDue}/evidence/${photoId}`,
      headers: { authorization: `Bearer ${dispatcher.token}` },
    });
    expect(read.statusCode).toBe(200);
    expect(read.rawPayload.equals(TINY_PNG)).toBe(true);
    expect((await call(app, stranger, { url: `/api/buildings/${ids.keyDue}/evidence/${photoId}` })).status).toBe(404);

    const foreign = await call(app, stranger, { url: `/api/buildings/inspections/${taskId}`, body: { result: 'unchanged', evidenceIds: [photoId] } });
    expect([403, 404]).toContain(foreign.status);

    const done = await call(app, officer, {
      url: `/api/buildings/inspections/${taskId}`,
      body: { result: 'unchanged', note: '现场无变化', evidenceIds: [photoId], lon: 104.08, lat: 30.65 },
    });
    expect(done.status, done.body).toBe(200);
    expect(done.json).toMatchObject({ id: taskId, state: 'done', result: 'unchanged', incidentId: null });
    const b = await db.pool.query<{ on: string; today: string }>(
      `SELECT to_char(last_inspected_on, 'YYYY-MM-DD') AS on, to_char((now() AT TIME ZONE 'Asia/Shanghai')::date, 'YYYY-MM-DD') AS today FROM illegal_buildings WHERE id = $1`,
      [ids.keyDue],
    );
    expect(b.rows[0]!.on).toBe(b.rows[0]!.today);
    const row = (await db.pool.query(`SELECT state, result, evidence_ids, officer_id FROM building_inspections WHERE id = $1`, [taskId])).rows[0];
    expect(row).toMatchObject({ state: 'done', result: 'unchanged', officer_id: officer.user.officerId });
    expect(row.evidence_ids.map(Number)).toEqual([photoId]);
    const logged = await db.pool.query<{ type: string; payload: { result: string; evidenceIds: number[] } }>(
      `SELECT type, payload FROM incident_events WHERE building_id = $1 AND type = 'building.inspected'`,
      [ids.keyDue],
    );
    expect(logged.rows).toHaveLength(1);
    expect(logged.rows[0]!.payload).toMatchObject({ result: 'unchanged', evidenceIds: [photoId], opensCase: false });

    const twice = await call(app, officer, { url: `/api/buildings/inspections/${taskId}`, body: { result: 'unchanged', evidenceIds: [photoId] } });
    expect(twice.status, twice.body).toBe(409);
    // done, and inspected today: the next sweep leaves it alone; the task is off the officer's list
    await call(app, admin, { url: '/api/buildings/inspections/sweep', body: {} });
    expect(await tasksOf(ids.keyDue!)).toHaveLength(1);
    const mine = await call(app, officer, { url: '/api/buildings/inspections/mine' });
    expect(mine.json.some((t: { id: number }) => t.id === taskId)).toBe(false);
  });

  it('an extension (加建) opens a case at the building, linked to it', async () => {
    const taskId = (await tasksOf(ids.keyNever!))[0]!.id;
    const up = await photo(officer, ids.keyNever!);
    const r = await call(app, officer, {
      url: `/api/buildings/inspections/${taskId}`,
      body: { result: 'extended', note: '东侧加建一层', evidenceIds: [up.json![0]!.id] },
    });
    expect(r.status, r.body).toBe(200);
    expect(r.json.incidentId).toEqual(expect.any(Number));
    const inc = await call(app, officer, { url: `/api/incidents/${r.json.incidentId}` });
    expect(inc.status, inc.body).toBe(200);
    expect(inc.json).toMatchObject({ source: 'patrol', category: { code: '0101' }, districtAdcode: '510104' });
    expect(inc.json.description).toContain('加建');
    expect(inc.json.description).toContain(`TI-${process.pid}-3`);
    const link = await db.pool.query(`SELECT building_id, building_task FROM incidents WHERE id = $1`, [r.json.incidentId]);
    expect(link.rows[0]).toEqual({ building_id: ids.keyNever, building_task: 'report' });
    expect(Number((await db.pool.query(`SELECT incident_id FROM building_inspections WHERE id = $1`, [taskId])).rows[0].incident_id)).toEqual(
      r.json.incidentId,
    );
    const logged = await db.pool.query(`SELECT payload FROM incident_events WHERE building_id = $1 AND type = 'building.inspected'`, [ids.keyNever]);
    expect(logged.rows[0].payload).toMatchObject({ result: 'extended', opensCase: true });
  });

  it('已拆除 records the observation only; the building keeps its stage for the desk', async () => {
    const taskId = (await tasksOf(ids.plainDue!))[0]!.id;
    const up = await photo(officer, ids.plainDue!);
    const r = await call(app, officer, { url: `/api/buildings/inspections/${taskId}`, body: { result: 'demolished', evidenceIds: [up.json![0]!.id] } });
    expect(r.status, r.body).toBe(200);
    const b = await db.pool.query(`SELECT stage FROM illegal_buildings WHERE id = $1`, [ids.plainDue]);
    expect(b.rows[0].stage).toBe('discovered');
    const logged = await db.pool.query(`SELECT payload FROM incident_events WHERE building_id = $1 AND type = 'building.inspected'`, [ids.plainDue]);
    expect(logged.rows[0].payload).toMatchObject({ result: 'demolished', observationOnly: true, opensCase: false });
  });
});

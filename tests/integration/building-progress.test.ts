import type { FastifyInstance } from 'fastify';
import { readSheet } from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BuildingProgress, BuildingTarget } from '#shared/buildings/schemas.ts';
import { testApp } from '../support/app.ts';
import { call, login, type Session } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';
import { userSession } from '../support/fixtures.ts';

// Hand-built buildings and demolitions in 2031 (and 2030, 2032 around it), a year the demo seed never
// reaches: every figure below is counted by hand from these rows.
const db = testDatabase();
const YEAR = 2031;
let app: FastifyInstance;
let admin: Session, leader: Session, dispatcher: Session, officer: Session, qingyangLeader: Session;
type Cell = { id: number; street: string; squad: number; district: string };
let c1: Cell, c2: Cell, c3: Cell;
let serial = 0;

async function building(
  cell: Cell,
  b: { kind: 'stock' | 'new'; discovered: string; stage: string; demolished?: number; demolishedOn?: string; closed?: string },
): Promise<number> {
  const res = await db.pool.query<{ id: number }>(
    `INSERT INTO illegal_buildings (code, geom, area_m2, floors, kind, stage, demolished_area_m2, district_adcode, discovered_on, demolished_on, closed_on,
                                    grid_cell_id, street_code)
     SELECT $1, ST_Multi(ST_Buffer(g.label_point::geography, 8)::geometry), 250, 2, $2, $3, $4, g.district_adcode, $5, $6, $7, g.id, $8
     FROM grid_cells g WHERE g.id = $9 RETURNING id`,
    [`BP-${process.pid}-${++serial}`, b.kind, b.stage, b.demolished ?? 0, b.discovered, b.demolishedOn ?? null, b.closed ?? null, cell.street, cell.id],
  );
  return res.rows[0]!.id;
}

async function demolition(id: number, cell: Cell, on: string, m2: number, first: boolean, kind: 'stock' | 'new' = 'stock') {
  await db.pool.query(
    `INSERT INTO building_demolitions (building_id, demolished_on, area_m2, kind, first, district_adcode, street_code, squad_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, on, m2, kind, first, cell.district, cell.street, cell.squad],
  );
}

const get = (s: Session | null, url: string) => call(app, s, { url });
const progress = async (s: Session, q: string) => {
  const r = await get(s, `/api/buildings/progress?${q}`);
  expect(r.status, r.body).toBe(200);
  return r.json as BuildingProgress;
};
const figures = (r: BuildingProgress['rows'][number] | undefined) => r && [r.stockDemolishedM2, r.stockDemolishedCount, r.newFound, r.newDemolishedM2];

beforeAll(async () => {
  app = await testApp(db);
  [admin, leader, dispatcher, officer] = (await Promise.all(['admin', 'leader', 'dispatcher', 'officer'].map((l) => login(app, l)))) as Session[] as [
    Session,
    Session,
    Session,
    Session,
  ];
  qingyangLeader = await userSession(app, admin, 'leader', '510105');
  // two cells of 锦江区 in different streets and squads, one of 青羊区
  const cells = await db.pool.query<Cell>(
    `SELECT g.id, left(g.code, 9) AS street, g.squad_id AS squad, g.district_adcode::text AS district
     FROM grid_cells g JOIN streets s ON s.code = left(g.code, 9)
     WHERE g.valid_to IS NULL AND g.squad_id IS NOT NULL AND g.district_adcode IN ('510104', '510105') ORDER BY g.code`,
  );
  const jj = cells.rows.filter((c) => c.district === '510104');
  c1 = jj[0]!;
  c2 = jj.find((c) => c.street !== c1.street && c.squad !== c1.squad)!;
  c3 = cells.rows.find((c) => c.district === '510105')!;
  expect(c2, 'two streets with two squads in 锦江区').toBeTruthy();
  expect(c3.squad).not.toBe(c1.squad);
  expect(c3.squad).not.toBe(c2.squad);

  // B1: stock, demolished in two goes (Jan 100 m², Mar 50 m²)
  const b1 = await building(c1, { kind: 'stock', discovered: '2029-05-01', stage: 'demolished', demolished: 150, demolishedOn: '2031-01-15' });
  await demolition(b1, c1, '2031-01-15', 100, true);
  await demolition(b1, c1, '2031-03-10', 50, false);
  // B2: stock, one partial demolition in Feb
  const b2 = await building(c2, { kind: 'stock', discovered: '2028-03-01', stage: 'demolished', demolished: 120.5, demolishedOn: '2031-02-20' });
  await demolition(b2, c2, '2031-02-20', 120.5, true);
  // B3: stock, first demolished on the last day of 2030: its January rest counts m², not the building
  const b3 = await building(c1, { kind: 'stock', discovered: '2027-01-01', stage: 'demolished', demolished: 110, demolishedOn: '2030-12-31' });
  await demolition(b3, c1, '2030-12-31', 80, true);
  await demolition(b3, c1, '2031-01-02', 30, false);
  // B4: stock in 青羊区, Mar 31
  const b4 = await building(c3, {
    kind: 'stock',
    discovered: '2029-01-01',
    stage: 'closed',
    demolished: 200,
    demolishedOn: '2031-03-31',
    closed: '2031-04-02',
  });
  await demolition(b4, c3, '2031-03-31', 200, true);
  // B5: new, found in Feb, demolished in Mar (40 m²)
  const b5 = await building(c2, { kind: 'new', discovered: '2031-02-05', stage: 'demolished', demolished: 40, demolishedOn: '2031-03-01' });
  await demolition(b5, c2, '2031-03-01', 40, true, 'new');
  // B6: new, dismissed as not illegal: counts nowhere
  await building(c1, { kind: 'new', discovered: '2031-01-20', stage: 'closed', closed: '2031-01-25' });
  // B7: new in 青羊区, found in Mar, not yet handled
  await building(c3, { kind: 'new', discovered: '2031-03-05', stage: 'discovered' });
  // other years
  await building(c1, { kind: 'new', discovered: '2030-06-01', stage: 'verified' });
  const b9 = await building(c2, { kind: 'stock', discovered: '2030-01-01', stage: 'demolished', demolished: 90, demolishedOn: '2032-01-01' });
  await demolition(b9, c2, '2032-01-01', 90, true);
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe(`控违拆违 progress on hand-built data, on the ${inject('databaseMode')} database`, () => {
  it('per district: m² of every go, buildings at their first demolition, new found less the dismissed, new m²; totals', async () => {
    const p = await progress(admin, `year=${YEAR}&by=district`);
    expect(p.year).toBe(YEAR);
    expect(p.by).toBe('district');
    const row = (k: string) => p.rows.find((r) => r.key === k);
    expect(figures(row('510104'))).toEqual([300.5, 2, 1, 40]);
    expect(row('510104')!.name).toBe('锦江区');
    expect(figures(row('510105'))).toEqual([200, 1, 1, 0]);
    // every district of the city is listed, the others with nothing
    const districts = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM districts`);
    expect(p.rows).toHaveLength(districts.rows[0]!.n);
    for (const r of p.rows.filter((x) => !['510104', '510105'].includes(x.key))) expect(figures(r)).toEqual([0, 0, 0, 0]);
    expect(figures(p.totals)).toEqual([500.5, 3, 2, 40]);
    expect(p.totals.target).toBeNull();
  });

  it('per street, per squad and per month', async () => {
    const st = await progress(admin, `year=${YEAR}&by=street`);
    expect(st.rows.map((r) => r.key).sort()).toEqual([c1.street, c2.street, c3.street].sort());
    expect(figures(st.rows.find((r) => r.key === c1.street))).toEqual([180, 1, 0, 0]);
    expect(figures(st.rows.find((r) => r.key === c2.street))).toEqual([120.5, 1, 1, 40]);
    expect(figures(st.rows.find((r) => r.key === c3.street))).toEqual([200, 1, 1, 0]);
    expect(st.rows.every((r) => r.name !== r.key)).toBe(true);
    expect(figures(st.totals)).toEqual([500.5, 3, 2, 40]);

    const sq = await progress(admin, `year=${YEAR}&by=squad`);
    expect(sq.rows.map((r) => Number(r.key)).sort()).toEqual([c1.squad, c2.squad, c3.squad].sort());
    expect(figures(sq.rows.find((r) => r.key === String(c1.squad)))).toEqual([180, 1, 0, 0]);
    expect(figures(sq.rows.find((r) => r.key === String(c2.squad)))).toEqual([120.5, 1, 1, 40]);
    expect(figures(sq.rows.find((r) => r.key === String(c3.squad)))).toEqual([200, 1, 1, 0]);
    const squadName = await db.pool.query<{ name: string }>(`SELECT name FROM squads WHERE id = $1`, [c1.squad]);
    expect(sq.rows.find((r) => r.key === String(c1.squad))!.name).toBe(squadName.rows[0]!.name);

    const mo = await progress(admin, `year=${YEAR}&by=month`);
    expect(mo.rows.map((r) => r.key)).toEqual(Array.from({ length: 12 }, (_, i) => `${YEAR}-${String(i + 1).padStart(2, '0')}`));
    expect(figures(mo.rows[0])).toEqual([130, 1, 0, 0]);
    expect(figures(mo.rows[1])).toEqual([120.5, 1, 1, 0]);
    expect(figures(mo.rows[2])).toEqual([250, 1, 1, 40]);
    for (const r of mo.rows.slice(3)) expect(figures(r)).toEqual([0, 0, 0, 0]);

    // the year before holds B3's first go and the new building found in June
    const before = await progress(admin, `year=${YEAR - 1}&by=district&district=510104`);
    expect(figures(before.rows[0])).toEqual([80, 1, 1, 0]);
  });

  it('the stage breakdown is the register now, in scope', async () => {
    const p = await progress(qingyangLeader, `year=${YEAR}`);
    const sql = await db.pool.query<{ stage: string; kind: string; count: number; area: number }>(
      `SELECT stage, kind, count(*)::int AS count, round(sum(area_m2)::numeric, 2)::float8 AS area FROM illegal_buildings WHERE district_adcode = '510105' GROUP BY 1, 2`,
    );
    expect(p.byStage.map((s) => `${s.stage}/${s.kind}/${s.count}/${s.areaM2}`).sort()).toEqual(
      sql.rows.map((s) => `${s.stage}/${s.kind}/${s.count}/${s.area}`).sort(),
    );
  });

  it('targets: set with audit, attached per district and summed on the totals; refusals', async () => {
    const put = (s: Session, d: string, y: number, body: Partial<BuildingTarget>) =>
      call(app, s, { method: 'PUT', url: `/api/buildings/targets/${d}/${y}`, body });
    const t104 = { districtAdcode: '510104', year: YEAR, stockDemolishM2: 1000, stockDemolishCount: 5, newMax: 0 };
    const ok = await put(admin, '510104', YEAR, t104);
    expect(ok.status, ok.body).toBe(200);
    expect(ok.json).toEqual(t104);
    const again = await put(admin, '510104', YEAR, { ...t104, stockDemolishM2: 1200.5 });
    expect(again.json.stockDemolishM2).toBe(1200.5);
    const audit = await db.pool.query<{ before: { stockDemolishM2: number } | null; after: { stockDemolishM2: number } }>(
      `SELECT before, after FROM admin_audit WHERE action = 'building.target_set' AND target = $1 ORDER BY id`,
      [`building_targets/510104/${YEAR}`],
    );
    expect(audit.rows.map((a) => [a.before?.stockDemolishM2 ?? null, a.after.stockDemolishM2])).toEqual([
      [null, 1000],
      [1000, 1200.5],
    ]);
    // a district leader sets their own district
    const t105 = { districtAdcode: '510105', year: YEAR, stockDemolishM2: 300, stockDemolishCount: 2, newMax: 0 };
    expect((await put(qingyangLeader, '510105', YEAR, t105)).status).toBe(200);

    // refusals
    const other = await put(qingyangLeader, '510104', YEAR, t104);
    expect(other.status).toBe(403);
    expect(other.json.message).toMatch(/510105 only/);
    const role = await put(dispatcher, '510104', YEAR, t104);
    expect(role.status).toBe(403);
    expect(role.json.message).toMatch(/role dispatcher may not/);
    expect((await put(officer, '510104', YEAR, t104)).status).toBe(403);
    const mismatch = await put(admin, '510104', YEAR, { ...t104, year: YEAR + 1 });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.message).toMatch(/same district and year/);
    expect((await put(admin, '510104', YEAR, { ...t104, stockDemolishM2: -1 })).status).toBe(400);
    expect((await put(admin, '510104', YEAR, { districtAdcode: '510104', year: YEAR })).status).toBe(400);
    const unknown = await put(admin, '999999', YEAR, { ...t104, districtAdcode: '999999' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.message).toMatch(/no district 999999/);

    const list = await get(admin, `/api/buildings/targets?year=${YEAR}`);
    expect(list.status).toBe(200);
    expect((list.json as BuildingTarget[]).map((t) => t.districtAdcode)).toEqual(['510104', '510105']);
    const demoLeader = await get(leader, `/api/buildings/targets?year=${YEAR}`);
    expect(demoLeader.status).toBe(200);
    expect((demoLeader.json as BuildingTarget[]).every((t) => leader.user.districtAdcode === null || t.districtAdcode === leader.user.districtAdcode)).toBe(
      true,
    );
    const own = await get(qingyangLeader, `/api/buildings/targets?year=${YEAR}`);
    expect((own.json as BuildingTarget[]).map((t) => t.districtAdcode)).toEqual(['510105']);

    const p = await progress(admin, `year=${YEAR}`);
    expect(p.rows.find((r) => r.key === '510104')!.target).toEqual({ ...t104, stockDemolishM2: 1200.5 });
    expect(p.rows.find((r) => r.key === '510105')!.target).toEqual(t105);
    expect(p.rows.find((r) => r.key === '510106')?.target ?? null).toBeNull();
    expect(p.totals.target).toMatchObject({ stockDemolishM2: 1500.5, stockDemolishCount: 7, newMax: 0 });
    // by street, targets stay with the districts (on the totals)
    const st = await progress(admin, `year=${YEAR}&by=street&district=510105`);
    expect(st.rows.every((r) => r.target === null)).toBe(true);
    expect(st.totals.target).toMatchObject(t105);
  });

  it('the indicators XLSX carries the progress per district against the targets, and the definitions list names the figures', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/api/indicators/export?from=${YEAR}-03-01T00:00:00%2B08:00&to=${YEAR}-04-01T00:00:00%2B08:00&by=district&format=xlsx`,
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    const sheet = await readSheet(res.rawPayload, '控违拆违');
    const header = sheet[1] as string[];
    const jj = sheet.find((r) => r[0] === '510104')!;
    expect(jj[header.indexOf('存量拆除面积 (stock demolished, m²)')]).toBe(300.5);
    expect(jj[header.indexOf('存量拆除宗数 (stock demolished, buildings)')]).toBe(2);
    expect(jj[header.indexOf('新增违建 (new illegal buildings)')]).toBe(1);
    expect(jj[header.indexOf('超出 (over)')]).toBe('超出 (over)');
    expect(jj[header.indexOf('目标 (target)')]).toBe(1200.5);
    const definitions = await readSheet(res.rawPayload, '口径');
    expect(definitions.some((r) => String(r[0]).startsWith('存量拆除面积'))).toBe(true);
    const json = await get(admin, `/api/indicators?from=${YEAR}-03-01T00:00:00%2B08:00&to=${YEAR}-04-01T00:00:00%2B08:00`);
    expect(json.status, json.body).toBe(200);
    expect(json.json.definitions.buildings.figures.map((f: { key: string }) => f.key)).toEqual([
      'stockDemolishedM2',
      'stockDemolishedCount',
      'newFound',
      'newDemolishedM2',
    ]);
  });

  it('scope: a district user sees their district only and is refused another', async () => {
    const p = await progress(qingyangLeader, `year=${YEAR}&by=district`);
    expect(p.rows.map((r) => r.key)).toEqual(['510105']);
    expect(figures(p.totals)).toEqual([200, 1, 1, 0]);
    const st = await progress(qingyangLeader, `year=${YEAR}&by=street`);
    expect(st.rows.map((r) => r.key)).toEqual([c3.street]);
    const refused = await get(qingyangLeader, `/api/buildings/progress?year=${YEAR}&district=510104`);
    expect(refused.status).toBe(403);
    expect(refused.json.message).toMatch(/you see district 510105 only/);
    // a city user may narrow to a district
    const narrowed = await progress(admin, `year=${YEAR}&by=month&district=510104`);
    expect(figures(narrowed.totals)).toEqual([300.5, 2, 1, 40]);
    expect((await get(officer, `/api/buildings/progress?year=${YEAR}`)).status).toBe(403);
    expect((await get(null, `/api/buildings/progress?year=${YEAR}`)).status).toBe(401);
  });

  it('bad year or grouping → 400 saying what to send', async () => {
    for (const q of ['year=1999', 'year=abc', 'year=2031.5', 'by=week', 'district=51010']) {
      const r = await get(admin, `/api/buildings/progress?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.json.message, q).toBeTruthy();
    }
    const week = await get(admin, `/api/buildings/progress?by=week`);
    expect(week.json.message).toMatch(/district|street|squad|month/);
    const yr = await get(admin, `/api/buildings/targets?year=3000`);
    expect(yr.status).toBe(400);
    expect(yr.json.message).toMatch(/year/);
  });
});

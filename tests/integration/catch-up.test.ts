// GET /api/events?after= as a client that was away pages it (issue 17, item 6): several pages give
// exactly the events one answer gives (no gap, no duplicate, `more` true until the last), `head` says
// how far the log goes, and each scope (city, a district, an officer) gets exactly its events.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testApp } from '../support/app.ts';
import { call, login, type Session } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';
import { freeOfficers, keyAreaPoint, officerSession, onDutyAt, userSession } from '../support/fixtures.ts';

const db = testDatabase();
const mode = inject('databaseMode');
let app: FastifyInstance;
let admin: Session, dispatcher: Session, jinjiang: Session, officerA: Session;
let officerAId: number, officerBId: number;
/** the log's head before this file wrote anything */
let start: number;
let jinjiangCases: number[];
let qingyangCases: number[];

interface Ev {
  seq: number;
  incidentId: number | null;
  districtAdcode: string | null;
  officerIds: number[];
}
interface Page {
  events: Ev[];
  more: boolean;
  head: number;
}

const page = async (s: Session, after: number, limit: number): Promise<Page> => {
  const r = await call(app, s, { url: `/api/events?after=${after}&limit=${limit}` });
  expect(r.status, r.body).toBe(200);
  return r.json as Page;
};

/** Every page from `after`, `limit` at a time, checking each answer on the way. */
async function walk(s: Session, after: number, limit: number): Promise<{ seqs: number[]; pages: Page[] }> {
  const pages: Page[] = [];
  for (let cursor = after; ;) {
    const p = await page(s, cursor, limit);
    pages.push(p);
    expect(p.events.length).toBeLessThanOrEqual(limit);
    for (const e of p.events) expect(p.head).toBeGreaterThanOrEqual(e.seq);
    if (!p.more) break;
    expect(p.events).toHaveLength(limit); // a page short of the limit is the last
    cursor = p.events.at(-1)!.seq;
  }
  return { seqs: pages.flatMap((p) => p.events.map((e) => e.seq)), pages };
}

const sqlSeqs = async (where: string, values: unknown[]) =>
  (await db.pool.query<{ seq: string }>(`SELECT seq FROM incident_events WHERE seq > $1 AND ${where} ORDER BY seq`, [start, ...values])).rows.map((r) =>
    Number(r.seq),
  );

beforeAll(async () => {
  app = await testApp(db);
  [admin, dispatcher] = await Promise.all([login(app, 'admin'), login(app, 'dispatcher')]);
  jinjiang = await userSession(app, admin, 'dispatcher', '510104');
  start = (await page(dispatcher, 0, 0)).head;
  const spring = await keyAreaPoint(app, '春熙路·太古里'); // 锦江区 510104
  const alley = await keyAreaPoint(app, '宽窄巷子'); // 青羊区 510105
  [officerAId, officerBId] = (await freeOfficers(db.pool, { district: '510104', kind: 'officer', count: 2 })) as [number, number];
  officerA = await officerSession(app, admin, officerAId);
  const officerB = await officerSession(app, admin, officerBId);
  await onDutyAt(app, officerA, spring);
  await onDutyAt(app, officerB, spring);
  const intake = async (at: [number, number], i: number) => {
    const r = await call(app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0102', source: 'dispatcher', description: `补齐分页 catch-up ${i}`, lon: at[0], lat: at[1], register: true },
    });
    expect(r.status, r.body).toBe(201);
    return r.json.incident.id as number;
  };
  jinjiangCases = [];
  qingyangCases = [];
  for (let i = 0; i < 9; i++) {
    jinjiangCases.push(await intake(spring, i));
    if (i % 3 === 0) qingyangCases.push(await intake(alley, i));
  }
  // two cases for officer A (one accepted, so it has a further step), one for officer B
  for (const [id, officerId] of [
    [jinjiangCases[0]!, officerAId],
    [jinjiangCases[1]!, officerBId],
  ] as const) {
    const r = await call(app, dispatcher, { url: `/api/incidents/${id}/dispatch`, body: { officerIds: [officerId] } });
    expect(r.status, r.body).toBe(200);
  }
  expect((await call(app, officerA, { url: `/api/incidents/${jinjiangCases[0]}/accept`, body: {} })).status).toBe(200);
  // a case officer A reported themselves (上报问题): theirs to follow though never dispatched to them
  const reported = await call(app, officerA, {
    url: '/api/incidents',
    body: { category: '0102', source: 'patrol', description: '巡查上报 catch-up', lon: spring[0], lat: spring[1] },
  });
  expect(reported.status, reported.body).toBe(201);
  // and a step on one of the unrelated cases after all that
  expect((await call(app, dispatcher, { url: `/api/incidents/${jinjiangCases[8]}/void`, body: { reason: '重复 duplicate' } })).status).toBe(200);
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe(`catch-up paging: GET /api/events?after= (${mode} database)`, () => {
  it('city-wide: pages of 7 give exactly what one answer gives, in order, none twice, `more` until the last, `head` the log’s newest', async () => {
    const all = await page(dispatcher, start, 5000);
    expect(all.more).toBe(false);
    const expected = await sqlSeqs('true', []);
    expect(all.events.map((e) => e.seq)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(25);
    const maxSeq = Number((await db.pool.query(`SELECT max(seq) AS m FROM incident_events`)).rows[0].m);
    expect(all.head).toBe(maxSeq);

    const { seqs, pages } = await walk(dispatcher, start, 7);
    expect(seqs).toEqual(expected);
    expect(pages.length).toBe(Math.ceil(expected.length / 7) + (expected.length % 7 === 0 ? 1 : 0));
    expect(pages.slice(0, -1).every((p) => p.more)).toBe(true);

    // a page that ends exactly at the head says there is no more
    const rest = expected.length % 7 || 7;
    const last = await page(dispatcher, expected.at(-rest - 1)!, rest);
    expect(last.events).toHaveLength(rest);
    expect(last.more).toBe(false);
    // from the head: nothing, no more; limit 0: only `more` and `head`
    expect(await page(dispatcher, maxSeq, 5000)).toEqual({ events: [], more: false, head: maxSeq });
    expect(await page(dispatcher, start, 0)).toEqual({ events: [], more: true, head: maxSeq });
  });

  it('a district console: its district’s events only, all of them, across pages', async () => {
    const expected = await sqlSeqs(`district_adcode = '510104'`, []);
    const { seqs } = await walk(jinjiang, start, 4);
    expect(seqs).toEqual(expected);
    const events = (await page(jinjiang, start, 5000)).events;
    expect(events.every((e) => e.districtAdcode === '510104')).toBe(true);
    const cases = new Set(events.map((e) => e.incidentId));
    for (const id of jinjiangCases) expect(cases.has(id)).toBe(true);
    for (const id of qingyangCases) expect(cases.has(id)).toBe(false);
  });

  it('an officer: the events addressed to them and those of the cases they may see, exactly, across pages', async () => {
    // the rule as eventsAfter stated it before it was split per scope, evaluated here as the oracle
    const user = Number((await db.pool.query(`SELECT id FROM users WHERE officer_id = $1`, [officerAId])).rows[0].id);
    const expected = await sqlSeqs(
      `($2 = ANY(officer_ids) OR incident_id IN (
         SELECT i.id FROM incidents i WHERE i.reported_by = $3
         UNION SELECT d.incident_id FROM dispatches d WHERE d.officer_id = $2 AND d.state IN ('pending', 'accepted', 'done')))`,
      [officerAId, user],
    );
    const { seqs, pages } = await walk(officerA, start, 2);
    expect(seqs).toEqual(expected);
    expect(pages.length).toBeGreaterThan(2);
    const events = pages.flatMap((p) => p.events);
    const cases = new Set(events.map((e) => e.incidentId));
    expect(cases.has(jinjiangCases[0]!)).toBe(true);
    expect(cases.has(jinjiangCases[1]!)).toBe(false); // officer B's
    expect(cases.has(jinjiangCases[8]!)).toBe(false);
    expect(events.some((e) => e.officerIds.includes(officerAId) && e.incidentId === null)).toBe(true); // their duty change
    expect(events.some((e) => e.officerIds.includes(officerBId))).toBe(false);
  });

  it('says what to fix for a page size out of range', async () => {
    for (const limit of [-1, 5001]) {
      const r = await call(app, dispatcher, { url: `/api/events?after=0&limit=${limit}` });
      expect(r.status).toBe(400);
      expect(r.json.message).toMatch(/limit/);
    }
  });
});

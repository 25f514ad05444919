import type { FastifyInstance } from 'fastify';
import { readSheet } from 'read-excel-file/node';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { IndicatorCounts, IndicatorRow, IndicatorsReport } from '#shared/indicators/contract.ts';
import { COUNT_KEYS, INDICATOR_DEFINITIONS, INDICATOR_KEYS } from '#shared/indicators/definitions.ts';
import { testApp } from '../support/app.ts';
import { call, login, type Session } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';
import { userSession } from '../support/fixtures.ts';

/**
 * Indicators on a hand-built set of cases in March 2025 (Asia/Shanghai), a month in which no other
 * test file makes cases: every step time is chosen, so every count and indicator is known.
 */
const db = testDatabase();
let app: FastifyInstance;
let admin: Session, leader: Session, officer: Session;

const A = '510104'; // 锦江, the seeded leader's district
const B = '510105'; // 青羊
const squads = { SA1: 0, SA2: 0, SB1: 0 };
const officers = { a1: 0, a2: 0, b1: 0 };
const PERIOD = 'from=2025-03-01&to=2025-04-01'; // = [2025-02-28T16:00Z, 2025-03-31T16:00Z)
/** export headers of the ratio indicators, as exportHeaders writes them */
const ratioHeaders = new Set(INDICATOR_DEFINITIONS.filter((d) => d.kind === 'ratio').map((d) => `${d.name.zh} (${d.name.en})`));

/** Every text entry of a zip (an XLSX), by name. */
function zipTexts(bytes: Buffer): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const out = new Map<string, string>();
      zip.on('entry', (entry: yauzl.Entry) =>
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
            zip.readEntry();
          });
        }),
      );
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** The number format code of each cell style (cellXfs index), built-in ids included (9: 0%, 10: 0.00%). */
function cellFormats(styles: string): string[] {
  const custom = new Map([...styles.matchAll(/<numFmt [^>]*numFmtId="(\d+)"[^>]*formatCode="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
  const builtin: Record<string, string> = { '0': 'General', '1': '0', '2': '0.00', '9': '0%', '10': '0.00%' };
  const xfs = /<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles)?.[1] ?? '';
  return [...xfs.matchAll(/<xf\b([^>]*)>/g)].map((m) => {
    const id = /numFmtId="(\d+)"/.exec(m[1]!)?.[1] ?? '0';
    return custom.get(id) ?? builtin[id] ?? `#${id}`;
  });
}

/** The cells of a worksheet: reference, 0-based column, 1-based row, type (t, default n) and style index. */
function sheetCells(sheet: string): { ref: string; col: number; row: number; type: string; style: number }[] {
  return [...sheet.matchAll(/<c ([^>]*?)\/?>/g)].map((m) => {
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(m[1]!)?.[1];
    const ref = attr('r')!;
    const letters = /^[A-Z]+/.exec(ref)![0];
    const col = [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
    return { ref, col, row: Number(ref.slice(letters.length)), type: attr('t') ?? 'n', style: Number(attr('s') ?? 0) };
  });
}

/** A UTC instant in 2025: month (1-based), day, hour, minute. */
const t = (month: number, day: number, h: number, m = 0) => new Date(Date.UTC(2025, month - 1, day, h, m));
const plus = (d: Date, minutes: number) => new Date(d.getTime() + minutes * 60_000);

interface Dispatch {
  officer: number;
  at: Date;
}
interface CaseSpec {
  name: string;
  district: string;
  state: string;
  registered: Date | null;
  deadline: Date;
  dispatches?: Dispatch[];
  arrived?: Date[];
  handled?: Date[];
  reworked?: Date[];
  closed?: Date;
  voided?: Date;
}

async function insertCase(c: CaseSpec, categoryId: number): Promise<number> {
  const handled = c.handled ?? [];
  const res = await db.pool.query<{ id: number }>(
    `
    INSERT INTO incidents (code, category_id, source, description, position, district_adcode, state, deadline, reported_at, registered_at,
                           dispatched_at, on_scene_at, handled_at, closed_at, voided_at, rework_count, outcome)
    VALUES ($1, $2, 'dispatcher', $3, ST_SetSRID(ST_MakePoint(104.07, 30.66), 4326), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
    RETURNING id`,
    [
      `IND-${process.pid}-${c.name}`,
      categoryId,
      `考核测试 ${c.name}`,
      c.district,
      c.state,
      c.deadline,
      plus(c.registered ?? c.deadline, -5),
      c.registered,
      c.dispatches?.[0]?.at ?? null,
      c.arrived?.at(-1) ?? null,
      handled.at(-1) ?? null,
      c.closed ?? null,
      c.voided ?? null,
      c.reworked?.length ?? 0,
      ['handled', 'closed'].includes(c.state) ? 'service' : null,
    ],
  );
  const id = res.rows[0]!.id;
  const events: [string, Date, number[]][] = [];
  if (c.registered) events.push(['incident.registered', c.registered, []]);
  for (const d of c.dispatches ?? []) {
    await db.pool.query(`INSERT INTO dispatches (incident_id, officer_id, state, dispatched_at, finished_at) VALUES ($1, $2, 'done', $3, $3)`, [
      id,
      d.officer,
      d.at,
    ]);
  }
  (c.dispatches ?? []).forEach((d, i) => events.push([i > 0 && c.reworked?.length ? 'incident.reworked' : 'incident.dispatched', d.at, [d.officer]]));
  for (const at of c.arrived ?? []) events.push(['incident.arrived', at, []]);
  for (const at of handled) events.push(['incident.handled', at, []]);
  if (c.closed) events.push(['incident.closed', c.closed, []]);
  if (c.voided) events.push(['incident.voided', c.voided, []]);
  events.sort((x, y) => x[1].getTime() - y[1].getTime());
  for (const [type, at, officerIds] of events) {
    await db.pool.query(`INSERT INTO incident_events (incident_id, type, payload, occurred_at, district_adcode, officer_ids) VALUES ($1, $2, $3, $4, $5, $6)`, [
      id,
      type,
      { code: `IND-${c.name}`, test: true },
      at,
      c.district,
      officerIds,
    ]);
  }
  return id;
}

beforeAll(async () => {
  app = await testApp(db);
  [admin, leader] = (await Promise.all(['admin', 'leader'].map((l) => login(app, l)))) as [Session, Session];
  officer = await login(app, 'officer');
  const sq = await db.pool.query<{ id: number; district: string; officer: number }>(
    `
    SELECT s.id, s.district_adcode AS district, (SELECT min(o.id) FROM officers o WHERE o.squad_id = s.id) AS officer
    FROM squads s WHERE s.district_adcode IN ($1, $2) ORDER BY s.id`,
    [A, B],
  );
  const inA = sq.rows.filter((r) => r.district === A);
  const inB = sq.rows.filter((r) => r.district === B);
  [squads.SA1, squads.SA2, squads.SB1] = [inA[0]!.id, inA[1]!.id, inB[0]!.id];
  [officers.a1, officers.a2, officers.b1] = [inA[0]!.officer, inA[1]!.officer, inB[0]!.officer];
  const category = (await db.pool.query<{ id: number }>(`SELECT id FROM categories ORDER BY id LIMIT 1`)).rows[0]!.id;
  const { a1, a2, b1 } = officers;

  const cases: CaseSpec[] = [
    // A1: dispatched in 30 min, on scene 30 min later, handled after 240 min, closed; all before the deadline.
    {
      name: 'A1',
      district: A,
      state: 'closed',
      registered: t(3, 5, 2),
      deadline: t(3, 6, 2),
      dispatches: [{ officer: a1, at: t(3, 5, 2, 30) }],
      arrived: [t(3, 5, 3)],
      handled: [t(3, 5, 6)],
      closed: t(3, 5, 8),
    },
    // A2: dispatched late (120 min); first handled on time, reworked (to a1), handled again, closed after the deadline.
    {
      name: 'A2',
      district: A,
      state: 'closed',
      registered: t(3, 10, 2),
      deadline: t(3, 11, 2),
      dispatches: [
        { officer: a2, at: t(3, 10, 4) },
        { officer: a1, at: t(3, 10, 9) },
      ],
      reworked: [t(3, 10, 9)],
      arrived: [t(3, 10, 5), t(3, 10, 10)],
      handled: [t(3, 10, 8), t(3, 11, 3)],
      closed: t(3, 11, 5),
    },
    // A3: dispatched in 10 min, on scene, never handled: overdue at the end of March.
    {
      name: 'A3',
      district: A,
      state: 'on_scene',
      registered: t(3, 20, 2),
      deadline: t(3, 21, 2),
      dispatches: [{ officer: a1, at: t(3, 20, 2, 10) }],
      arrived: [t(3, 20, 2, 40)],
    },
    // A4: registered 30 minutes before the period ends (23:30 on 31 March, Shanghai), dispatched on 1 April: not yet due to
    // dispatch at the end of March, and no squad then.
    { name: 'A4', district: A, state: 'dispatched', registered: t(3, 31, 15, 30), deadline: t(4, 2, 2), dispatches: [{ officer: a2, at: t(4, 1, 1) }] },
    // A5: registered and handled in February, closed on 2 March ahead of its deadline (3 March): due to close in March, not to handle.
    {
      name: 'A5',
      district: A,
      state: 'closed',
      registered: t(2, 20, 2),
      deadline: t(3, 3, 2),
      dispatches: [{ officer: a2, at: t(2, 20, 2, 20) }],
      arrived: [t(2, 20, 3)],
      handled: [t(2, 21, 2)],
      closed: t(3, 2, 2),
    },
    // A6: voided: counts nowhere.
    { name: 'A6', district: A, state: 'voided', registered: t(3, 15, 2), deadline: t(3, 16, 2), voided: t(3, 15, 3) },
    // A7: deadline extended (延期) to 20 March; handled 18 March (8,640 min after registration): on time.
    {
      name: 'A7',
      district: A,
      state: 'closed',
      registered: t(3, 12, 2),
      deadline: t(3, 20, 2),
      dispatches: [{ officer: a2, at: t(3, 12, 2, 5) }],
      arrived: [t(3, 12, 2, 35)],
      handled: [t(3, 18, 2)],
      closed: t(3, 18, 4),
    },
    // B1: dispatched in 45 min, on scene 60 min later, handled after the deadline, closed late.
    {
      name: 'B1',
      district: B,
      state: 'closed',
      registered: t(3, 8, 2),
      deadline: t(3, 8, 6),
      dispatches: [{ officer: b1, at: t(3, 8, 2, 45) }],
      arrived: [t(3, 8, 3, 45)],
      handled: [t(3, 8, 10)],
      closed: t(3, 9, 2),
    },
    // B2: deadline 10 April, handled (1,440 min) and closed in March: due in March, on time.
    {
      name: 'B2',
      district: B,
      state: 'closed',
      registered: t(3, 25, 2),
      deadline: t(4, 10, 2),
      dispatches: [{ officer: b1, at: t(3, 25, 2, 20) }],
      arrived: [t(3, 25, 3, 20)],
      handled: [t(3, 26, 2)],
      closed: t(3, 27, 2),
    },
    // B3: in 青羊 but sent (90 min: late) to a 锦江 squad, then suspended (挂账): overdue and open.
    { name: 'B3', district: B, state: 'suspended', registered: t(3, 28, 2), deadline: t(3, 29, 2), dispatches: [{ officer: a1, at: t(3, 28, 3, 30) }] },
    // R1: reported, never registered, deadline in March: counts nowhere.
    { name: 'R1', district: A, state: 'reported', registered: null, deadline: t(3, 12, 2) },
  ];
  for (const c of cases) await insertCase(c, category);
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const ZERO: IndicatorCounts = Object.fromEntries(COUNT_KEYS.map((k) => [k, 0])) as IndicatorCounts;
const counts = (c: Partial<IndicatorCounts>): IndicatorCounts => ({ ...ZERO, ...c });
const div = (n: number, d: number) => (d === 0 ? null : n / d);
/** The ratios as definitions.ts states them, from the counts. */
function ratios(c: IndicatorCounts) {
  return {
    closeRate: div(c.registeredClosed, c.registered),
    onTimeCloseRate: div(c.closedOnTime, c.dueToClose),
    handleRate: div(c.handled, c.dueToHandle),
    onTimeHandleRate: div(c.handledOnTime, c.dueToHandle),
    reworkRate: div(c.reworked, c.dueToClose),
    overdueOpenRate: div(c.overdueOpen, c.dueToHandle),
    onTimeDispatchRate: div(c.dispatchedOnTime, c.dueToDispatch),
    accurateDispatchRate: div(c.dispatched - c.dispatchedReworked, c.dispatched),
  };
}
type Avg = { avgDispatchMinutes: number | null; avgArriveMinutes: number | null; avgHandleMinutes: number | null };
function expectRow(row: IndicatorRow | undefined, c: IndicatorCounts, avg: Avg) {
  expect(row, 'row present').toBeDefined();
  expect(row!.counts).toEqual(c);
  expect(row!.indicators).toEqual({ ...ratios(c), ...avg });
  expect(Object.keys(row!.indicators).sort()).toEqual([...INDICATOR_KEYS].sort());
}

const DISTRICT_A = counts({
  registered: 5,
  registeredClosed: 3,
  dueToClose: 5,
  closedOnTime: 3,
  reworked: 1,
  dueToHandle: 4,
  handled: 3,
  handledOnTime: 3,
  overdueOpen: 1,
  dueToDispatch: 4,
  dispatched: 4,
  dispatchedOnTime: 3,
  dispatchedReworked: 1,
  arrived: 4,
  registeredHandled: 3,
});
const AVG_A = { avgDispatchMinutes: 41.25, avgArriveMinutes: 37.5, avgHandleMinutes: 3080 };
const DISTRICT_B = counts({
  registered: 3,
  registeredClosed: 2,
  dueToClose: 3,
  closedOnTime: 1,
  reworked: 0,
  dueToHandle: 3,
  handled: 2,
  handledOnTime: 1,
  overdueOpen: 1,
  dueToDispatch: 3,
  dispatched: 3,
  dispatchedOnTime: 2,
  dispatchedReworked: 0,
  arrived: 2,
  registeredHandled: 2,
});
const AVG_B = { avgDispatchMinutes: 51.67, avgArriveMinutes: 60, avgHandleMinutes: 960 };
const TOTAL = counts(Object.fromEntries(COUNT_KEYS.map((k) => [k, DISTRICT_A[k] + DISTRICT_B[k]])));
const AVG_TOTAL = { avgDispatchMinutes: 45.71, avgArriveMinutes: 45, avgHandleMinutes: 2232 };

const get = async (s: Session | null, query: string) => call(app, s, { url: `/api/indicators?${query}` });
const report = async (s: Session, query: string): Promise<IndicatorsReport> => {
  const r = await get(s, query);
  expect(r.status, r.body).toBe(200);
  return r.json;
};
const rowOf = (r: IndicatorsReport, key: string | null) => r.rows.find((x) => x.key === key);

describe(`indicators (考核) on the ${inject('databaseMode')} database`, () => {
  it('per district: every count and indicator of the hand-built March, and the total', async () => {
    const r = await report(admin, `${PERIOD}&by=district`);
    expect(r).toMatchObject({
      from: '2025-02-28T16:00:00.000Z',
      to: '2025-03-31T16:00:00.000Z',
      asOf: '2025-03-31T16:00:00.000Z',
      by: 'district',
      scopeDistrict: null,
    });
    expectRow(rowOf(r, A), DISTRICT_A, AVG_A);
    expectRow(rowOf(r, B), DISTRICT_B, AVG_B);
    expect(rowOf(r, A)!.name).toBe('锦江区');
    expect(rowOf(r, A)!.indicators.closeRate).toBe(0.6);
    expect(rowOf(r, A)!.indicators.accurateDispatchRate).toBe(0.75);
    expect(rowOf(r, B)!.indicators.onTimeCloseRate).toBe(1 / 3);
    // The other districts have no case that month: a row each, zeros, ratios and averages null.
    const others = r.rows.filter((x) => x.key !== A && x.key !== B);
    expect(others.map((x) => x.key).sort()).toEqual(['510106', '510107', '510108']);
    for (const o of others) expectRow(o, ZERO, { avgDispatchMinutes: null, avgArriveMinutes: null, avgHandleMinutes: null });
    expect(r.total.key).toBeNull();
    expectRow(r.total, TOTAL, AVG_TOTAL);
    expect(r.definitions.indicators.map((d) => d.key)).toEqual([...INDICATOR_KEYS]);
    expect(r.definitions.dispatchLimitMinutes).toBe(60);
  });

  it('per squad: the squad of the first dispatch (A2 reworked to another squad stays with the first; B3 of 青羊 with the 锦江 squad sent)', async () => {
    const r = await report(admin, `${PERIOD}&by=squad`);
    expectRow(
      rowOf(r, String(squads.SA1)),
      counts({
        registered: 3,
        registeredClosed: 1,
        dueToClose: 3,
        closedOnTime: 1,
        dueToHandle: 3,
        handled: 1,
        handledOnTime: 1,
        overdueOpen: 2,
        dueToDispatch: 3,
        dispatched: 3,
        dispatchedOnTime: 2,
        arrived: 2,
        registeredHandled: 1,
      }),
      { avgDispatchMinutes: 43.33, avgArriveMinutes: 30, avgHandleMinutes: 240 },
    );
    expectRow(
      rowOf(r, String(squads.SA2)),
      counts({
        registered: 2,
        registeredClosed: 2,
        dueToClose: 3,
        closedOnTime: 2,
        reworked: 1,
        dueToHandle: 2,
        handled: 2,
        handledOnTime: 2,
        dueToDispatch: 2,
        dispatched: 2,
        dispatchedOnTime: 1,
        dispatchedReworked: 1,
        arrived: 2,
        registeredHandled: 2,
      }),
      { avgDispatchMinutes: 62.5, avgArriveMinutes: 45, avgHandleMinutes: 4500 },
    );
    expectRow(
      rowOf(r, String(squads.SB1)),
      counts({
        registered: 2,
        registeredClosed: 2,
        dueToClose: 2,
        closedOnTime: 1,
        dueToHandle: 2,
        handled: 2,
        handledOnTime: 1,
        dueToDispatch: 2,
        dispatched: 2,
        dispatchedOnTime: 2,
        arrived: 2,
        registeredHandled: 2,
      }),
      { avgDispatchMinutes: 32.5, avgArriveMinutes: 60, avgHandleMinutes: 960 },
    );
    // A4 was first dispatched after the period: not dispatched as of its end.
    const none = rowOf(r, null);
    expect(none?.name).toBe('未派遣');
    expectRow(none, counts({ registered: 1 }), { avgDispatchMinutes: null, avgArriveMinutes: null, avgHandleMinutes: null });
    expect(rowOf(r, String(squads.SA1))!.districtAdcode).toBe(A);
    expectRow(r.total, TOTAL, AVG_TOTAL);
    // Every squad of the city has a row; the rows add up to the total.
    const allSquads = (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM squads`)).rows[0]!.n;
    expect(r.rows.filter((x) => x.key !== null)).toHaveLength(allSquads);
    for (const k of COUNT_KEYS)
      expect(
        r.rows.reduce((s, x) => s + x.counts[k], 0),
        k,
      ).toBe(TOTAL[k]);
  });

  it('a district leader sees their district only, by district and by squad', async () => {
    const byDistrict = await report(leader, `${PERIOD}&by=district`);
    expect(byDistrict.scopeDistrict).toBe(A);
    expect(byDistrict.rows.map((x) => x.key)).toEqual([A]);
    expectRow(byDistrict.rows[0], DISTRICT_A, AVG_A);
    expectRow(byDistrict.total, DISTRICT_A, AVG_A);

    const bySquad = await report(leader, `${PERIOD}&by=squad`);
    expect(bySquad.rows.every((x) => x.districtAdcode === A || x.key === null)).toBe(true);
    expect(rowOf(bySquad, String(squads.SB1))).toBeUndefined();
    // SA1 without B3 (青羊, outside the leader's district).
    expectRow(
      rowOf(bySquad, String(squads.SA1)),
      counts({
        registered: 2,
        registeredClosed: 1,
        dueToClose: 2,
        closedOnTime: 1,
        dueToHandle: 2,
        handled: 1,
        handledOnTime: 1,
        overdueOpen: 1,
        dueToDispatch: 2,
        dispatched: 2,
        dispatchedOnTime: 2,
        arrived: 2,
        registeredHandled: 1,
      }),
      { avgDispatchMinutes: 20, avgArriveMinutes: 30, avgHandleMinutes: 240 },
    );
    expectRow(bySquad.total, DISTRICT_A, AVG_A);

    const otherLeader = await userSession(app, admin, 'leader', B);
    const b = await report(otherLeader, PERIOD); // by defaults to district
    expect(b.by).toBe('district');
    expect(b.rows.map((x) => x.key)).toEqual([B]);
    expectRow(b.total, DISTRICT_B, AVG_B);
  });

  it('a period measured at its end: mid-March figures leave out what happened after', async () => {
    // [1 March, 10 March 16:30 Shanghai = 08:30Z): A2 handled at 08:00Z, not yet reworked (09:00Z) or closed.
    const r = await report(admin, 'from=2025-03-01&to=2025-03-10T16:30:00%2B08:00&by=district');
    expect(r.asOf).toBe('2025-03-10T08:30:00.000Z');
    const a = rowOf(r, A)!;
    // Registered: A1, A2. Due to close: A1 (closed), A5 (closed 2 March); A2 (deadline 11 March) not yet.
    expect(a.counts).toMatchObject({
      registered: 2,
      registeredClosed: 1,
      dueToClose: 2,
      closedOnTime: 2,
      reworked: 0,
      dueToHandle: 2,
      handled: 2,
      dispatchedReworked: 0,
    });
    expect(a.indicators.avgHandleMinutes).toBe(300); // A1 240, A2 360
    // The same period again, an hour later in the event log's terms: with A2's rework it would differ; as of 08:30 it does not.
    const later = await report(admin, 'from=2025-03-01&to=2025-03-10T17:30:00%2B08:00&by=district');
    expect(rowOf(later, A)!.counts).toMatchObject({ dispatchedReworked: 1, reworked: 0 });
  });

  it('refuses bad periods and groupings with a clear 400, and those without the permission', async () => {
    const cases: [string, RegExp][] = [
      ['from=2025-02-30&to=2025-04-01', /from "2025-02-30" is not an ISO 8601 date/],
      ['from=yesterday&to=2025-04-01', /from "yesterday" is not an ISO 8601/],
      ['from=2025-03-01&to=2025-04-01T00:00:00', /to "2025-04-01T00:00:00" is not an ISO 8601 date or date-time with offset/],
      ['from=2025-04-01&to=2025-03-01', /from \(2025-03-31T16:00:00.000Z\) must be before to/],
      ['from=2025-03-01&to=2025-03-01', /must be before to/],
      ['from=2024-01-01&to=2025-03-01', /the period is 425 days; at most 400 days/],
      [`${PERIOD}&by=street`, /by must be one of \["district","squad"\]/],
      ['to=2025-04-01', /"from" is required/],
      [`${PERIOD}&extra=1`, /unknown field "extra"/],
    ];
    for (const [q, message] of cases) {
      const r = await get(admin, q);
      expect(r.status, q).toBe(400);
      expect(r.json.message, q).toMatch(message);
    }
    const bad = await call(app, admin, { url: `/api/indicators/export?${PERIOD}&format=pdf` });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/format must be one of \["csv","xlsx"\]/);
    expect((await get(null, PERIOD)).status).toBe(401);
    expect((await get(officer, PERIOD)).status).toBe(403);
    const supervisor = await login(app, 'supervisor');
    const dispatcher = await login(app, 'dispatcher');
    for (const s of [supervisor, dispatcher]) expect((await get(s, PERIOD)).status).toBe(200);
  });

  it('exports CSV with a BOM, Chinese + English headers, a row per group and the total', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/api/indicators/export?${PERIOD}&by=district&format=csv`,
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="indicators-district-city-2025-03-01_2025-04-01.csv"');
    const bytes = res.rawPayload;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(1 + 5 + 1); // header, five districts, total
    const header = lines[0]!.split(',');
    expect(header.slice(0, 4)).toEqual(['区县代码 (district code)', '区县 (district)', '所属区县代码 (district of the row)', '立案数 (registered)']);
    expect(header).toContain('结案率 (Close rate)');
    expect(header).toContain('平均派遣时长/分钟 (Average time to dispatch in minutes)');
    const a = lines.find((l) => l.startsWith(`${A},`))!.split(',');
    expect(a[1]).toBe('锦江区');
    expect(a[header.indexOf('立案数 (registered)')]).toBe('5');
    // rates are numbers (0–1, as in the API and the XLSX cells), not "60.00%" text
    expect(a[header.indexOf('结案率 (Close rate)')]).toBe('0.6');
    for (const line of lines.slice(1))
      for (const [i, h] of header.entries()) if (ratioHeaders.has(h)) expect(line.split(',')[i], `${h} in ${line}`).toMatch(/^(|0|1|0\.[0-9]+)$/);
    expect(a[header.indexOf('平均派遣时长/分钟 (Average time to dispatch in minutes)')]).toBe('41.25');
    const total = lines.at(-1)!.split(',');
    expect(total[1]).toBe('合计 (total)');
    expect(total[header.indexOf('应结案数 (due to close)')]).toBe('8');
    expect(Number(total[header.indexOf('按期结案率 (On-time close rate)')])).toBe(0.5);
    // A district with no case: empty ratio cells.
    const empty = lines.find((l) => l.startsWith('510106,'))!.split(',');
    expect(empty[header.indexOf('结案率 (Close rate)')]).toBe('');
  });

  it('exports XLSX that reads back: the same header and figures, ratios as numbers', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/api/indicators/export?${PERIOD}&by=squad&format=xlsx`,
      headers: { authorization: `Bearer ${leader.token}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="indicators-squad-${A}-2025-03-01_2025-04-01.xlsx"`);
    const bytes = res.rawPayload;
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    const sheet = await readSheet(bytes, '指标');
    const header = sheet[0] as string[];
    expect(header[0]).toBe('中队编号 (squad id)');
    const json = await report(leader, `${PERIOD}&by=squad`);
    expect(sheet).toHaveLength(1 + json.rows.length + 1);
    const total = sheet.at(-1)!;
    expect(total[1]).toBe('合计 (total)');
    expect(total[header.indexOf('立案数 (registered)')]).toBe(5);
    expect(total[header.indexOf('结案率 (Close rate)')]).toBeCloseTo(0.6, 12);
    expect(total[header.indexOf('平均处置时长/分钟 (Average time to handle in minutes)')]).toBe(3080);
    const sa1 = sheet.find((r) => r[0] === String(squads.SA1))!;
    expect(sa1[header.indexOf('超期待处置数 (overdue still open)')]).toBe(1);
    const definitions = await readSheet(bytes, '口径');
    expect(definitions.some((r) => String(r[0]).startsWith('按时派遣率'))).toBe(true);
    // the period in Beijing time: [2025-03-01 00:00, 2025-04-01 00:00) there, not "2025-02-28T16:00:00.000Z"
    const periodRow = definitions.find((r) => String(r[0]).startsWith('统计期'))!;
    expect(String(periodRow[1])).toMatch(/^2025-03-01 00:00:00 至 2025-04-01 00:00:00（不含）北京时间/);
    expect(definitions.flat().join(' ')).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);

    // rate cells are numbers under a percent format; minutes and counts are not percentages
    const xml = await zipTexts(bytes);
    const formats = cellFormats(xml.get('xl/styles.xml')!);
    const cells = sheetCells(xml.get('xl/worksheets/sheet1.xml')!);
    let rates = 0;
    for (const c of cells) {
      if (c.row === 1) continue;
      const h = header[c.col]!;
      if (ratioHeaders.has(h)) {
        rates += 1;
        expect(c.type, `${c.ref} ${h}`).toBe('n');
        expect(formats[c.style], `${c.ref} ${h}`).toMatch(/^0(\.0+)?%$/);
      } else if (/分钟|minutes|数 \(/.test(h)) expect(formats[c.style] ?? '', `${c.ref} ${h}`).not.toMatch(/%/);
    }
    expect(rates).toBeGreaterThan(0);
  });
});

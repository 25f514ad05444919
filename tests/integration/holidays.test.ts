import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CN_CALENDAR } from '#shared/time/holidays-cn.ts';
import { chinaYear, serverCalendar } from '../../server/holidays/service.ts';
import { testApp } from '../support/app.ts';
import { call, login, type Session, sleep } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
const mode = inject('databaseMode');
let app: FastifyInstance;
let admin: Session;

beforeAll(async () => {
  app = await testApp(db);
  admin = await login(app, 'admin');
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const URL = '/api/admin/holidays';
/** Test data shaped like a State Council notice — not the official 2027 schedule. 2027-01-01 is a Friday. */
const Y2027 = {
  holidays: ['2027-01-01', '2027-01-02', '2027-01-03', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12'],
  workdays: ['2027-02-20'],
  source: '测试数据 (test data)',
};

const put = (year: number | string, body: unknown, s: Session | null = admin, headers?: Record<string, string>) =>
  call(app, s, { method: 'PUT', url: `${URL}/${year}`, body, headers });
const stored = async (year: number) =>
  (await db.pool.query<{ holidays: string[] }>(`SELECT holidays::text[] AS holidays FROM holiday_years WHERE year = $1`, [year])).rows[0] ?? null;
const audits = async () => (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM admin_audit WHERE action = 'calendar.year_set'`)).rows[0]!.n;

/** A case of 积存垃圾渣土 (0103: 2 working days) whose deadline is Wednesday 30 December 2026, 18:00, then extended by 2 working days. */
async function extendedOverNewYear(): Promise<string> {
  const dispatcher = await login(app, 'dispatcher');
  const made = await call(app, dispatcher, {
    url: '/api/incidents',
    body: { category: '0103', source: 'dispatcher', description: '节假日测试', lon: 104.0835, lat: 30.6545, register: true },
  });
  expect(made.status, made.body).toBe(201);
  const id = made.json.incident.id as number;
  await db.pool.query(`UPDATE incidents SET deadline = '2026-12-30T18:00:00+08:00' WHERE id = $1`, [id]);
  const ext = await call(app, await login(app, 'supervisor'), { url: `/api/incidents/${id}/extend`, body: { extendBy: 2, reason: '跨年测试' } });
  expect(ext.status, ext.body).toBe(200);
  const row = (await db.pool.query<{ deadline: Date }>(`SELECT deadline FROM incidents WHERE id = $1`, [id])).rows[0]!;
  return row.deadline.toISOString();
}

describe(`the holiday calendar (节假日安排) as data (${mode} database)`, () => {
  it('is for administrators only', async () => {
    expect((await call(app, null, { url: URL })).status).toBe(401);
    expect((await put(2027, Y2027, null)).status).toBe(401);
    for (const role of ['dispatcher', 'supervisor', 'leader', 'officer']) {
      const s = await login(app, role);
      const list = await call(app, s, { url: URL });
      expect(list.status, role).toBe(403);
      expect(list.json.message).toContain(`role ${role} may not`);
      expect((await put(2027, Y2027, s)).status, role).toBe(403);
    }
    expect(await stored(2027)).toBeNull();
  });

  it('lists the years the migration stored (those of CN_CALENDAR) and warns that next year is missing', async () => {
    const res = await call(app, admin, { url: URL });
    expect(res.status, res.body).toBe(200);
    const years = res.json.years as { year: number; holidays: string[]; workdays: string[]; updatedBy: number | null }[];
    expect(years.map((y) => y.year)).toEqual([2025, 2026]);
    for (const y of years) {
      expect(y.holidays).toEqual(CN_CALENDAR.holidays.filter((d) => d.startsWith(`${y.year}-`)));
      expect(y.workdays).toEqual(CN_CALENDAR.workdays.filter((d) => d.startsWith(`${y.year}-`)));
      expect(y.updatedBy).toBeNull();
    }
    // only 2025 and 2026 are stored, so from 2026 on next year is always missing
    const next = chinaYear(new Date()) + 1;
    expect(res.json.missingYears).toContain(next);
    expect(res.json.warning).toContain(`No holiday schedule for ${next} (next year)`);
    expect(res.json.today).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('refuses bad input with a message saying what to fix, and stores nothing', async () => {
    const auditsBefore = await audits();
    const bad: [number | string, unknown, RegExp][] = [
      [2027, { ...Y2027, holidays: ['2027-1-1'] }, /"2027-1-1" is not a date: write YYYY-MM-DD/],
      [2027, { ...Y2027, holidays: ['2027-02-30'] }, /"2027-02-30" is not a date/],
      [2027, { ...Y2027, holidays: [...Y2027.holidays, '2026-12-31'] }, /2026-12-31 is not in 2027/],
      [2027, { ...Y2027, workdays: ['2028-01-08'] }, /workdays: 2028-01-08 is not in 2027/],
      [2027, { ...Y2027, workdays: ['2027-02-06'] }, /2027-02-06 is both a holiday and a make-up workday/],
      [2027, { ...Y2027, workdays: ['2027-02-08'] }, /workdays: 2027-02-08 is a Monday: make-up working days \(调休上班\) are Saturdays or Sundays/],
      [2027, { ...Y2027, holidays: [...Y2027.holidays, '2027-01-01'] }, /2027-01-01 is listed twice/],
      [2027, { ...Y2027, holidays: [] }, /holidays: none given/],
      [
        2027,
        { ...Y2027, holidays: Array.from({ length: 45 }, (_, i) => new Date(Date.UTC(2027, 6, 1 + i)).toISOString().slice(0, 10)) },
        /45 days is more than 40/,
      ],
      [2027, { holidays: Y2027.holidays }, /workdays/],
      [2027, { ...Y2027, colour: 'red' }, /colour/],
      [1990, Y2027, /year/],
      ['next', Y2027, /year/],
    ];
    for (const [year, body, message] of bad) {
      const res = await put(year, body);
      expect(res.status, `${year} ${JSON.stringify(body)}`).toBe(400);
      expect(res.json.message).toMatch(message);
    }
    // CSV: a kind that is neither 休 nor 班
    const csv = await put(2027, '2027-01-01,休\n2027-01-02,假\n', admin, { 'content-type': 'text/csv' });
    expect(csv.status).toBe(400);
    expect(csv.json.message).toMatch(/line 2: kind "假" is neither 休\/holiday nor 班\/workday/);
    expect(await stored(2027)).toBeNull();
    expect(await audits()).toBe(auditsBefore);
  });

  it('stores 2027, audits it, stops warning about it, and the deadlines the server computes count its holidays at once', async () => {
    // without 2027 stored, Friday 1 January 2027 is a working day: Thu 31 Dec + Fri 1 Jan
    expect(await extendedOverNewYear()).toBe('2027-01-01T10:00:00.000Z');

    const res = await put(2027, { ...Y2027, holidays: [...Y2027.holidays].reverse() });
    expect(res.status, res.body).toBe(200);
    expect(res.json).toMatchObject({ year: 2027, holidays: Y2027.holidays, workdays: Y2027.workdays, source: Y2027.source, updatedBy: admin.user.id });
    const audit = (
      await db.pool.query(`SELECT actor_user_id AS actor, target, before, after FROM admin_audit WHERE action = 'calendar.year_set' ORDER BY id DESC LIMIT 1`)
    ).rows[0];
    expect(audit).toEqual({ actor: admin.user.id, target: 'holiday_years/2027', before: null, after: Y2027 });

    const list = (await call(app, admin, { url: URL })).json;
    expect(list.years.map((y: { year: number }) => y.year)).toEqual([2025, 2026, 2027]);
    expect(list.missingYears).not.toContain(2027);
    if (chinaYear(new Date()) === 2026) expect(list.warning).toBeNull();

    // now 1 January is a holiday and 2–3 January a weekend: Thu 31 Dec + Mon 4 Jan
    expect(await extendedOverNewYear()).toBe('2027-01-04T10:00:00.000Z');

    // saving the same days again changes nothing and is not audited again
    const auditsBefore = await audits();
    expect((await put(2027, Y2027)).status).toBe(200);
    expect(await audits()).toBe(auditsBefore);
  });

  it('takes a year as text/csv (date,kind with 休/班 or holiday/workday), audited with before and after', async () => {
    const text = '\uFEFFdate,kind\r\n2027-01-01,休\r\n2027-01-02,holiday\r\n# 春节\r\n\r\n2027-02-06,休\r\n2027-02-20,班\r\n2027-02-21,workday\r\n';
    const res = await put(2027, text, admin, { 'content-type': 'text/csv; charset=utf-8' });
    expect(res.status, res.body).toBe(200);
    expect(res.json).toMatchObject({ holidays: ['2027-01-01', '2027-01-02', '2027-02-06'], workdays: ['2027-02-20', '2027-02-21'], source: null });
    const audit = (await db.pool.query(`SELECT before, after FROM admin_audit WHERE action = 'calendar.year_set' ORDER BY id DESC LIMIT 1`)).rows[0];
    expect(audit.before).toEqual(Y2027);
    expect(audit.after.workdays).toEqual(['2027-02-20', '2027-02-21']);
    expect(serverCalendar().workdays).toContain('2027-02-21');
    // back to the JSON data for what follows
    expect((await put(2027, Y2027)).status).toBe(200);
  });

  it.skipIf(mode === 'embedded')('reloads when another instance tells of a change (NOTIFY zhihui_calendar)', async () => {
    // another instance stored a change: it commits, then notifies
    await db.pool.query(`UPDATE holiday_years SET workdays = workdays || '2027-02-27'::date WHERE year = 2027`);
    expect(serverCalendar().workdays).not.toContain('2027-02-27');
    await db.pool.query(`SELECT pg_notify('zhihui_calendar', $1)`, [JSON.stringify({ from: 'another-instance', data: { year: 2027 } })]);
    for (let i = 0; i < 50 && !serverCalendar().workdays.includes('2027-02-27'); i++) await sleep(100);
    expect(serverCalendar().workdays).toContain('2027-02-27');
  });
});

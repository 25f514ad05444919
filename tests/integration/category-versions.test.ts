import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testApp } from '../support/app.ts';
import { call, login, type Session } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
const mode = inject('databaseMode');
let app: FastifyInstance;
let admin: Session;
let dispatcher: Session;
let original = '';

const SPOT: [number, number] = [104.0835, 30.6545]; // 锦江区
const BASE = '/api/admin/categories/versions';

beforeAll(async () => {
  app = await testApp(db);
  admin = await login(app, 'admin');
  dispatcher = await login(app, 'dispatcher');
  original = (await db.pool.query<{ version: string }>(`SELECT version FROM category_catalogs WHERE is_current`)).rows[0]!.version;
});
afterAll(async () => {
  // the file's database as it was: the shipped version current again (through the API, so the caches follow)
  if (original) await call(app, admin, { url: `${BASE}/${original}/activate`, body: {} });
  await app.close();
  await db.close();
});

const entry = (minor: string, over: Record<string, unknown> = {}) => ({
  major: minor.slice(0, 2),
  majorZh: minor.startsWith('01') ? '市容环境' : '街面秩序',
  majorEn: minor.startsWith('01') ? 'City appearance' : 'Street order',
  minor,
  zh: `小类 ${minor}`,
  en: `Category ${minor}`,
  timeLimit: 2,
  timeType: 'working_days',
  enforcement: false,
  basePriority: 20,
  ...over,
});
const jsonVersion = (
  version: string,
  entries: unknown[] = [entry('0101', { enforcement: true }), entry('0501', { timeLimit: 4, timeType: 'working_hours' })],
) => ({
  version,
  name: `测试目录 ${version}`,
  effectiveFrom: '2027-01-01',
  entries,
});
const postCsv = (csv: string | Buffer, q = 'version=csv-v1&name=CSV%E7%9B%AE%E5%BD%95&effectiveFrom=2027-02-01', type = 'text/csv') =>
  call(app, admin, { url: `${BASE}?${q}`, body: csv, headers: { 'content-type': type } });

const CSV_HEADER = '大类代码,大类名称,小类代码,小类名称,处置时限,时限类型,是否执法';

const counts = async () =>
  (
    await db.pool.query<{ v: number; c: number; a: number }>(`
      SELECT (SELECT count(*)::int FROM category_catalogs) AS v, (SELECT count(*)::int FROM categories) AS c,
             (SELECT count(*)::int FROM admin_audit WHERE action LIKE 'category.%') AS a`)
  ).rows[0]!;

describe(`category catalogue versions (${mode} database)`, () => {
  it('is for administrators only: 401 without a login, 403 for other roles', async () => {
    const routes = [
      { url: BASE },
      { url: `${BASE}/${original}` },
      { url: BASE, body: jsonVersion('role-test') },
      { url: `${BASE}/${original}/activate`, body: {} },
    ];
    for (const r of routes) {
      expect((await call(app, null, r)).status, r.url).toBe(401);
      for (const role of ['dispatcher', 'supervisor', 'leader', 'officer']) {
        const res = await call(app, role === 'dispatcher' ? dispatcher : await login(app, role), r);
        expect(res.status, `${role} ${r.url}`).toBe(403);
      }
    }
    expect((await db.pool.query(`SELECT 1 FROM category_catalogs WHERE version = 'role-test'`)).rowCount).toBe(0);
  });

  it('lists the versions with the current one marked, and reads one as GET /api/categories does', async () => {
    const list = await call(app, admin, { url: BASE });
    expect(list.status, list.body).toBe(200);
    const cur = (list.json as { version: string; isCurrent: boolean; categories: number; cases: number }[]).filter((v) => v.isCurrent);
    expect(cur).toHaveLength(1);
    expect(cur[0]!.version).toBe(original);
    expect(cur[0]!.categories).toBeGreaterThan(10);
    const one = await call(app, admin, { url: `${BASE}/${original}` });
    expect(one.status).toBe(200);
    const pub = await call(app, dispatcher, { url: '/api/categories' });
    expect(one.json.classes).toEqual(pub.json.classes);
    expect(one.json).toMatchObject({ version: original, isCurrent: true });
    expect((await call(app, admin, { url: `${BASE}/nope` })).status).toBe(404);
  });

  it('creates a version from JSON (not current), audited', async () => {
    const res = await call(app, admin, { url: BASE, body: jsonVersion('json-v1') });
    expect(res.status, res.body).toBe(201);
    expect(res.json).toMatchObject({ version: 'json-v1', name: '测试目录 json-v1', effectiveFrom: '2027-01-01', isCurrent: false });
    expect(res.json.classes).toEqual([
      { major: '01', zh: '市容环境', en: 'City appearance', entries: [expect.objectContaining({ minor: '0101', enforcement: true, timeLimit: 2 })] },
      { major: '05', zh: '街面秩序', en: 'Street order', entries: [expect.objectContaining({ minor: '0501', timeLimit: 4, timeType: 'working_hours' })] },
    ]);
    const listed = (await call(app, admin, { url: BASE })).json.find((v: { version: string }) => v.version === 'json-v1');
    expect(listed).toMatchObject({ isCurrent: false, categories: 2, cases: 0 });
    const audit = await db.pool.query(`SELECT target, after FROM admin_audit WHERE action = 'category.version_create' ORDER BY id DESC LIMIT 1`);
    expect(audit.rows[0]).toMatchObject({ target: 'category_catalogs/json-v1', after: { categories: 2 } });
    // a version id is never reused
    const again = await call(app, admin, { url: BASE, body: jsonVersion('json-v1') });
    expect(again.status).toBe(409);
    expect(again.json.message).toMatch(/exists already/);
  });

  it('creates a version from a CSV upload (UTF-8 with BOM, Chinese headers and time types)', async () => {
    const csv = Buffer.from(
      '\uFEFF' +
        [
          CSV_HEADER + ',基础优先级',
          '01,市容环境,0101,私搭乱建,4,工作时,是,40',
          '04,突发事件,0401,路面塌陷,1,紧急工时,否,90',
          '"05","街面秩序","0510","露天烧烤, 夜市",2,natural_days,否,',
        ].join('\r\n') +
        '\r\n',
      'utf8',
    );
    const res = await postCsv(csv, undefined, 'text/csv; charset=utf-8');
    expect(res.status, res.body).toBe(201);
    expect(res.json).toMatchObject({ version: 'csv-v1', name: 'CSV目录', effectiveFrom: '2027-02-01', isCurrent: false });
    const entries = res.json.classes.flatMap((c: { entries: unknown[] }) => c.entries);
    expect(entries).toEqual([
      // the file says nothing of construction (是否违建): 0101 keeps the mark the catalogue in force gives it
      { minor: '0101', zh: '私搭乱建', en: '', timeLimit: 4, timeType: 'working_hours', enforcement: true, basePriority: 40, construction: true },
      { minor: '0401', zh: '路面塌陷', en: '', timeLimit: 1, timeType: 'emergency_hours', enforcement: false, basePriority: 90 },
      { minor: '0510', zh: '露天烧烤, 夜市', en: '', timeLimit: 2, timeType: 'natural_days', enforcement: false, basePriority: 0 },
    ]);
  });

  it('refuses every bad input with a 400 that says what to fix, and stores nothing', async () => {
    const before = await counts();
    const bad: [string, () => ReturnType<typeof call>, RegExp][] = [
      [
        'minor not of its class',
        () => call(app, admin, { url: BASE, body: jsonVersion('bad-1', [entry('0101', { minor: '0501' })]) }),
        /0501 does not start with its class code 01/,
      ],
      [
        'minor of 3 digits',
        () => call(app, admin, { url: BASE, body: jsonVersion('bad-2', [entry('0101', { minor: '101' })]) }),
        /"101" is not 4 digits.*leading zeros/,
      ],
      [
        'time limit too long for its type',
        () => call(app, admin, { url: BASE, body: jsonVersion('bad-3', [entry('0101', { timeLimit: 100, timeType: 'working_hours' })]) }),
        /100 working hours \(工作时\) is more than 80/,
      ],
      ['time limit 0', () => call(app, admin, { url: BASE, body: jsonVersion('bad-4', [entry('0101', { timeLimit: 0 })]) }), /timeLimit/],
      [
        'duplicate minor',
        () => call(app, admin, { url: BASE, body: jsonVersion('bad-5', [entry('0101'), entry('0101')]) }),
        /0101 is already used at entries\[0\]/,
      ],
      ['unknown time type', () => call(app, admin, { url: BASE, body: jsonVersion('bad-6', [entry('0101', { timeType: 'weeks' })]) }), /timeType/],
      ['version id against the CHECK', () => call(app, admin, { url: BASE, body: jsonVersion('bad version!') }), /version/],
      ['empty catalogue', () => call(app, admin, { url: BASE, body: jsonVersion('bad-8', []) }), /at least one minor class/],
      [
        'one class with two names',
        () => call(app, admin, { url: BASE, body: jsonVersion('bad-9', [entry('0101'), entry('0102', { majorZh: '别名' })]) }),
        /one name per class/,
      ],
      [
        'CSV: unknown time type',
        () => postCsv(`${CSV_HEADER}\n01,市容环境,0101,私搭乱建,4,工作周,是\n`),
        /line 2: time type \(时限类型\) "工作周" is not known/,
      ],
      ['CSV: missing column', () => postCsv('大类代码,大类名称,小类代码,小类名称,处置时限\n01,市容环境,0101,私搭乱建,4\n'), /missing columns 时限类型/],
      ['CSV: only a header', () => postCsv(`${CSV_HEADER}\n`), /at least one minor class/],
      ['CSV: time limit not a number', () => postCsv(`${CSV_HEADER}\n01,市容环境,0101,私搭乱建,四,工作日,是\n`), /"四" is not a number/],
      [
        'CSV: no version in the query',
        () => postCsv(`${CSV_HEADER}\n01,市容环境,0101,私搭乱建,4,工作日,是\n`, 'name=x'),
        /give version, effectiveFrom in the query/,
      ],
      [
        'CSV: version id taken',
        () => postCsv(`${CSV_HEADER}\n01,市容环境,0101,私搭乱建,4,工作日,是\n`, 'version=json-v1&name=x&effectiveFrom=2027-01-01'),
        /exists already/,
      ],
    ];
    for (const [label, send, message] of bad) {
      const res = await send();
      expect([400, 409], `${label}: ${res.body}`).toContain(res.status);
      expect(res.json.message, label).toMatch(message);
    }
    expect(await counts()).toEqual(before);
  });

  it('activates a version: intake uses it from then on, cases created before keep theirs; audited', async () => {
    const report = async (description: string) => {
      const res = await call(app, dispatcher, {
        url: '/api/incidents',
        body: { category: '0101', source: 'dispatcher', description, lon: SPOT[0], lat: SPOT[1] },
      });
      expect(res.status, res.body).toBe(201);
      return res.json.incident.id as number;
    };
    const versionOf = async (id: number) =>
      (
        await db.pool.query<{ kept: string; viaCategory: string }>(
          `SELECT i.catalog_version AS kept, c.catalog_version AS "viaCategory" FROM incidents i JOIN categories c ON c.id = i.category_id WHERE i.id = $1`,
          [id],
        )
      ).rows[0];
    const before = await report('目录切换前');
    const res = await call(app, admin, { url: `${BASE}/json-v1/activate`, body: {} });
    expect(res.status, res.body).toBe(200);
    expect(res.json).toMatchObject({ version: 'json-v1', isCurrent: true, categories: 2 });
    const current = (await db.pool.query(`SELECT version FROM category_catalogs WHERE is_current`)).rows;
    expect(current).toEqual([{ version: 'json-v1' }]);
    const pub = await call(app, dispatcher, { url: '/api/categories' });
    expect(pub.json).toMatchObject({ version: 'json-v1', name: '测试目录 json-v1' });
    expect(pub.json.classes.flatMap((c: { entries: { minor: string }[] }) => c.entries.map((e) => e.minor))).toEqual(['0101', '0501']);
    const after = await report('目录切换后');
    expect(await versionOf(before)).toEqual({ kept: original, viaCategory: original });
    expect(await versionOf(after)).toEqual({ kept: 'json-v1', viaCategory: 'json-v1' });
    // a code only the old version has is refused now
    const gone = await call(app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0102', source: 'dispatcher', description: '旧代码', lon: SPOT[0], lat: SPOT[1] },
    });
    expect(gone.status).toBe(400);
    expect(gone.json.message).toMatch(/0101, 0501/);
    const list = (await call(app, admin, { url: BASE })).json as { version: string; isCurrent: boolean; cases: number }[];
    expect(list.find((v) => v.version === 'json-v1')).toMatchObject({ isCurrent: true, cases: 1 });
    expect(list.find((v) => v.version === original)).toMatchObject({ isCurrent: false });
    const audit = await db.pool.query(`SELECT target, before, after FROM admin_audit WHERE action = 'category.version_activate' ORDER BY id DESC LIMIT 1`);
    expect(audit.rows[0]).toEqual({ target: 'category_catalogs/json-v1', before: { current: original }, after: { current: 'json-v1' } });
    // activating the current one again changes nothing and writes no audit row
    const n = (await counts()).a;
    expect((await call(app, admin, { url: `${BASE}/json-v1/activate`, body: {} })).status).toBe(200);
    expect((await counts()).a).toBe(n);
    expect((await call(app, admin, { url: `${BASE}/nope/activate`, body: {} })).status).toBe(404);

    // back to the shipped version: the case made under json-v1 keeps json-v1
    expect((await call(app, admin, { url: `${BASE}/${original}/activate`, body: {} })).status).toBe(200);
    expect((await call(app, dispatcher, { url: '/api/categories' })).json.version).toBe(original);
    expect(await versionOf(after)).toEqual({ kept: 'json-v1', viaCategory: 'json-v1' });
  });
});

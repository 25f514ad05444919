// Place search over the demo city's gazetteer (issue 15): what a dispatcher types — roads in full and
// in part, intersections in either order and in the usual forms, typos, grid codes, key areas,
// communities, streets, districts — each with the first answer it must give; the route's 400s; and
// the SQL normalization agreeing with the TypeScript one.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PlaceHit, PlaceKind } from '#shared/geocode/contract.ts';
import { bigrams, normalizePlaceText } from '#shared/geocode/normalize.ts';
import { searchPlaces } from '../../server/geocode/service.ts';
import { loadOsmIntersections } from '../../server/seed/osm-roads.ts';
import { testApp } from '../support/app.ts';
import { login } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
let app: FastifyInstance;
let token = '';
/**
 * The grid cell, community and street under the junction: the demo city draws them with PostGIS's
 * random points, so their codes and numbering differ between PostGIS versions (and so databases).
 */
const at: Record<string, string> = {};
beforeAll(async () => {
  app = await testApp(db);
  token = (await login(app, 'dispatcher')).token;
  const junction = loadOsmIntersections().find((i) => i.name === JUNCTION)!;
  const r = await db.pool.query<{ grid: string; community: string; street: string }>(
    `SELECT g.code AS grid, c.name AS community, s.name AS street FROM grid_cells g
     JOIN communities c ON c.code = g.community_code JOIN streets s ON s.code = c.street_code
     WHERE g.valid_to IS NULL AND ST_Covers(g.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))`,
    junction.coordinates,
  );
  Object.assign(at, r.rows[0]);
  at.grid14 = at.grid!.slice(0, 14);
  at.grid13 = at.grid!.slice(0, 13);
  at.fullWidth = [...at.grid!].map((d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)).join('');
});
/** `{grid}` → the grid code under the junction, and so on */
const fill = (s: string) => s.replace(/\{(\w+)\}/g, (_, k: string) => at[k] ?? `{${k}}`);
afterAll(async () => {
  await app.close();
  await db.close();
});

const get = (url: string, auth = true) => app.inject({ method: 'GET', url, headers: auth ? { authorization: `Bearer ${token}` } : {} });

/** 玉林 (the map's centre in the new-case test), and 天府广场 far to the north */
const YULIN = { lon: 104.0639, lat: 30.632 };
const TIANFU = { lon: 104.0657, lat: 30.6598 };
const JUNCTION = '人民南路四段与玉林东路交叉口';

type Case = [q: string, kind: PlaceKind, name: string | RegExp, near?: { lon: number; lat: number }];
const CASES: Case[] = [
  // roads, in full
  ['人民南路四段', 'road', '人民南路四段'],
  ['玉林东路', 'road', '玉林东路'],
  ['浆洗街', 'road', '浆洗街'],
  ['红星路四段', 'road', '红星路四段'],
  ['二环路南三段', 'road', '二环路南三段'],
  ['武侯祠大街', 'road', '武侯祠大街'],
  ['玉林街', 'road', '玉林街'],
  ['  玉林街 ', 'road', '玉林街'],
  // roads, in part: the nearest of equal matches first
  ['人民南', 'road', /^人民南路[一二三四]段$/],
  ['人民南', 'road', '人民南路四段', YULIN],
  ['浆洗', 'road', '浆洗街'],
  ['武侯祠', 'road', '武侯祠大街'],
  ['倪家桥', 'road', '倪家桥路'],
  ['人南', 'road', '人南立交'],
  // intersections, both orders, every form
  [JUNCTION, 'intersection', JUNCTION],
  ['人民南路四段与玉林东路', 'intersection', JUNCTION],
  ['玉林东路与人民南路四段', 'intersection', JUNCTION],
  ['玉林东路和人民南路四段', 'intersection', JUNCTION],
  ['人民南路四段和玉林东路', 'intersection', JUNCTION],
  ['玉林东路与人民南路四段交叉口', 'intersection', JUNCTION],
  ['玉林东路/人民南路四段路口', 'intersection', JUNCTION],
  ['人民南路四段/玉林东路', 'intersection', JUNCTION],
  ['人民南路四段 玉林东路', 'intersection', JUNCTION],
  ['玉林东路 人民南路四段', 'intersection', JUNCTION],
  ['玉林东路、人民南路四段', 'intersection', JUNCTION],
  ['人民南路四段路口玉林东路', 'intersection', JUNCTION],
  ['玉林东路口人民南路四段', 'intersection', JUNCTION],
  ['浆洗街与洗面桥街', 'intersection', '洗面桥街与浆洗街交叉口'],
  ['浆洗街和洗面桥街路口', 'intersection', '洗面桥街与浆洗街交叉口'],
  ['蓝天路和华姿路', 'intersection', '华姿路与蓝天路交叉口'],
  ['林荫街与人民南路三段', 'intersection', '人民南路三段与林荫街交叉口'],
  // typos: one character wrong, missing or extra
  ['人民南路四断', 'road', '人民南路四段'],
  ['武侯祠大接', 'road', '武侯祠大街'],
  ['二环路南山段', 'road', '二环路南三段'],
  ['二环路南段', 'road', /^二环路南/],
  ['武侯祠大大街', 'road', '武侯祠大街'],
  ['玉林东路和人民南路四断', 'intersection', JUNCTION],
  ['人民南路四段与玉林冬路', 'intersection', JUNCTION],
  // grid codes, whole and their first digits (the cell under the junction)
  ['{grid}', 'grid', '{grid}'],
  ['{grid14}', 'grid', /^\d{15}$/],
  ['{grid13}', 'grid', /^\d{15}$/],
  // key areas, in full and in part
  ['天府广场', 'key_area', '天府广场'],
  ['宽窄巷子', 'key_area', '宽窄巷子'],
  ['太古里', 'key_area', '春熙路·太古里'],
  ['春熙路太古里', 'key_area', '春熙路·太古里'],
  ['荷花池', 'key_area', '荷花池市场'],
  ['文殊院', 'key_area', '文殊院'],
  // communities, streets, districts
  ['{street}', 'street', '{street}'],
  ['{community}', 'community', '{community}'],
  ['武侯区', 'district', '武侯区'],
  ['锦江区', 'district', '锦江区'],
  // a road and house number where no address points exist: the road
  ['玉林街12号', 'road', '玉林街'],
  // full-width and Latin forms
  ['{fullWidth}', 'grid', '{grid}'],
];

describe(`place search over the demo city (${inject('databaseMode')} database)`, () => {
  it.each(CASES.map(([q, kind, name, near]) => ({ q, kind, name, near })))('“$q” → $kind $name', async ({ q: typed, kind, name, near }) => {
    const q = fill(typed);
    const hits = await searchPlaces(db.pool, { q, lon: near?.lon ?? null, lat: near?.lat ?? null, limit: 5 });
    expect(hits.length, JSON.stringify(hits)).toBeGreaterThan(0);
    const first = hits[0]!;
    expect({ kind: first.kind, q }).toEqual({ kind, q });
    if (typeof name === 'string') expect(first.name).toBe(fill(name));
    else expect(first.name).toMatch(name);
    if (typed.startsWith('{grid1')) expect(first.name.startsWith(q)).toBe(true);
    // scores are 0–1 and the hits come best first
    for (const [i, h] of hits.entries()) {
      expect(h.score).toBeGreaterThan(0);
      expect(h.score).toBeLessThanOrEqual(1);
      if (i) expect(h.score).toBeLessThanOrEqual(hits[i - 1]!.score);
    }
  });

  it('has at least 40 queries', () => expect(CASES.length).toBeGreaterThanOrEqual(40));

  it('finds nothing for places that do not exist', async () => {
    for (const q of ['不存在的火星路', '火星路', '月球南路五段', '北京长安街与王府井大街交叉口', 'zzzz', '999999']) {
      expect(await searchPlaces(db.pool, { q, lon: null, lat: null, limit: 5 }), q).toEqual([]);
    }
  });

  it('puts the intersection hit on the intersection', async () => {
    const junction = loadOsmIntersections().find((i) => i.name === JUNCTION)!;
    const [hit] = await searchPlaces(db.pool, { q: '玉林东路和人民南路四段', lon: YULIN.lon, lat: YULIN.lat, limit: 1 });
    expect(hit!.lon).toBeCloseTo(junction.coordinates[0], 6);
    expect(hit!.lat).toBeCloseTo(junction.coordinates[1], 6);
    expect(hit!.context).toMatch(/^武侯区/);
  });

  it('ranks equal matches by nearness to the context', async () => {
    const a = await searchPlaces(db.pool, { q: '人民南路', lon: YULIN.lon, lat: YULIN.lat, limit: 3 });
    const b = await searchPlaces(db.pool, { q: '人民南路', lon: TIANFU.lon, lat: TIANFU.lat, limit: 3 });
    expect(a[0]!.name).toBe('人民南路四段');
    expect(b[0]!.name).not.toBe('人民南路四段');
  });

  it('holds every current grid cell, street, community, district and listed key area, and the named roads and intersections', async () => {
    const one = async (sql: string) => Number((await db.pool.query<{ n: string }>(sql)).rows[0]!.n);
    const kinds = async (kind: string) => one(`SELECT count(*) AS n FROM gazetteer WHERE kind = '${kind}'`);
    expect(await kinds('grid')).toBe(await one(`SELECT count(*) AS n FROM grid_cells WHERE valid_to IS NULL`));
    expect(await kinds('street')).toBe(await one(`SELECT count(*) AS n FROM streets`));
    expect(await kinds('community')).toBe(await one(`SELECT count(*) AS n FROM communities`));
    expect(await kinds('district')).toBe(5);
    expect(await kinds('key_area')).toBeGreaterThan(5);
    expect(await kinds('road')).toBeGreaterThan(100);
    expect(await kinds('intersection')).toBeGreaterThan(150);
    // one entry per road name, its segments merged
    expect(await one(`SELECT count(*) - count(DISTINCT name) AS n FROM gazetteer WHERE kind = 'road'`)).toBe(0);
    expect(await one(`SELECT count(*) AS n FROM gazetteer WHERE kind = 'road' AND context IS NULL`)).toBe(0);
  });

  it('normalizes and cuts bigrams in SQL exactly as in TypeScript', async () => {
    const samples = ['人民南路 ４段（Ａ/b）', '春熙路·太古里', '玉林街 12 号', 'ＡＢｃ\u3000d-e_f', 'x', '锦江演示街道01·社区02'];
    for (const s of samples) {
      const r = await db.pool.query<{ norm: string; grams: string[] }>(`SELECT gazetteer_norm($1) AS norm, gazetteer_grams(gazetteer_norm($1)) AS grams`, [s]);
      expect(r.rows[0]!.norm, s).toBe(normalizePlaceText(s));
      expect([...r.rows[0]!.grams].sort(), s).toEqual(bigrams(normalizePlaceText(s)).sort());
    }
  });
});

describe(`GET /api/geocode/search (${inject('databaseMode')} database)`, () => {
  it('answers { hits } for a logged-in user', async () => {
    const res = await get(`/api/geocode/search?q=${encodeURIComponent('玉林东路和人民南路四段')}&lon=104.0639&lat=30.632&limit=3`);
    expect(res.statusCode).toBe(200);
    const body = res.json() as { hits: PlaceHit[] };
    expect(body.hits[0]).toMatchObject({ kind: 'intersection', name: JUNCTION });
    expect(body.hits.length).toBeLessThanOrEqual(3);
  });

  it('answers an empty list for an unknown place', async () => {
    const res = await get(`/api/geocode/search?q=${encodeURIComponent('不存在的火星路')}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ hits: [] });
  });

  it('needs a login', async () => {
    expect((await get(`/api/geocode/search?q=${encodeURIComponent('玉林')}`, false)).statusCode).toBe(401);
  });

  it.each([
    ['an empty q', 'q=', /q/],
    ['no q', 'lon=104&lat=30', /q/],
    ['a q of only spaces and punctuation', `q=${encodeURIComponent(' ，。 ')}`, /q must name a place/],
    ['an overlong q', `q=${encodeURIComponent('人'.repeat(65))}`, /q/],
    ['lon without lat', `q=${encodeURIComponent('玉林')}&lon=104`, /lon and lat/],
    ['lat out of range', `q=${encodeURIComponent('玉林')}&lon=104&lat=91`, /lat/],
    ['a limit over 50', `q=${encodeURIComponent('玉林')}&limit=51`, /limit/],
  ])('400 for %s, saying what is wrong', async (_label, query, message) => {
    const res = await get(`/api/geocode/search?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
  });
});

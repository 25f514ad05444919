import { point, pointToPolygonDistance, bbox as turfBbox } from '@turf/turf';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testApp } from '../support/app.ts';
import { login } from '../support/clients.ts';
import { testDatabase, seedCounts } from '../support/database.ts';

const db = testDatabase();
let app: FastifyInstance;
let token = '';
beforeAll(async () => {
  app = await testApp(db);
  token = (await login(app, 'dispatcher')).token;
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
type FC = {
  type: string;
  truncated?: boolean;
  features: { id: number; geometry: { type: string; coordinates: unknown }; properties: Record<string, unknown> }[];
};
const TIANFU = '104.055,30.650,104.075,30.668';

describe(`map read API on the ${inject('databaseMode')} database`, () => {
  it('reports health: database mode, PostgreSQL and PostGIS versions, migrations', async () => {
    const res = await get('/api/health');
    expect(res.statusCode).toBe(200);
    const h = res.json();
    expect(h.database.mode).toBe(inject('databaseMode'));
    expect(h.database.postgis).toMatch(/^3\.\d+\.\d+/);
    expect(h.database.postgres).toMatch(/^1[5-9]\./);
    expect(h.migrations.pending).toBe(0);
    expect(h.migrations.applied).toBeGreaterThanOrEqual(5);
    expect(h.demo.seeded).toBe(true);
  });

  it('serves districts as GeoJSON with their grid cell counts', async () => {
    const fc = (await get('/api/districts')).json() as FC;
    expect(fc.features).toHaveLength(5);
    const total = fc.features.reduce((n, f) => n + (f.properties.gridCellCount as number), 0);
    expect(total).toBe(seedCounts().gridCells);
    expect(fc.features.every((f) => f.geometry.type === 'MultiPolygon')).toBe(true);
  });

  it('serves grid cells meeting a bbox, each one really there', async () => {
    const res = await get(`/api/grid-cells?bbox=${TIANFU}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const fc = res.json() as FC;
    expect(fc.truncated).toBe(false);
    expect(fc.features.length).toBeGreaterThan(200);
    const [w, s, e, n] = TIANFU.split(',').map(Number) as [number, number, number, number];
    for (const f of fc.features) {
      const [fw, fs, fe, fn] = turfBbox(f as never);
      expect(fw <= e && fe >= w && fs <= n && fn >= s, String(f.properties.code)).toBe(true);
      expect(f.properties.code).toMatch(/^\d{15}$/);
      expect(typeof f.properties.squadName).toBe('string');
    }
  });

  it('truncates at limit, keeps the cells nearest the centre of the view, and says so', async () => {
    const fc = (await get(`/api/grid-cells?bbox=${TIANFU}&limit=10`)).json() as FC;
    expect(fc.features).toHaveLength(10);
    expect(fc.truncated).toBe(true);
    const all = (await get(`/api/grid-cells?bbox=${TIANFU}`)).json() as FC;
    expect(fc.features.map((f) => f.id)).toEqual(all.features.slice(0, 10).map((f) => f.id));
    const [w, s, e, n] = TIANFU.split(',').map(Number) as [number, number, number, number];
    const centre = point([(w + e) / 2, (s + n) / 2]);
    const far = Math.max(...fc.features.map((f) => pointToPolygonDistance(centre, f as never, { units: 'meters' })));
    const kept = new Set(fc.features.map((f) => f.id));
    for (const f of all.features.filter((x) => !kept.has(x.id))) {
      expect(pointToPolygonDistance(centre, f as never, { units: 'meters' })).toBeGreaterThanOrEqual(far - 0.5);
    }
  });

  it('serves illegal buildings, key areas, squads and officers', async () => {
    const city = '103.8,30.4,104.4,30.9';
    const buildings = (await get(`/api/illegal-buildings?bbox=${city}`)).json() as FC;
    expect(buildings.features).toHaveLength(300);
    expect(new Set(buildings.features.map((f) => f.properties.kind))).toEqual(new Set(['stock', 'new']));
    const keyAreas = (await get('/api/key-areas')).json() as FC;
    expect(keyAreas.features.every((f) => f.properties.active === true)).toBe(true);
    const allAreas = (await get('/api/key-areas?all=true')).json() as FC;
    expect(allAreas.features.length).toBeGreaterThan(keyAreas.features.length);
    expect(keyAreas.features.map((f) => f.properties.name)).toContain('天府广场');
    const squads = (await get('/api/squads?district=510104')).json() as FC;
    expect(squads.features.length).toBeGreaterThanOrEqual(2);
    expect(squads.features.every((f) => f.properties.districtAdcode === '510104')).toBe(true);
    const officers = (await get('/api/officers?status=available')).json() as FC;
    expect(officers.features.length).toBeGreaterThan(20);
    expect(officers.features.every((f) => f.properties.dutyStatus === 'available' && f.geometry.type === 'Point')).toBe(true);
  });

  it.each([
    ['/api/grid-cells', /querystring: "bbox" is required/],
    ['/api/grid-cells?bbox=104.05,30.65,104.08', /4 comma-separated numbers/],
    ['/api/grid-cells?bbox=104.05,30.65,204.08,30.67', /maxLon 204.08 is out of range/],
    ['/api/grid-cells?bbox=104.08,30.65,104.05,30.67', /minLon 104.08 must be less than maxLon/],
    ['/api/grid-cells?bbox=90,10,110,40', /spans more than/],
    ['/api/grid-cells?bbox=104.05,30.65,104.08,30.67&limit=0', /limit must be >= 1/],
    ['/api/grid-cells?bbox=104.05,30.65,104.08,30.67&limit=100000', /limit must be <= 50000/],
    ['/api/grid-cells?bbox=104.05,30.65,104.08,30.67&limit=ten', /limit must be integer/],
    ['/api/illegal-buildings?bbox=a,b,c,d', /minLon is not a number/],
    ['/api/grid-cells?bbox=104.05,30.65,104.08,30.67&zoom=3', /unknown field "zoom"/],
    ['/api/officers?status=sleeping', /status must be one of \["off_duty","available","busy"\]/],
    ['/api/squads?district=5101', /district must match pattern/],
  ])('answers %s with a 400 that says what to fix', async (url, message) => {
    const res = await get(url);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
  });

  it('documents every route in the OpenAPI document', async () => {
    const doc = (await get('/docs/json')).json() as { paths: Record<string, unknown> };
    for (const p of [
      '/api/health',
      '/api/districts',
      '/api/grid-cells',
      '/api/illegal-buildings',
      '/api/key-areas',
      '/api/squads',
      '/api/officers',
      '/api/config',
    ]) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });

  it('answers map layers and officers only to a login; PUBLIC_MAP_LAYERS opens the layers, never the officers', async () => {
    const layers = [
      '/api/districts',
      '/api/key-areas',
      '/api/squads',
      `/api/grid-cells?bbox=${TIANFU}`,
      `/api/illegal-buildings?bbox=${TIANFU}`,
      '/api/tiles/grid-cells/14/13100/6783.pbf',
    ];
    for (const url of [...layers, '/api/officers']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(401);
      expect(res.json().message, url).toMatch(/log in/);
    }
    const open = await testApp(db, { config: { publicMapLayers: true } });
    try {
      for (const url of layers) expect((await open.inject({ method: 'GET', url })).statusCode, url).toBeLessThan(300);
      expect((await open.inject({ method: 'GET', url: '/api/officers' })).statusCode).toBe(401);
      expect((await open.inject({ method: 'GET', url: '/api/config' })).json().publicMapLayers).toBe(true);
    } finally {
      await open.close();
    }
    const config = (await app.inject({ method: 'GET', url: '/api/config' })).json();
    expect(config.publicMapLayers).toBe(false);
    // the demo city opens on 天府广场 and says it is a demo
    expect(config).toMatchObject({ demo: true, center: [104.065, 30.66], home: { zh: '天府广场' } });
  });
});

// Reverse geocoding at known points of the demo patch (issue 15): a point ~40 m north-east of a named
// intersection names that intersection, 40 m away, bearing 45°; a point beside a road far from
// every intersection names the road, its distance and the side; a point far outside names nothing.
import { along, bearing as turfBearing, destination, distance, length, lineString, nearestPointOnLine, point } from '@turf/turf';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PlaceContext } from '#shared/geocode/contract.ts';
import { landmarkInWords } from '#shared/geocode/words.ts';
import { INTERSECTION_RADIUS_M, reverseGeocode } from '../../server/geocode/service.ts';
import { loadOsmIntersections, loadOsmRoads } from '../../server/seed/osm-roads.ts';
import { testApp } from '../support/app.ts';
import { login } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';

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

const JUNCTION = loadOsmIntersections().find((i) => i.name === '人民南路四段与玉林东路交叉口')!;
const INTERSECTIONS = loadOsmIntersections().filter((i) => i.name && !i.roads.some((r) => /^无名/.test(r)));
const ROADS = loadOsmRoads().filter((r) => r.name && !/^无名/.test(r.name));

/** angle difference in degrees, -180..180 */
const turn = (a: number, b: number) => ((((a - b) % 360) + 540) % 360) - 180;
const lonLat = (c: number[]) => ({ lon: c[0]!, lat: c[1]! });

/**
 * A point 20 m to the side of a road, at least 400 m from every named intersection and 80 m from
 * every other named road: there the road is the landmark. Found in the data, not hard-coded.
 */
function besideARoad(): { road: string; at: { lon: number; lat: number }; side: number } {
  const lines = ROADS.map((r) => ({ name: r.name, line: lineString(r.coordinates) }));
  for (const { name, line } of lines) {
    const km = length(line);
    for (let d = 0.02; d < km - 0.02; d += 0.02) {
      const on = along(line, d);
      const ahead = along(line, Math.min(km, d + 0.01));
      const side = (turfBearing(on, ahead) + 90 + 360) % 360;
      const p = destination(on, 0.02, side);
      if (INTERSECTIONS.some((i) => distance(p, point(i.coordinates)) < 0.4)) continue;
      const others = lines.filter((o) => o.name !== name);
      if (others.some((o) => distance(p, nearestPointOnLine(o.line, p)) < 0.08)) continue;
      return { road: name, at: lonLat(p.geometry.coordinates), side };
    }
  }
  throw new Error('no point beside a road far from the intersections');
}

describe(`reverse geocoding (${inject('databaseMode')} database)`, () => {
  it('names the intersection a point lies ~40 m north-east of, with metres and bearing, and the areas', async () => {
    expect(JUNCTION).toBeDefined();
    const p = destination(point(JUNCTION.coordinates), 0.04, 45);
    const ctx = await reverseGeocode(db.pool, lonLat(p.geometry.coordinates));
    expect(ctx.landmark).toMatchObject({ kind: 'intersection', name: JUNCTION.name });
    expect(Math.abs(ctx.landmark!.meters - 40)).toBeLessThanOrEqual(3);
    expect(Math.abs(turn(ctx.landmark!.bearing, 45))).toBeLessThanOrEqual(5);
    expect(landmarkInWords(ctx.landmark!, 'zh')).toBe(`${JUNCTION.name}东北约 40 米`);
    expect(ctx.districtName).toBe('武侯区');
    expect(ctx.streetName).toBeTruthy();
    expect(ctx.communityName).toBeTruthy();
    expect(ctx.gridCode).toMatch(/^510107\d{9}$/);
  });

  it('says the other directions too (around the intersection farthest from any other)', async () => {
    const apart = (i: (typeof INTERSECTIONS)[number]) =>
      Math.min(...INTERSECTIONS.filter((o) => o.name !== i.name).map((o) => distance(point(i.coordinates), point(o.coordinates))));
    const lone = INTERSECTIONS.reduce((a, b) => (apart(b) > apart(a) ? b : a));
    expect(apart(lone)).toBeGreaterThan(0.08);
    for (const b of [0, 90, 135, 180, 270, 315]) {
      const p = destination(point(lone.coordinates), 0.03, b);
      const ctx = await reverseGeocode(db.pool, lonLat(p.geometry.coordinates));
      expect(ctx.landmark?.name, `bearing ${b}`).toBe(lone.name);
      expect(Math.abs(ctx.landmark!.meters - 30), `bearing ${b}`).toBeLessThanOrEqual(3);
      expect(Math.abs(turn(ctx.landmark!.bearing, b)), `bearing ${b}`).toBeLessThanOrEqual(5);
    }
  });

  it('is at the intersection on it', async () => {
    const ctx = await reverseGeocode(db.pool, lonLat(JUNCTION.coordinates));
    expect(ctx.landmark).toMatchObject({ kind: 'intersection', name: JUNCTION.name });
    expect(ctx.landmark!.meters).toBeLessThan(1);
    expect(landmarkInWords(ctx.landmark!, 'en')).toBe(`at ${JUNCTION.name}`);
  });

  it(`names the road beside a point more than ${INTERSECTION_RADIUS_M} m from every intersection`, async () => {
    const { road, at, side } = besideARoad();
    const ctx = await reverseGeocode(db.pool, at);
    expect(ctx.landmark).toMatchObject({ kind: 'road', name: road });
    expect(Math.abs(ctx.landmark!.meters - 20)).toBeLessThanOrEqual(3);
    expect(Math.abs(turn(ctx.landmark!.bearing, side))).toBeLessThanOrEqual(10);
  });

  it('names nothing far outside the street network, and no areas outside the city', async () => {
    // inside the districts, ~2 km from the demo patch's roads
    const inCity = await reverseGeocode(db.pool, { lon: 104.1, lat: 30.68 });
    expect(inCity.landmark).toBeNull();
    const outside: PlaceContext = await reverseGeocode(db.pool, { lon: 103.5, lat: 30.2 });
    expect(outside).toEqual({ landmark: null, districtName: null, streetName: null, communityName: null, gridCode: null });
  });
});

describe(`GET /api/geocode/reverse (${inject('databaseMode')} database)`, () => {
  const get = (url: string, auth = true) => app.inject({ method: 'GET', url, headers: auth ? { authorization: `Bearer ${token}` } : {} });

  it('answers the place context of a point', async () => {
    const p = destination(point(JUNCTION.coordinates), 0.04, 45).geometry.coordinates;
    const res = await get(`/api/geocode/reverse?lon=${p[0]}&lat=${p[1]}`);
    expect(res.statusCode).toBe(200);
    const ctx = res.json() as PlaceContext;
    expect(ctx.landmark).toMatchObject({ kind: 'intersection', name: JUNCTION.name });
    expect(ctx.districtName).toBe('武侯区');
  });

  it('needs a login', async () => {
    expect((await get('/api/geocode/reverse?lon=104.06&lat=30.63', false)).statusCode).toBe(401);
  });

  it.each([
    ['lon over 180', 'lon=180.5&lat=30.63', /lon/],
    ['lat under -90', 'lon=104.06&lat=-90.1', /lat/],
    ['no lat', 'lon=104.06', /lat/],
    ['lon not a number', 'lon=abc&lat=30.63', /lon/],
  ])('400 for %s', async (_l, q, message) => {
    const res = await get(`/api/geocode/reverse?${q}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(message);
  });
});

// Drive-time ETA in the recommendation (issue 15, item 5). On PostgreSQL with pgRouting the nearest
// officers by straight line are routed on the road network and re-ranked by travel time: an officer
// nearer in a straight line but on the wrong side of a one-way comes after one further away who can
// drive straight there. Elsewhere (the embedded database, no pgRouting, or beyond the loaded roads)
// the ETA is straight line × 1.4 at the mode's average speed, labelled as an estimate.
//
// Where the database lacks pgRouting the network tests skip, unless ZHIHUI_REQUIRE_PGROUTING is set
// (CI's PostgreSQL half): then they fail, saying why.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { accessSeconds, DETOUR_FACTOR, driveSpeed, estimateSeconds, ESTIMATE_MPS, travelModeOf } from '#shared/dispatch/travel-speeds.ts';
import { recoText } from '../../client/src/console/labels.ts';
import { loadRoadNetwork, type RoadSegment } from '../../server/dispatch/road-network.ts';
import { testApp } from '../support/app.ts';
import { call, login, type Session } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
const mode = inject('databaseMode');
const pgrouting = (await db.pool.query<{ v: string | null }>(`SELECT (SELECT extversion FROM pg_extension WHERE extname = 'pgrouting') AS v`)).rows[0]!.v;
const required = Boolean(process.env.ZHIHUI_REQUIRE_PGROUTING);
let app: FastifyInstance;
let dispatcher: Session;
let squadId: number;

interface Candidate {
  officerId: number;
  meters: number;
  travelMode: 'drive' | 'ride' | 'walk';
  etaSeconds: number;
  etaMethod: 'network' | 'estimate';
  responsibleSquad: boolean;
}

beforeAll(async () => {
  app = await testApp(db);
  dispatcher = await login(app, 'dispatcher');
  squadId = (await db.pool.query<{ id: number }>(`SELECT min(id)::int AS id FROM squads`)).rows[0]!.id;
  // only the officers each test places are free, so the list is exactly theirs
  await db.pool.query(`UPDATE officers SET duty_status = 'off_duty'`);
});
afterAll(async () => {
  await app.close();
  await db.close();
});

/** A point `dx` metres east and `dy` north of `p`. */
const offset = (p: [number, number], dx: number, dy: number): [number, number] => [
  p[0] + dx / (111_320 * Math.cos((p[1] * Math.PI) / 180)),
  p[1] + dy / 110_860, // metres per degree of latitude at 30.6° N
];

let serial = 0;
/** A free certified officer at `at` with `equipment`, fix fresh; the others placed before go off duty. */
async function placeOfficers(list: { at: [number, number]; equipment: string[] }[]): Promise<number[]> {
  await db.pool.query(`UPDATE officers SET duty_status = 'off_duty' WHERE duty_status = 'available'`);
  const ids: number[] = [];
  for (const o of list) {
    serial++;
    const r = await db.pool.query<{ id: number }>(
      `INSERT INTO officers (name, squad_id, kind, certificate_no, certificate_expires, duty_status, position, position_at, equipment)
       VALUES ($1, $2, 'officer', $3, date '2030-12-31', 'available', ST_SetSRID(ST_MakePoint($4, $5), 4326), now(), $6) RETURNING id`,
      [`ETA测试${serial}`, squadId, `ETA-${process.pid}-${serial}`, o.at[0], o.at[1], o.equipment],
    );
    ids.push(r.rows[0]!.id);
  }
  return ids;
}

async function caseAt(at: [number, number]): Promise<number> {
  const r = await call(app, dispatcher, {
    url: '/api/incidents',
    body: { category: '0102', source: 'dispatcher', description: 'ETA 测试', lon: at[0], lat: at[1], register: true },
  });
  expect(r.status, r.body).toBe(201);
  return r.json.incident.id;
}

async function recommendations(id: number): Promise<Candidate[]> {
  const r = await call(app, dispatcher, { url: `/api/incidents/${id}/recommendations?limit=10` });
  expect(r.status, r.body).toBe(200);
  return r.json;
}

const CAR = ['执法记录仪', '执法车'];
const FOOT = ['对讲机', '手持终端'];

describe(`ETA as a straight-line estimate where it cannot be routed (${mode} database)`, () => {
  it('ranks by estimated travel time (a car 900 m away before a walker 300 m away), labelled 直线估算', async () => {
    // east of 锦江区's centre, kilometres beyond the demo road patch: no network here on either database
    const spot: [number, number] = [104.105, 30.655];
    const [walker, car] = (await placeOfficers([
      { at: offset(spot, 300, 0), equipment: FOOT },
      { at: offset(spot, 0, 900), equipment: CAR },
    ])) as [number, number];
    const list = await recommendations(await caseAt(spot));
    expect(list.map((c) => c.officerId)).toEqual([car, walker]);
    const [first, second] = list as [Candidate, Candidate];
    expect(second.meters).toBeLessThan(first.meters); // the walker is nearer in a straight line
    for (const c of list) {
      expect(c.etaMethod).toBe('estimate');
      expect(c.etaSeconds).toBe(estimateSeconds(c.meters, c.travelMode));
    }
    expect(first.travelMode).toBe('drive');
    expect(second.travelMode).toBe('walk');
    // 300 m × 1.4 at 5 km/h ≈ 5 min; 900 m × 1.4 at 22 km/h ≈ 3.4 min
    expect(second.etaSeconds).toBeCloseTo((300 * DETOUR_FACTOR) / ESTIMATE_MPS.walk, -1);
    const label = recoText.eta(first.etaSeconds, first.etaMethod);
    expect(label.zh).toMatch(/^约 \d+ 分钟 · 直线估算$/);
    expect(label.en).toMatch(/^about \d+ min · straight-line estimate$/);
    expect(recoText.eta(second.etaSeconds, second.etaMethod).zh).toBe(`约 ${Math.round(second.etaSeconds / 60)} 分钟 · 直线估算`);
  });

  it.skipIf(Boolean(pgrouting))('keeps the seeded road network but estimates inside it too when the database has no pgRouting', async () => {
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM road_edges`)).rows[0].n).toBeGreaterThan(600);
    const spot: [number, number] = [104.06, 30.635]; // inside the demo road patch
    await placeOfficers([{ at: offset(spot, 200, 200), equipment: CAR }]);
    const [only] = await recommendations(await caseAt(spot));
    expect(only!.etaMethod).toBe('estimate');
  });
});

/** In each network test, so that a missing pgRouting counts as a failed test (not a skipped one) when it is required. */
function requireRouting(): void {
  if (!pgrouting)
    throw new Error(`ZHIHUI_REQUIRE_PGROUTING is set but this ${mode} database has no pgrouting extension: install postgresql-15-pgrouting (see .ci/run)`);
}

describe.skipIf(!pgrouting && !required)(`ETA routed on the road network with pgRouting (${mode} database)`, () => {
  it('on the demo roads: an officer across a one-way, nearer in a straight line, comes after one further away who can drive there', async () => {
    requireRouting();
    // A one-way main-road edge, 150–400 m; the case at its start, officer X at its end: X must go around.
    const found = await db.pool.query<{ source: number; target: number; len: number; cx: number; ynode: number; cy: number; dx: number; dy: number }>(`
      WITH e AS (
        SELECT e.id, e.source, e.target, e.length_m AS len FROM road_edges e
        JOIN road_nodes s ON s.id = e.source AND s.routable JOIN road_nodes t ON t.id = e.target AND t.routable
        WHERE e.oneway AND e.highway IN ('primary', 'secondary', 'tertiary') AND e.length_m BETWEEN 150 AND 400
        ORDER BY e.id LIMIT 40),
      routed AS (
        SELECT e.*, d.start_vid AS node, d.agg_cost AS cost
        FROM e, pgr_dijkstraCost('SELECT id, source, target, cost, reverse_cost FROM road_edges',
                                 ARRAY(SELECT id FROM road_nodes WHERE routable), e.source, true) d),
      x AS (SELECT r.*, ST_Distance(a.geom::geography, b.geom::geography) AS dx FROM routed r
            JOIN road_nodes a ON a.id = r.source JOIN road_nodes b ON b.id = r.target WHERE r.node = r.target),
      y AS (SELECT r.source, r.node, r.cost, ST_Distance(a.geom::geography, b.geom::geography) AS dy FROM routed r
            JOIN road_nodes a ON a.id = r.source JOIN road_nodes b ON b.id = r.node)
      SELECT x.source, x.target, x.len, x.cx, y.node AS ynode, y.cost AS cy, x.dx, y.dy
      FROM (SELECT x.*, x.cost AS cx FROM x) x JOIN y ON y.source = x.source
      WHERE y.dy > x.dx + 50 AND y.cost < x.cx - 60
      ORDER BY x.cx - y.cost DESC, x.source LIMIT 1`);
    expect(found.rows, 'a one-way on the demo roads with a farther officer who is nearer by road').toHaveLength(1);
    const f = found.rows[0]!;
    const at = async (node: number) =>
      (await db.pool.query<{ lon: number; lat: number }>(`SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM road_nodes WHERE id = $1`, [node])).rows[0]!;
    const [c, x, y] = await Promise.all([at(f.source), at(f.target), at(f.ynode)]);
    const [officerX, officerY] = (await placeOfficers([
      { at: [x.lon, x.lat], equipment: CAR },
      { at: [y.lon, y.lat], equipment: CAR },
    ])) as [number, number];
    const list = await recommendations(await caseAt([c.lon, c.lat]));
    expect(list.map((o) => o.officerId)).toEqual([officerY, officerX]);
    const [first, second] = list as [Candidate, Candidate];
    expect(second.meters).toBeLessThan(first.meters); // X is nearer in a straight line…
    expect(first.etaSeconds).toBeLessThan(second.etaSeconds); // …and later by road
    for (const o of list) expect(o.etaMethod).toBe('network');
    // each officer stands on a junction and the case on another: the ETA is the route's cost
    expect(Math.abs(first.etaSeconds - f.cy)).toBeLessThanOrEqual(2);
    expect(Math.abs(second.etaSeconds - f.cx)).toBeLessThanOrEqual(2);
    expect(recoText.eta(first.etaSeconds, 'network').zh).toMatch(/^约 \d+ 分钟 · 路网$/);
  });

  it('on a small network loaded for the test: the officer behind a one-way street goes around the block and is ranked second', async () => {
    requireRouting();
    // A 600 × 400 m block: A→B is one-way eastbound; B–C, C–D and D–A are two-way. The case is just
    // south of A. X, just south of B, is 600 m away in a straight line but must drive B→C→D→A
    // (1,400 m); Y, just north of C, is 744 m away and drives C→D→A (1,000 m).
    const A: [number, number] = [104.06, 30.635];
    const B = offset(A, 600, 0);
    const C = offset(A, 600, 400);
    const D = offset(A, 0, 400);
    const road = (id: string, from: [number, number], to: [number, number], oneway: boolean): RoadSegment => ({
      id,
      name: `测试路${id}`,
      highway: 'tertiary',
      coordinates: [from, to],
      oneway,
    });
    const loaded = await loadRoadNetwork(db.pool, [road('ab', A, B, true), road('bc', B, C, false), road('cd', C, D, false), road('da', D, A, false)], {
      snapMeters: 1,
    });
    expect(loaded).toEqual({ roadNodes: 4, roadEdges: 4, routableNodes: 4 });
    const spot = offset(A, 0, -20);
    const [officerX, officerY] = (await placeOfficers([
      { at: offset(B, 0, -20), equipment: CAR },
      { at: offset(C, 0, 20), equipment: CAR },
    ])) as [number, number];
    const list = await recommendations(await caseAt(spot));
    expect(list.map((o) => o.officerId)).toEqual([officerY, officerX]);
    const [y, x] = list as [Candidate, Candidate];
    expect(Math.abs(x.meters - 600)).toBeLessThan(6);
    expect(Math.abs(y.meters - Math.hypot(600, 440))).toBeLessThan(6);
    expect(x.etaMethod).toBe('network');
    expect(y.etaMethod).toBe('network');
    // access legs of 20 m at both ends, the rest at the tertiary speed (20 km/h)
    const legs = 2 * accessSeconds(20, 'drive');
    expect(x.etaSeconds).toBeGreaterThan(0.98 * (legs + 1400 / driveSpeed('tertiary')));
    expect(x.etaSeconds).toBeLessThan(1.02 * (legs + 1400 / driveSpeed('tertiary')));
    expect(y.etaSeconds).toBeGreaterThan(0.98 * (legs + 1000 / driveSpeed('tertiary')));
    expect(y.etaSeconds).toBeLessThan(1.02 * (legs + 1000 / driveSpeed('tertiary')));
    // a straight-line estimate would have put X first
    expect(estimateSeconds(x.meters, 'drive')).toBeLessThan(estimateSeconds(y.meters, 'drive'));

    // On foot the one-way does not bind: a walker just south of B walks B→A (600 m).
    const [walker] = await placeOfficers([{ at: offset(B, 0, -20), equipment: FOOT }]);
    const [w] = await recommendations(await caseAt(spot));
    expect(w!.officerId).toBe(walker);
    expect(travelModeOf(FOOT)).toBe('walk');
    expect(w!.etaMethod).toBe('network');
    const walk = 2 * accessSeconds(20, 'walk') + 600 / (5 / 3.6);
    expect(w!.etaSeconds).toBeGreaterThan(0.98 * walk);
    expect(w!.etaSeconds).toBeLessThan(1.02 * walk);
  });
});

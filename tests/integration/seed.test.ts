import { afterAll, describe, expect, inject, it } from 'vitest';
import { DEMO_CATALOGUE } from '#shared/categories/catalogue-demo.ts';
import { parseGridCode } from '#shared/grid-code.ts';
import { ROLES } from '#shared/roles.ts';
import { seedDemoCity } from '../../server/seed/demo-city.ts';
import { KEY_AREAS } from '../../server/seed/data/key-areas.gcj02.ts';
import { testDatabase, seedCounts } from '../support/database.ts';

const db = testDatabase();
const SEEDED_LOGINS = ['admin', 'dispatcher', 'supervisor', 'leader', 'officer'];
afterAll(() => db.close());
const q = async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.pool.query<T>(sql, params)).rows;
const one = async (sql: string, params: unknown[] = []) => Number(Object.values((await q(sql, params))[0]!)[0]);

describe(`the demo city on the ${inject('databaseMode')} database`, () => {
  it('has the five central districts of Chengdu, in WGS84 where they should be', async () => {
    const rows = await q<{ adcode: string; name: string; km2: number; lon: number; lat: number }>(`
      SELECT adcode, name, ST_Area(boundary::geography) / 1e6 AS km2, ST_X(ST_Centroid(boundary)) AS lon, ST_Y(ST_Centroid(boundary)) AS lat
      FROM districts ORDER BY adcode`);
    expect(rows.map((r) => `${r.adcode} ${r.name}`)).toEqual(['510104 锦江区', '510105 青羊区', '510106 金牛区', '510107 武侯区', '510108 成华区']);
    for (const r of rows) {
      expect(r.km2).toBeGreaterThan(50);
      expect(r.km2).toBeLessThan(140);
      expect(r.lon).toBeGreaterThan(103.9);
      expect(r.lon).toBeLessThan(104.25);
      expect(r.lat).toBeGreaterThan(30.55);
      expect(r.lat).toBeLessThan(30.8);
    }
    // GCJ-02 → WGS84 moves Chengdu by roughly 250 m west and 250 m north: 锦江区's first vertex in the source file is 104.059956, 30.647001.
    const [shift] = await q<{ dx: number; dy: number }>(`
      SELECT 104.059956 - ST_X(p) AS dx, ST_Y(p) - 30.647001 AS dy
      FROM (SELECT (ST_DumpPoints(boundary)).geom AS p FROM districts WHERE adcode = '510104' LIMIT 1) x`);
    expect(shift!.dx).toBeGreaterThan(0.0015);
    expect(shift!.dx).toBeLessThan(0.0035);
    expect(shift!.dy).toBeGreaterThan(0.0015);
    expect(shift!.dy).toBeLessThan(0.0035);
  });

  it('seeds the counts it reports, and a second seed does nothing', async () => {
    const counts = seedCounts();
    expect(counts.districts).toBe(5);
    expect(counts.gridCells).toBeGreaterThan(40_000);
    expect(counts.gridCells).toBeLessThan(70_000);
    expect(counts.streets).toBeGreaterThan(50);
    expect(counts.communities).toBeGreaterThan(500);
    expect(counts.illegalBuildings).toBe(300);
    expect(counts.keyAreas).toBe(KEY_AREAS.length);
    expect(counts.categories).toBe(DEMO_CATALOGUE.flatMap((c) => c.entries).length);
    const tables = {
      districts: 'districts',
      gridCells: 'grid_cells',
      streets: 'streets',
      communities: 'communities',
      squads: 'squads',
      illegalBuildings: 'illegal_buildings',
      keyAreas: 'key_areas',
      categories: 'categories',
    };
    for (const [key, table] of Object.entries(tables)) expect(await one(`SELECT count(*) FROM ${table}`), table).toBe(counts[key]);
    expect(await one(`SELECT count(*) FROM officers`)).toBe(counts.officers! + counts.auxiliaries!);
    expect(await one(`SELECT count(*) FROM users WHERE login = ANY($1)`, [SEEDED_LOGINS])).toBe(counts.users);
    expect(await one(`SELECT count(*) FROM users`)).toBe(counts.users);

    const again = await seedDemoCity(db.pool, { password: null });
    expect(again.seeded).toBe(false);
    for (const [key, table] of Object.entries(tables)) expect(await one(`SELECT count(*) FROM ${table}`), table).toBe(counts[key]);
  });

  it('has two or three squads per district, each with certified officers and auxiliaries on duty', async () => {
    const perDistrict = await q<{ n: number }>(`SELECT count(*)::int AS n FROM squads GROUP BY district_adcode`);
    expect(perDistrict).toHaveLength(5);
    for (const r of perDistrict) expect([2, 3]).toContain(r.n);
    const squads = await q<{ name: string; certified: number; auxiliaries: number; available: number; inside: boolean }>(`
      SELECT s.name, count(*) FILTER (WHERE o.kind = 'officer')::int AS certified, count(*) FILTER (WHERE o.kind = 'auxiliary')::int AS auxiliaries,
             count(*) FILTER (WHERE o.duty_status = 'available')::int AS available, ST_Covers(d.boundary, s.base) AS inside
      FROM squads s JOIN officers o ON o.squad_id = s.id JOIN districts d ON d.adcode = s.district_adcode GROUP BY s.name, d.boundary, s.base`);
    expect(squads.length).toBe(await one(`SELECT count(*) FROM squads`));
    for (const s of squads) {
      expect(s.inside, `${s.name} base inside its district`).toBe(true);
      expect(s.certified + s.auxiliaries, s.name).toBeGreaterThanOrEqual(10);
      expect(s.available, s.name).toBeGreaterThan(0);
    }
    expect(await one(`SELECT count(*) FROM officers WHERE kind = 'officer' AND certificate_no IS NULL`)).toBe(0);
    expect(await one(`SELECT count(*) FROM officers WHERE kind = 'auxiliary'`)).toBeGreaterThan(0);
    expect(await one(`SELECT count(*) FROM grid_cells WHERE squad_id IS NULL`)).toBe(0);
  });

  it('has every key area named in the issue, inside the city', async () => {
    const names = (await q<{ name: string }>(`SELECT k.name FROM key_areas k JOIN districts d ON ST_Intersects(d.boundary, k.geom) GROUP BY k.name`)).map(
      (r) => r.name,
    );
    for (const n of ['天府广场', '春熙路·太古里', '宽窄巷子', '锦里', '成都东站', '成都站']) expect(names).toContain(n);
  });

  it('has one user per role, with argon2 hashes only', async () => {
    const users = await q<{ role: string; password_hash: string }>(`SELECT role, password_hash FROM users WHERE login = ANY($1) ORDER BY role`, [
      SEEDED_LOGINS,
    ]);
    expect(users.map((u) => u.role).sort()).toEqual([...ROLES].sort());
    for (const u of users) expect(u.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('stores only valid, non-empty WGS84 geometries', async () => {
    const cols = await q<{ t: string; c: string }>(`SELECT f_table_name AS t, f_geometry_column AS c FROM geometry_columns WHERE f_table_schema = 'public'`);
    for (const { t, c } of cols) {
      expect(
        await one(`SELECT count(*) FROM ${t} WHERE ${c} IS NOT NULL AND (NOT ST_IsValid(${c}) OR ST_IsEmpty(${c}) OR ST_SRID(${c}) <> 4326)`),
        `${t}.${c}`,
      ).toBe(0);
    }
  });

  it('puts every grid cell inside its community and its district (to the millimetre)', async () => {
    // ST_CoveredBy clears almost every cell at once. Cells on a boundary carry the rounding of the
    // clipping chain (district → street → community → cell): what sticks out, spread along the
    // cell's perimeter, must be thinner than 1 mm.
    const outside = await q<{ code: string; m2: number; mm: number }>(`
      SELECT code, m2, 1000 * m2 / ST_Perimeter(geom::geography) AS mm FROM (
        SELECT g.code, g.geom, ST_Area(ST_Difference(g.geom, d.boundary)::geography) + ST_Area(ST_Difference(g.geom, c.boundary)::geography) AS m2
        FROM grid_cells g JOIN districts d ON d.adcode = g.district_adcode JOIN communities c ON c.code = g.community_code
        WHERE NOT (ST_CoveredBy(g.geom, d.boundary) AND ST_CoveredBy(g.geom, c.boundary))
      ) x`);
    const real = outside.filter((r) => r.mm >= 1);
    expect(real, JSON.stringify(real.slice(0, 5))).toEqual([]);
  });

  it('makes cells of about a hectare', async () => {
    const [s] = await q<{ avg: number; p50: number; small: number }>(`
      SELECT avg(area_m2) AS avg, percentile_cont(0.5) WITHIN GROUP (ORDER BY area_m2) AS p50,
             count(*) FILTER (WHERE area_m2 < 2000)::int AS small FROM grid_cells`);
    expect(s!.p50).toBeGreaterThan(9_800);
    expect(s!.p50).toBeLessThan(10_200);
    expect(s!.avg).toBeGreaterThan(7_000);
    expect(s!.avg).toBeLessThan(11_000);
    // Slivers are folded into a neighbour; a few remain only where a community has no larger piece nearby.
    expect(s!.small / (await one(`SELECT count(*) FROM grid_cells`))).toBeLessThan(0.02);
  });

  it('codes every cell with 15 unique, well-formed digits that match its district and community', async () => {
    const cells = await q<{ code: string; community_code: string; district_adcode: string }>(`SELECT code, community_code, district_adcode FROM grid_cells`);
    const seen = new Set<string>();
    const perCommunity = new Map<string, number[]>();
    for (const c of cells) {
      const parts = parseGridCode(c.code);
      expect(parts, c.code).not.toBeNull();
      expect(c.code.slice(0, 6)).toBe(c.district_adcode);
      expect(c.code.slice(0, 12)).toBe(c.community_code);
      expect(seen.has(c.code), `duplicate ${c.code}`).toBe(false);
      seen.add(c.code);
      perCommunity.set(c.community_code, [...(perCommunity.get(c.community_code) ?? []), parts!.sequence]);
    }
    // Sequences run 1..n without gaps inside each community.
    for (const [community, seqs] of perCommunity) {
      const sorted = [...seqs].sort((a, b) => a - b);
      expect(sorted.at(-1), community).toBe(sorted.length);
    }
  });

  it('numbers cells west→east, then north→south, within a community', async () => {
    // Among the untouched 100 m squares, each next cell is either further south, or on the same row further east.
    const [r] = await q<{ bad: number; checked: number }>(`
      WITH squares AS (
        SELECT community_code, code, ST_XMin(geom) AS x, ST_YMax(geom) AS y FROM grid_cells
        WHERE ST_NPoints(geom) = 5 AND abs(ST_Area(geom) - ST_Area(ST_Envelope(geom))) < 1e-12
      ),
      ordered AS (
        SELECT *, lag(x) OVER w AS px, lag(y) OVER w AS py FROM squares WINDOW w AS (PARTITION BY community_code ORDER BY code)
      )
      SELECT count(*) FILTER (WHERE NOT (y < py - 1e-7 OR (abs(y - py) <= 1e-7 AND x > px)))::int AS bad,
             count(*) FILTER (WHERE py IS NOT NULL)::int AS checked
      FROM ordered`);
    expect(r!.checked).toBeGreaterThan(20_000);
    expect(r!.bad).toBe(0);
  });
});

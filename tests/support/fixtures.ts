import crypto from 'node:crypto';
import { centroid } from '@turf/turf';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { call, login, type Session } from './clients.ts';

let serial = 0;

/** A password the policy takes: long, random, unrelated to the login. */
export function strongPassword(): string {
  return `Qz-${crypto.randomBytes(12).toString('base64url')}-7`;
}

/** A user for an existing officer (the demo seed has only one officer user). */
export async function officerSession(app: FastifyInstance, admin: Session, officerId: number): Promise<Session> {
  const loginName = `off${officerId}-${process.pid}-${++serial}`;
  const password = strongPassword();
  const res = await call(app, admin, {
    url: '/api/users',
    body: { login: loginName, password, displayName: `officer ${officerId}`, role: 'officer', officerId },
  });
  if (res.status !== 201) throw new Error(`create officer user: ${res.status} ${res.body}`);
  return login(app, loginName, password);
}

export async function userSession(app: FastifyInstance, admin: Session, role: string, districtAdcode: string | null): Promise<Session> {
  const loginName = `${role}-${districtAdcode ?? 'city'}-${process.pid}-${++serial}`;
  const password = strongPassword();
  const res = await call(app, admin, { url: '/api/users', body: { login: loginName, password, displayName: loginName, role, districtAdcode } });
  if (res.status !== 201) throw new Error(`create user: ${res.status} ${res.body}`);
  return login(app, loginName, password);
}

/** A point inside a named key area (its centroid), WGS84. */
export async function keyAreaPoint(app: FastifyInstance, name: string): Promise<[number, number]> {
  const admin = await login(app, 'admin');
  const fc = (await app.inject({ method: 'GET', url: '/api/key-areas', headers: { authorization: `Bearer ${admin.token}` } })).json() as {
    features: { properties: { name: string } }[];
  };
  const f = fc.features.find((x) => x.properties.name === name);
  if (!f) throw new Error(`no key area ${name}`);
  return centroid(f as never).geometry.coordinates as [number, number];
}

/**
 * Officers free to take a case: on duty, not busy, with a fresh position near `at` (they report it
 * through the AVL endpoint like a phone would). Picks certified or auxiliary officers of a district
 * that have no user yet.
 */
export async function freeOfficers(
  pool: pg.Pool,
  opts: { district: string; kind: 'officer' | 'auxiliary'; count: number; exclude?: number[] },
): Promise<number[]> {
  const res = await pool.query<{ id: number }>(
    `
    SELECT o.id FROM officers o JOIN squads s ON s.id = o.squad_id
    WHERE s.district_adcode = $1 AND o.kind = $2 AND o.duty_status <> 'busy'
      AND NOT EXISTS (SELECT 1 FROM users u WHERE u.officer_id = o.id) AND NOT (o.id = ANY($4::int[]))
    ORDER BY o.id LIMIT $3`,
    [opts.district, opts.kind, opts.count, opts.exclude ?? []],
  );
  if (res.rows.length < opts.count) throw new Error(`only ${res.rows.length} free ${opts.kind}s in ${opts.district}`);
  return res.rows.map((r) => r.id);
}

/**
 * Certified officers of the squad responsible for the grid cell at `at` (属地), not busy and without a
 * user yet: the ones the case panel recommends first for a case there.
 */
export async function responsibleOfficers(pool: pg.Pool, at: [number, number], count: number): Promise<number[]> {
  const res = await pool.query<{ id: number }>(
    `
    SELECT o.id FROM officers o JOIN grid_cells g ON g.squad_id = o.squad_id
    WHERE ST_Covers(g.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) AND g.valid_to IS NULL AND o.kind = 'officer'
      AND o.duty_status <> 'busy' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.officer_id = o.id)
    ORDER BY o.id LIMIT $3`,
    [at[0], at[1], count],
  );
  if (res.rows.length < count) throw new Error(`only ${res.rows.length} free officers of the squad responsible for ${at.join(',')}`);
  return res.rows.map((r) => r.id);
}

/** Puts an officer on duty at a position, through their own phone endpoints. */
export async function onDutyAt(app: FastifyInstance, officer: Session, at: [number, number]): Promise<void> {
  const duty = await call(app, officer, { url: '/api/officers/me/duty', body: { status: 'available' } });
  if (duty.status !== 200) throw new Error(`duty: ${duty.status} ${duty.body}`);
  for (let attempt = 0; attempt < 30; attempt++) {
    const r = await call(app, officer, { url: '/api/officers/me/position', body: { lon: at[0], lat: at[1], accuracy: 8 } });
    if (r.status === 202) return;
    if (r.status !== 429) throw new Error(`position: ${r.status} ${r.body}`);
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error('position never accepted');
}

/** A point `meters` east of `p`. */
export function east(p: [number, number], meters: number): [number, number] {
  return [p[0] + meters / (111_320 * Math.cos((p[1] * Math.PI) / 180)), p[1]];
}

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chinaToday } from '#shared/workforce.ts';
import { testApp } from '../support/app.ts';
import { call, login, type Session } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';
import { strongPassword } from '../support/fixtures.ts';

const db = testDatabase();
const mode = inject('databaseMode');
let app: FastifyInstance;
let admin: Session, dispatcher: Session;

beforeAll(async () => {
  app = await testApp(db);
  [admin, dispatcher] = await Promise.all([login(app, 'admin'), login(app, 'dispatcher')]);
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const day = (offset: number) => new Date(Date.parse(`${chinaToday()}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
const count = async (table: string) => (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
const lastAudit = async () => (await call(app, admin, { url: '/api/admin/audit?limit=1' })).json[0];

interface Squad {
  id: number;
  name: string;
  districtAdcode: string;
  lon: number;
  lat: number;
  officers: number;
  cells: number;
}

describe(`squads, officers and the change log as an administrator keeps them (${mode} database)`, () => {
  it('are for administrators only', async () => {
    for (const url of ['/api/admin/squads', '/api/admin/officers', '/api/admin/audit']) {
      expect((await call(app, null, { url })).status).toBe(401);
      expect((await call(app, dispatcher, { url })).status).toBe(403);
    }
    expect((await call(app, dispatcher, { url: '/api/admin/squads', body: { name: 'x', districtAdcode: '510107', lon: 104, lat: 30.6 } })).status).toBe(403);
  });

  it('creates a squad inside its district, shows it on the map, logs it; refuses a base outside, an unknown district, a taken name', async () => {
    const squads = (await call(app, admin, { url: '/api/admin/squads' })).json as Squad[];
    expect(squads.length).toBeGreaterThan(3);
    const model = squads.find((s) => s.cells > 0)!;
    const name = `测试中队-${process.pid}`;
    const before = await count('squads');

    const outside = await call(app, admin, { url: '/api/admin/squads', body: { name, districtAdcode: model.districtAdcode, lon: 116.4, lat: 39.9 } });
    expect(outside.status, outside.body).toBe(422);
    expect(outside.json.message).toMatch(/outside district/);
    const unknown = await call(app, admin, { url: '/api/admin/squads', body: { name, districtAdcode: '999999', lon: model.lon, lat: model.lat } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.message).toMatch(/unknown districtAdcode/);
    const nameless = await call(app, admin, { url: '/api/admin/squads', body: { districtAdcode: model.districtAdcode, lon: model.lon, lat: model.lat } });
    expect(nameless.status).toBe(400);
    expect(await count('squads')).toBe(before);

    const made = await call(app, admin, {
      url: '/api/admin/squads',
      body: { name, districtAdcode: model.districtAdcode, lon: model.lon, lat: model.lat, phone: '028-8888 0000' },
    });
    expect(made.status, made.body).toBe(201);
    expect(made.json).toMatchObject({ name, districtAdcode: model.districtAdcode, officers: 0, cells: 0, phone: '028-8888 0000' });
    const map = (await call(app, admin, { url: `/api/squads?district=${model.districtAdcode}` })).json as { features: { properties: { name: string } }[] };
    expect(map.features.map((f) => f.properties.name)).toContain(name);
    expect(await lastAudit()).toMatchObject({ action: 'squad.create', target: `squads/${made.json.id}`, actorLogin: 'admin', before: null, after: { name } });
    const event = await db.pool.query(`SELECT payload FROM incident_events WHERE type = 'roster.updated' ORDER BY seq DESC LIMIT 1`);
    expect(event.rows[0].payload).toEqual({ squadId: made.json.id, officerId: null });

    const again = await call(app, admin, { url: '/api/admin/squads', body: { name, districtAdcode: model.districtAdcode, lon: model.lon, lat: model.lat } });
    expect(again.status).toBe(409);
    expect(again.json.message).toMatch(/name exists/);

    // a squad with cells keeps its district; half a base is not a base
    const other = squads.find((s) => s.districtAdcode !== model.districtAdcode)!;
    const move = await call(app, admin, {
      method: 'PATCH',
      url: `/api/admin/squads/${model.id}`,
      body: { districtAdcode: other.districtAdcode, lon: other.lon, lat: other.lat },
    });
    expect(move.status, move.body).toBe(409);
    expect((await call(app, admin, { method: 'PATCH', url: `/api/admin/squads/${made.json.id}`, body: { lon: model.lon } })).status).toBe(400);
    const renamed = await call(app, admin, { method: 'PATCH', url: `/api/admin/squads/${made.json.id}`, body: { name: `${name}-改` } });
    expect(renamed.status, renamed.body).toBe(200);
    expect(await lastAudit()).toMatchObject({ action: 'squad.update', before: { name }, after: { name: `${name}-改` } });
    expect((await call(app, admin, { method: 'PATCH', url: '/api/admin/squads/2147483647', body: { name: 'x' } })).status).toBe(404);
  });

  it("makes a squad answer for the cells of streets of its district, logs whose they were, refuses another district's", async () => {
    const squads = (await call(app, admin, { url: '/api/admin/squads' })).json as Squad[];
    const squad = squads.find((s) => s.cells > 0)!;
    const streets = (await call(app, admin, { url: `/api/admin/streets?district=${squad.districtAdcode}` })).json as {
      code: string;
      cells: number;
      squads: { id: number; cells: number }[];
    }[];
    const other = streets.find((s) => s.cells > 0 && !s.squads.some((q) => q.id === squad.id))!;
    expect(other, 'a street of the district another squad answers for').toBeDefined();
    const foreign = ((await call(app, admin, { url: '/api/admin/streets' })).json as { code: string; districtAdcode: string }[]).find(
      (s) => s.districtAdcode !== squad.districtAdcode,
    )!;
    const refused = await call(app, admin, { method: 'PUT', url: `/api/admin/squads/${squad.id}/streets`, body: { streets: [foreign.code] } });
    expect(refused.status).toBe(400);
    expect(refused.json.message).toContain(foreign.code);
    expect((await call(app, admin, { method: 'PUT', url: `/api/admin/squads/${squad.id}/streets`, body: { streets: [] } })).status).toBe(400);

    const res = await call(app, admin, { method: 'PUT', url: `/api/admin/squads/${squad.id}/streets`, body: { streets: [other.code] } });
    expect(res.status, res.body).toBe(200);
    expect(res.json.cells).toBe(squad.cells + other.cells);
    const after = ((await call(app, admin, { url: `/api/admin/streets?district=${squad.districtAdcode}` })).json as typeof streets).find(
      (s) => s.code === other.code,
    )!;
    expect(after.squads).toEqual([{ id: squad.id, name: squad.name, cells: other.cells }]);
    expect(await lastAudit()).toMatchObject({ action: 'squad.assign_cells', after: { streets: [other.code], cells: other.cells } });
  });

  it('adds officers with certificate and expiry, flags expiring and expired ones, refuses a certificate on an auxiliary', async () => {
    const squad = ((await call(app, admin, { url: '/api/admin/squads' })).json as Squad[])[0]!;
    const before = await count('officers');
    const bad = [
      { body: { name: '王某', squadId: squad.id, kind: 'officer' }, status: 400, message: /certificateNo/ },
      { body: { name: '王某', squadId: squad.id, kind: 'officer', certificateNo: `T${process.pid}1` }, status: 400, message: /certificateExpires/ },
      {
        body: { name: '李某', squadId: squad.id, kind: 'auxiliary', certificateNo: `T${process.pid}2`, certificateExpires: day(100) },
        status: 400,
        message: /auxiliary holds no/,
      },
      { body: { name: '王某', squadId: 2147483647, kind: 'auxiliary' }, status: 400, message: /unknown squadId/ },
      {
        body: { name: '王某', squadId: squad.id, kind: 'officer', certificateNo: 'A1234', certificateExpires: '2026-02-30' },
        status: 400,
        message: /certificateExpires/,
      },
    ];
    for (const b of bad) {
      const res = await call(app, admin, { url: '/api/admin/officers', body: b.body });
      expect(res.status, res.body).toBe(b.status);
      expect(res.json.message).toMatch(b.message);
    }
    expect(await count('officers')).toBe(before);

    const add = (name: string, expires: string) =>
      call(app, admin, {
        url: '/api/admin/officers',
        body: {
          name,
          squadId: squad.id,
          kind: 'officer',
          certificateNo: `Z${process.pid}${name.length}${expires.replaceAll('-', '')}`,
          certificateExpires: expires,
          equipment: ['执法记录仪', '执法车', ' 执法车 '],
        },
      });
    const fresh = await add('张三', day(400));
    const soon = await add('李四丰', day(10));
    const gone = await add('王五', day(-1));
    expect([fresh.status, soon.status, gone.status], gone.body).toEqual([201, 201, 201]);
    expect(fresh.json).toMatchObject({ certificate: 'valid', equipment: ['执法记录仪', '执法车'], squadId: squad.id, dutyStatus: 'off_duty', userLogin: null });
    expect(soon.json.certificate).toBe('expiring');
    expect(gone.json.certificate).toBe('expired');
    expect(await lastAudit()).toMatchObject({
      action: 'officer.create',
      target: `officers/${gone.json.id}`,
      after: { name: '王五', certificateExpires: day(-1) },
    });
    const dup = await call(app, admin, {
      url: '/api/admin/officers',
      body: { name: '赵六', squadId: squad.id, kind: 'officer', certificateNo: fresh.json.certificateNo, certificateExpires: day(30) },
    });
    expect(dup.status).toBe(409);

    // made an auxiliary, the certificate goes; linked to a login, the login shows
    const aux = await call(app, admin, { method: 'PATCH', url: `/api/admin/officers/${gone.json.id}`, body: { kind: 'auxiliary' } });
    expect(aux.status, aux.body).toBe(200);
    expect(aux.json).toMatchObject({ kind: 'auxiliary', certificateNo: null, certificateExpires: null, certificate: 'none' });
    const loginName = `zs-${process.pid}`;
    const user = await call(app, admin, {
      url: '/api/users',
      body: { login: loginName, password: strongPassword(), displayName: '张三', role: 'officer', officerId: fresh.json.id },
    });
    expect(user.status, user.body).toBe(201);
    const listed = (await call(app, admin, { url: `/api/admin/officers?squadId=${squad.id}` })).json as { id: number; userLogin: string | null }[];
    expect(listed.find((o) => o.id === fresh.json.id)?.userLogin).toBe(loginName);
    expect(listed.every((o) => typeof o.id === 'number')).toBe(true);
  });

  it('logs user changes before → after, never a password, and the log cannot be edited', async () => {
    const loginName = `audit-${process.pid}`;
    const made = await call(app, admin, {
      url: '/api/users',
      body: { login: loginName, password: strongPassword(), displayName: '审计测试', role: 'dispatcher' },
    });
    expect(made.status, made.body).toBe(201);
    const id = made.json.id as number;
    await call(app, admin, { method: 'PATCH', url: `/api/users/${id}`, body: { role: 'leader', districtAdcode: '510107' } });
    await call(app, admin, { url: `/api/users/${id}/password`, body: { password: strongPassword() } });
    const log = (await call(app, admin, { url: `/api/admin/audit?target=users/${id}` })).json as { id: number; action: string; before: any; after: any }[];
    expect(log.map((e) => e.action)).toEqual(['user.password_reset', 'user.update', 'user.create']);
    expect(log[1]!.before).toMatchObject({ role: 'dispatcher', districtAdcode: null });
    expect(log[1]!.after).toMatchObject({ role: 'leader', districtAdcode: '510107' });
    expect(JSON.stringify(log)).not.toMatch(/argon2|password"/);
    const users = (await call(app, admin, { url: '/api/admin/audit?action=user.' })).json as { action: string }[];
    expect(users.every((e) => e.action.startsWith('user.'))).toBe(true);
    const older = (await call(app, admin, { url: `/api/admin/audit?before=${log[1]!.id}&limit=500` })).json as { id: number }[];
    expect(older[0]!.id).toBe(log[2]!.id);
    expect(older.every((e) => e.id < log[1]!.id)).toBe(true);
    expect((await call(app, admin, { url: '/api/admin/audit?target=users' })).status).toBe(400);
    await expect(db.pool.query(`UPDATE admin_audit SET action = 'user.other'`)).rejects.toThrow(/append-only/);
    await expect(db.pool.query(`DELETE FROM admin_audit`)).rejects.toThrow(/append-only/);
  });
});

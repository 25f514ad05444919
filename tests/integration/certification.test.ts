import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { firstSendable } from '#shared/cases/recommendation.ts';
import { chinaToday } from '#shared/workforce.ts';
import { testApp } from '../support/app.ts';
import { call, login, type Session } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';
import { east, keyAreaPoint, officerSession, onDutyAt } from '../support/fixtures.ts';

const db = testDatabase();
const mode = inject('databaseMode');
let app: FastifyInstance;
let admin: Session, dispatcher: Session;
let spot: [number, number];

beforeAll(async () => {
  app = await testApp(db);
  [admin, dispatcher] = await Promise.all([login(app, 'admin'), login(app, 'dispatcher')]);
  spot = await keyAreaPoint(app, '春熙路·太古里');
});
afterAll(async () => {
  await app.close();
  await db.close();
});

interface Candidate {
  officerId: number;
  certified: boolean;
  kind: string;
}

/**
 * Certified officers (by kind) of the squad responsible for the grid cell at `at`, free and without a
 * user: the recommendation ranks that squad first, nearest first.
 */
async function responsibleOfficers(at: [number, number], count: number): Promise<number[]> {
  const res = await db.pool.query<{ id: number }>(
    `
    SELECT o.id FROM officers o
    WHERE o.kind = 'officer' AND o.duty_status <> 'busy' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.officer_id = o.id)
      AND o.squad_id = (SELECT g.squad_id FROM grid_cells g WHERE ST_Covers(g.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) AND g.valid_to IS NULL LIMIT 1)
    ORDER BY o.id LIMIT $3`,
    [at[0], at[1], count],
  );
  if (res.rows.length < count) throw new Error(`only ${res.rows.length} free certified officers in the responsible squad`);
  return res.rows.map((r) => r.id);
}

describe(`certification: a valid 执法证 on the day (${mode} database)`, () => {
  it('does not recommend an officer whose certificate expired yesterday for an enforcement case; Enter sends the next certified one', async () => {
    const [expired, valid] = (await responsibleOfficers(spot, 2)) as [number, number];
    const yesterday = chinaToday(new Date(Date.now() - 86_400_000));
    await db.pool.query(`UPDATE officers SET certificate_expires = $2 WHERE id = $1`, [expired, yesterday]);
    await db.pool.query(`UPDATE officers SET certificate_expires = $2 WHERE id = $1`, [valid, chinaToday()]); // valid to the end of today
    // the expired one stands on the case, the valid one a few metres away
    await onDutyAt(app, await officerSession(app, admin, expired), spot);
    await onDutyAt(app, await officerSession(app, admin, valid), east(spot, 3));

    const reported = await call(app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0501', source: 'dispatcher', description: '无照游商 (证件过期)', lon: spot[0], lat: spot[1], register: true },
    });
    expect(reported.status, reported.body).toBe(201);
    const inc = reported.json.incident as { id: number; category: { enforcement: boolean } };
    expect(inc.category.enforcement).toBe(true);

    const rec = await call(app, dispatcher, { url: `/api/incidents/${inc.id}/recommendations` });
    expect(rec.status).toBe(200);
    const list = rec.json as Candidate[];
    const ids = list.map((c) => c.officerId);
    // ranked by place (nearest of the responsible squad first) but not certified: it may only assist
    expect(ids.indexOf(expired)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(expired)).toBeLessThan(ids.indexOf(valid));
    expect(list.find((c) => c.officerId === expired)).toMatchObject({ kind: 'officer', certified: false });
    expect(list.find((c) => c.officerId === valid)).toMatchObject({ kind: 'officer', certified: true });

    // what Enter sends: the first candidate that may go alone
    const best = firstSendable(list, inc.category.enforcement);
    expect(best?.officerId).toBe(valid);
    const alone = await call(app, dispatcher, { url: `/api/incidents/${inc.id}/dispatch`, body: { officerIds: [expired] } });
    expect(alone.status).toBe(422);
    const sent = await call(app, dispatcher, { url: `/api/incidents/${inc.id}/dispatch`, body: { officerIds: [best!.officerId] } });
    expect(sent.status, sent.body).toBe(200);
    expect(sent.json.officers.map((o: { officerId: number }) => o.officerId)).toEqual([valid]);
  });
});

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Simulator } from '../../server/simulator/simulator.ts';
import { testApp } from '../support/app.ts';
import { sleep } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
let app: FastifyInstance;
let sim: Simulator;
beforeAll(async () => {
  app = await testApp(db);
});
afterAll(async () => {
  await sim.stop();
  await app.close();
  await db.close();
});

describe(`the simulator (${inject('databaseMode')} database)`, () => {
  it('by default brings reports at the hotspots and moves officers on patrol, and leaves dispatching and the demo officer to the humans', async () => {
    const human = (await db.pool.query(`SELECT officer_id AS id FROM users WHERE login = 'officer'`)).rows[0].id;
    const before = (await db.pool.query(`SELECT position_at FROM officers WHERE id = $1`, [human])).rows[0].position_at;
    sim = new Simulator(db.pool, app.zhihui.cases, app.zhihui.positions, app.log, { newCaseEveryMs: 200, tickMs: 100 });
    await sim.start();
    const started = Date.now();
    let n = 0;
    while (Date.now() - started < 30_000 && n < 5) {
      n = (await db.pool.query(`SELECT count(*)::int AS n FROM incidents WHERE source_ref LIKE 'SIM-%'`)).rows[0].n;
      await sleep(200);
    }
    await sleep(500); // a few more ticks in which autopilot would have dispatched
    await sim.stop();
    expect(n).toBeGreaterThanOrEqual(5);
    const dispatched = await db.pool.query(
      `SELECT count(*)::int AS n FROM dispatches d JOIN incidents i ON i.id = d.incident_id WHERE i.source_ref LIKE 'SIM-%'`,
    );
    expect(dispatched.rows[0].n).toBe(0);
    const states = (await db.pool.query<{ state: string }>(`SELECT DISTINCT state FROM incidents WHERE source_ref LIKE 'SIM-%'`)).rows.map((r) => r.state);
    expect(states.every((s) => s === 'reported' || s === 'registered')).toBe(true);
    // officers free of cases walked their beat; the one a human holds did not move
    const moved = await db.pool.query(`SELECT count(DISTINCT officer_id)::int AS n FROM officer_positions WHERE received_at > now() - interval '2 minutes'`);
    expect(moved.rows[0].n).toBeGreaterThan(0);
    const after = (await db.pool.query(`SELECT position_at FROM officers WHERE id = $1`, [human])).rows[0].position_at;
    expect(after).toEqual(before);
  }, 60_000);

  it('on autopilot reports cases across the city and runs them through the loop to the end', async () => {
    sim = new Simulator(db.pool, app.zhihui.cases, app.zhihui.positions, app.log, { newCaseEveryMs: 300, tickMs: 100, autopilot: true });
    await sim.start();
    const started = Date.now();
    let closed = 0;
    while (Date.now() - started < 40_000) {
      closed = (await db.pool.query(`SELECT count(*)::int AS n FROM incidents WHERE source_ref LIKE 'SIM-%' AND state = 'closed'`)).rows[0].n;
      if (closed >= 1) break;
      await sleep(250);
    }
    await sim.stop();
    expect(closed).toBeGreaterThanOrEqual(1);
    const sim1 = await db.pool.query(`
      SELECT count(*)::int AS cases, count(DISTINCT source)::int AS sources, count(DISTINCT category_id)::int AS categories
      FROM incidents WHERE source_ref LIKE 'SIM-%'`);
    expect(sim1.rows[0].cases).toBeGreaterThan(3);
    const types = (
      await db.pool.query<{ type: string }>(`
      SELECT DISTINCT e.type FROM incident_events e JOIN incidents i ON i.id = e.incident_id WHERE i.source_ref LIKE 'SIM-%'`)
    ).rows.map((r) => r.type);
    for (const t of ['incident.reported', 'incident.dispatched', 'incident.accepted', 'incident.arrived', 'incident.handled', 'incident.closed'])
      expect(types).toContain(t);
    // Officers drove there: positions were reported on the way.
    const moved = await db.pool.query(`SELECT count(*)::int AS n FROM officer_positions WHERE received_at > now() - interval '2 minutes'`);
    expect(moved.rows[0].n).toBeGreaterThan(0);
  }, 60_000);
});

// The demo city's past (server/seed/history.ts): cases run through the real case services and the
// overdue clock at past times, once, the same for the same `now`.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type CaseAction, checkStep } from '#shared/cases/state-machine.ts';
import type { CaseState } from '#shared/cases/states.ts';
import type { Role } from '#shared/roles.ts';
import { HISTORY_SEED_NAME, seedDemoHistory } from '../../server/seed/history.ts';
import { testApp } from '../support/app.ts';
import { call, login } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
let app: FastifyInstance;
const NOW = new Date('2026-06-10T04:00:00Z'); // 12:00 in Chengdu, a Wednesday
const DAYS = 4;
let first: Awaited<ReturnType<typeof seedDemoHistory>>;

beforeAll(async () => {
  first = await seedDemoHistory(db.pool, { days: DAYS, now: NOW });
  app = await testApp(db);
}, 600_000);
afterAll(async () => {
  await app?.close();
  await db.close();
});

// who takes each step in the history, and the step an event records
const STEP_OF: Record<string, [CaseAction, Role]> = {
  'incident.registered': ['register', 'supervisor'],
  'incident.voided': ['void', 'supervisor'],
  'incident.dispatched': ['dispatch', 'dispatcher'],
  'incident.accepted': ['accept', 'officer'],
  'incident.arrived': ['arrive', 'officer'],
  'incident.handled': ['handle', 'officer'],
  'incident.reworked': ['rework', 'supervisor'],
  'incident.closed': ['close', 'supervisor'],
};

describe(`the demo history (${inject('databaseMode')} database)`, () => {
  it('is made once, deterministically: the same cases for the same now, nothing added by a second run', async () => {
    expect(first.seeded).toBe(true);
    // (4 days + today's morning) of 7–14 reports a day, from the seeded random: a fixed number
    expect(first.counts).toMatchObject({ cases: 47, skipped: 0 });
    const again = await seedDemoHistory(db.pool, { days: DAYS, now: NOW });
    expect(again.seeded).toBe(false);
    const n = await db.pool.query(`SELECT count(*)::int AS n FROM incidents WHERE source_ref LIKE 'HIST-%'`);
    expect(n.rows[0].n).toBe(first.counts.cases);
    const run = await db.pool.query(`SELECT summary FROM seed_runs WHERE name = $1`, [HISTORY_SEED_NAME]);
    expect(run.rowCount).toBe(1);
  });

  it("gives every case the event record of the state machine's steps, at past times", async () => {
    const res = await db.pool.query<{
      id: number;
      reported: string;
      closed: string | null;
      state: string;
      events: { type: string; from?: string; to?: string; at: string }[];
    }>(`
      SELECT i.id, i.reported_at AS reported, i.closed_at AS closed, i.state,
             json_agg(json_build_object('type', e.type, 'from', e.payload->>'from', 'to', e.payload->>'to', 'at', e.occurred_at) ORDER BY e.seq) AS events
      FROM incidents i JOIN incident_events e ON e.incident_id = i.id WHERE i.source_ref LIKE 'HIST-%' GROUP BY i.id ORDER BY i.id`);
    expect(res.rows.length).toBe(first.counts.cases);
    const from = NOW.getTime() - (DAYS + 1) * 86_400_000;
    for (const c of res.rows) {
      expect(c.events[0]!.type).toBe('incident.reported');
      let state: CaseState = 'reported';
      let last = 0;
      for (const e of c.events) {
        const at = new Date(e.at).getTime();
        expect(at).toBeGreaterThanOrEqual(from);
        expect(at).toBeLessThanOrEqual(NOW.getTime());
        expect(at).toBeGreaterThanOrEqual(last); // the record's order is time's order
        last = at;
        const step = STEP_OF[e.type];
        if (!step) continue; // reported, overdue, escalated: no state change
        const check = checkStep(state, step[0], step[1]);
        expect(check.ok, `${c.id}: ${e.type} from ${state}`).toBe(true);
        expect(e.from).toBe(state);
        expect(e.to).toBe(check.ok ? check.to : null);
        state = e.to as CaseState;
      }
      expect(c.state).toBe(state);
      expect(new Date(c.reported).getTime()).toBe(new Date(c.events[0]!.at).getTime());
    }
    const closed = res.rows.filter((c) => c.state === 'closed');
    expect(closed.length).toBeGreaterThan(first.counts.cases! / 2);
    // dispatches carry the past too
    const d = await db.pool.query(
      `SELECT count(*)::int AS n FROM dispatches d JOIN incidents i ON i.id = d.incident_id
      WHERE i.source_ref LIKE 'HIST-%' AND (d.dispatched_at > $1 OR d.finished_at > $1)`,
      [NOW],
    );
    expect(d.rows[0].n).toBe(0);
  });

  it("fills the leader's indicators and key-area board, and leaves work in the queue", async () => {
    const leader = await login(app, 'leader');
    const from = new Date(NOW.getTime() - DAYS * 86_400_000).toISOString();
    const ind = await call(app, leader, { url: `/api/indicators?from=${encodeURIComponent(from)}&to=${encodeURIComponent(NOW.toISOString())}` });
    expect(ind.status).toBe(200);
    expect(Object.values(ind.json.total.counts as Record<string, number>).some((v) => v > 0)).toBe(true);
    const admin = await login(app, 'admin');
    const complaints = await db.pool.query(
      `SELECT count(*)::int AS n FROM incidents WHERE source_ref LIKE 'HIST-%' AND source = 'public' AND key_area_ids <> '{}'`,
    );
    expect(complaints.rows[0].n).toBeGreaterThan(0);
    const open = await call(app, admin, { url: '/api/incidents?open=true' });
    expect(open.status).toBe(200);
    expect(open.json.length).toBeGreaterThan(0);
  });
});

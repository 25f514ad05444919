// Position history at fleet size (issue 17): officer_positions partitioned by UTC day (migration 025),
// kept by policy (the retention sweep makes the coming days' tables and drops expired ones), and fixes
// written in batches that still leave every officer's last position right.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { POSITION_DAYS_AHEAD } from '../../server/workforce/positions.ts';
import { testApp } from '../support/app.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
let app: FastifyInstance;

beforeAll(async () => {
  app = await testApp(db);
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const dayName = (d: Date) => `officer_positions_p${d.toISOString().slice(0, 10).replaceAll('-', '')}`;
const daysFromToday = (n: number) => new Date(Date.now() + n * 86_400_000);
const partitions = async () =>
  (
    await db.pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'officer_positions'::regclass ORDER BY 1`,
    )
  ).rows.map((r) => r.name);
const countFor = async (officerId: number) =>
  (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM officer_positions WHERE officer_id = $1`, [officerId])).rows[0]!.n;

/** `n` officers and a point inside the city for each. */
async function officersWithPoints(n: number): Promise<{ id: number; lon: number; lat: number }[]> {
  const res = await db.pool.query<{ id: number; lon: number; lat: number }>(
    `
    WITH o AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM officers ORDER BY id LIMIT $1),
    c AS (SELECT ST_PointOnSurface(geom) AS p, row_number() OVER (ORDER BY id) AS k FROM grid_cells WHERE valid_to IS NULL ORDER BY id LIMIT $1)
    SELECT o.id, ST_X(c.p) AS lon, ST_Y(c.p) AS lat FROM o JOIN c USING (k) ORDER BY o.id`,
    [n],
  );
  expect(res.rows.length).toBe(n);
  return res.rows;
}

describe(`position history (${inject('databaseMode')} database)`, () => {
  it('is partitioned by day, keeps what the policy keeps, drops expired days, makes the coming ones, and can run again', async () => {
    const kind = await db.pool.query<{ strategy: string }>(
      `SELECT partstrat AS strategy FROM pg_partitioned_table WHERE partrelid = 'officer_positions'::regclass`,
    );
    expect(kind.rows[0]?.strategy, 'range partitioned').toBe('r');
    for (let k = 0; k <= POSITION_DAYS_AHEAD; k++) expect(await partitions()).toContain(dayName(daysFromToday(k)));

    const [a] = await officersWithPoints(1);
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
    const insert = (recordedAt: string) =>
      db.pool.query(
        `INSERT INTO officer_positions (officer_id, position, accuracy_m, recorded_at) VALUES ($1, ST_SetSRID(ST_MakePoint($2, $3), 4326), 5, $4)`,
        [a!.id, a!.lon, a!.lat, recordedAt],
      );
    const before = await countFor(a!.id);
    // 200 days ago: no day table yet, so the default partition takes it; its day table then takes it over
    await insert(at(200));
    await db.pool.query(`SELECT officer_positions_ensure_day(($1::timestamptz AT TIME ZONE 'UTC')::date)`, [at(200)]);
    expect(await partitions()).toContain(dayName(daysFromToday(-200)));
    const inDefault = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM officer_positions_default WHERE recorded_at < now() - interval '100 days'`,
    );
    expect(inDefault.rows[0]!.n, 'moved out of the default partition').toBe(0);
    // 150 days ago stays in the default partition (no day table): the sweep clears it there too
    await insert(at(150));
    await insert(at(10));
    await insert(at(0));
    expect(await countFor(a!.id)).toBe(before + 4);

    const first = await app.zhihui.positions.retain(90);
    expect(first.dropped).toBeGreaterThanOrEqual(1);
    expect(await partitions()).not.toContain(dayName(daysFromToday(-200)));
    expect(await countFor(a!.id), 'the 200- and 150-day-old fixes are gone, the recent ones kept').toBe(before + 2);
    const recent = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM officer_positions WHERE officer_id = $1 AND recorded_at > now() - interval '11 days'`,
      [a!.id],
    );
    expect(recent.rows[0]!.n).toBeGreaterThanOrEqual(2);
    for (let k = 0; k <= POSITION_DAYS_AHEAD; k++) expect(await partitions()).toContain(dayName(daysFromToday(k)));

    // idempotent: a second sweep finds nothing to do
    const again = await app.zhihui.positions.retain(90);
    expect(again).toEqual({ created: 0, dropped: 0 });
    expect(await countFor(a!.id)).toBe(before + 2);
  });

  it('writes fixes in batches and leaves every officer at their last kept fix', async () => {
    const officers = await officersWithPoints(40);
    const positions = app.zhihui.positions;
    const historyBefore = await Promise.all(officers.map((o) => countFor(o.id)));
    // every officer at once, and a second fix from the first officer inside the same batch (too soon)
    const sent = officers.map((o) => positions.record(o.id, { lon: o.lon, lat: o.lat, accuracy: 7 }));
    const tooSoon = positions.record(officers[0]!.id, { lon: officers[0]!.lon + 0.001, lat: officers[0]!.lat, accuracy: 7 });
    expect(await Promise.all(sent)).toEqual(officers.map(() => true));
    expect(await tooSoon).toBe(false);
    // within the second: refused by the database's check too
    expect(await positions.record(officers[1]!.id, { lon: officers[1]!.lon, lat: officers[1]!.lat })).toBe(false);

    await new Promise((r) => setTimeout(r, 1_100));
    const moved = officers.slice(0, 10).map((o) => ({ ...o, lon: o.lon + 0.0005, lat: o.lat + 0.0003 }));
    expect(await Promise.all(moved.map((o) => positions.record(o.id, { lon: o.lon, lat: o.lat, accuracy: 3 })))).toEqual(moved.map(() => true));

    const last = await db.pool.query<{ id: number; lon: number; lat: number }>(
      `SELECT id, ST_X(position) AS lon, ST_Y(position) AS lat FROM officers WHERE id = ANY($1::int[]) ORDER BY id`,
      [officers.map((o) => o.id)],
    );
    const expected = officers.map((o, i) => (i < 10 ? moved[i]! : o));
    for (const [i, row] of last.rows.entries()) {
      expect(row.id).toBe(expected[i]!.id);
      expect(row.lon).toBeCloseTo(expected[i]!.lon, 9);
      expect(row.lat).toBeCloseTo(expected[i]!.lat, 9);
    }
    const historyAfter = await Promise.all(officers.map((o) => countFor(o.id)));
    expect(historyAfter.map((n, i) => n - historyBefore[i]!)).toEqual(officers.map((_, i) => (i < 10 ? 2 : 1)));
  });
});

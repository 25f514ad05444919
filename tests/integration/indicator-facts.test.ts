import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndicatorGrouping } from '#shared/indicators/contract.ts';
import { IndicatorRepository, type IndicatorFigures } from '../../server/indicators/repository.ts';
import { refreshDailySums } from '../../server/indicators/rollup/repository.ts';
import { statsCategories, statsTrend } from '../../server/leader/repository.ts';
import { dialectFor } from '../../server/db/dialect.ts';
import { testDatabase } from '../support/database.ts';

/**
 * The indicators read from the facts and the day sums (the fast path) equal the definition computed
 * from the case rows and the event log, on random histories: cases in every state with repeated
 * arrivals, handling reports and reworks, extensions, voids, dispatches to several squads, steps
 * written out of order and after a period ends, the rollup run at random points while cases keep
 * changing, and periods starting and ending at any instant, measured as of their end or of now.
 * June 2024 (UTC) is this file's own: no other file makes cases then.
 */
const db = testDatabase();
let repo: IndicatorRepository;

/** A small deterministic generator, so a failure can be replayed from its seed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const SEED = Number(process.env.FACTS_SEED ?? 20261203);
const random = rng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const WINDOW_FROM = Date.UTC(2024, 5, 1);
const WINDOW_DAYS = 20;
const at = (ms: number) => new Date(Math.round(ms / 1000) * 1000);
const minutes = (m: number) => m * 60_000;

let districts: string[] = [];
let officers: number[] = [];
let category = 0;
let made = 0;

/** One random case written as the services would leave it: the case row, its dispatch records and its events. */
async function randomCase(windowFrom = WINDOW_FROM, windowDays = WINDOW_DAYS): Promise<number> {
  const registered = windowFrom + random() * windowDays * 86_400_000;
  const fate = random();
  const registeredAt = fate < 0.05 ? null : at(registered);
  const deadline = at(registered + minutes(pick([30, 120, 24 * 60, 3 * 24 * 60])) + (random() < 0.2 ? minutes(24 * 60 * 5) : 0));
  const events: [string, Date, number[]][] = [];
  const dispatches: { officer: number; at: Date }[] = [];
  let t = registered;
  // now and then exactly on a limit: at the deadline, or dispatched at the 60th minute ("on time" is at or before)
  const step = () => (random() < 0.08 && deadline.getTime() > t ? (t = deadline.getTime()) : (t += minutes(1 + random() * pick([20, 90, 600, 3000]))));
  const arrived: Date[] = [];
  const handled: Date[] = [];
  let closed: Date | null = null;
  let voided: Date | null = null;
  let reworks = 0;
  if (registeredAt) {
    events.push(['incident.registered', registeredAt, []]);
    const rounds = fate < 0.15 ? 0 : 1 + Math.floor(random() * 3);
    for (let r = 0; r < rounds; r++) {
      const officer = pick(officers);
      const d = r === 0 && random() < 0.1 ? at((t = registered + minutes(60))) : at(step());
      dispatches.push({ officer, at: d });
      events.push([r > 0 ? 'incident.reworked' : 'incident.dispatched', d, [officer]]);
      if (r > 0) reworks++;
      if (random() < 0.85) {
        const a = at(step());
        arrived.push(a);
        events.push(['incident.arrived', a, []]);
        if (random() < 0.85) {
          const h = at(step());
          handled.push(h);
          events.push(['incident.handled', h, []]);
        }
      }
    }
    if (fate > 0.92) {
      voided = at(step());
      events.push(['incident.voided', voided, []]);
    } else if (handled.length > 0 && random() < 0.8) {
      closed = at(step());
      events.push(['incident.closed', closed, []]);
    }
  }
  const state = voided
    ? 'voided'
    : closed
      ? 'closed'
      : handled.length
        ? 'handled'
        : arrived.length
          ? 'on_scene'
          : dispatches.length
            ? 'dispatched'
            : registeredAt
              ? 'registered'
              : 'reported';
  const res = await db.pool.query<{ id: number }>(
    `INSERT INTO incidents (code, category_id, source, description, position, district_adcode, state, deadline, reported_at, registered_at,
                            dispatched_at, on_scene_at, handled_at, closed_at, voided_at, rework_count, outcome)
     VALUES ($1, $2, 'dispatcher', '随机历史', ST_SetSRID(ST_MakePoint(104.07, 30.66), 4326), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     RETURNING id`,
    [
      `FACT-${process.pid}-${++made}`,
      category,
      pick(districts),
      state,
      deadline,
      at(registered - minutes(5)),
      registeredAt,
      dispatches[0]?.at ?? null,
      arrived.at(-1) ?? null,
      handled.at(-1) ?? null,
      closed,
      voided,
      reworks,
      closed || handled.length ? 'service' : null,
    ],
  );
  const id = res.rows[0]!.id;
  for (const d of dispatches) {
    await db.pool.query(`INSERT INTO dispatches (incident_id, officer_id, state, dispatched_at, finished_at) VALUES ($1, $2, 'done', $3, $3)`, [
      id,
      d.officer,
      d.at,
    ]);
  }
  // written in a shuffled order: the first arrival / handling / rework is the earliest, not the first written
  events.sort(() => random() - 0.5);
  for (const [type, when, ids] of events) {
    await db.pool.query(`INSERT INTO incident_events (incident_id, type, payload, occurred_at, officer_ids) VALUES ($1, $2, '{}', $3, $4)`, [
      id,
      type,
      when,
      ids,
    ]);
  }
  return id;
}

/** Later changes to written cases: an extension (延期) moves the deadline; a case moves district; one closes late. */
async function laterChanges(ids: number[]): Promise<void> {
  for (const id of ids) {
    const what = random();
    if (what < 0.4) await db.pool.query(`UPDATE incidents SET deadline = deadline + interval '2 days' WHERE id = $1`, [id]);
    else if (what < 0.7) await db.pool.query(`UPDATE incidents SET district_adcode = $2 WHERE id = $1`, [id, pick(districts)]);
    else {
      const r = await db.pool.query<{ closed: boolean }>(
        `UPDATE incidents SET closed_at = coalesce(handled_at, registered_at) + interval '3 days', state = 'closed', outcome = 'service'
         WHERE id = $1 AND closed_at IS NULL AND voided_at IS NULL AND registered_at IS NOT NULL RETURNING true AS closed`,
        [id],
      );
      if (r.rowCount)
        await db.pool.query(
          `INSERT INTO incident_events (incident_id, type, payload, occurred_at) SELECT id, 'incident.closed', '{}', closed_at FROM incidents WHERE id = $1`,
          [id],
        );
    }
  }
}

type Row = { key: string | null; counts: Record<string, number>; indicators: Record<string, number | null> };
/**
 * The rows keyed by group. Rows that count nothing are left out: every group in scope is listed by
 * both, and the definition also lists a group outside the scope (another district's squad) or the
 * unknown group when a case it counts nothing for falls in it.
 */
function comparable(f: IndicatorFigures): Record<string, Row> {
  const out: Record<string, Row> = {};
  for (const r of [...f.rows, { ...f.total, key: '合计' }]) {
    if (r.key !== '合计' && Object.values(r.counts).every((n) => n === 0)) continue;
    out[r.key ?? '(none)'] = {
      key: r.key,
      counts: r.counts as unknown as Record<string, number>,
      indicators: r.indicators as unknown as Record<string, number | null>,
    };
  }
  return out;
}

async function expectSame(by: IndicatorGrouping, from: Date, to: Date, district: string | null) {
  const period = { from, to, district };
  const fast = await repo.figures(by, period);
  const reference = await repo.figures(by, period, { reference: true });
  expect(comparable(fast), `${by} ${from.toISOString()} – ${to.toISOString()} ${district ?? 'city'} (seed ${SEED})`).toEqual(comparable(reference));
  return fast;
}

/** The leader's trend and categories (from the day counts) equal a count of the case rows. */
async function expectSameCounts(from: Date, to: Date, district: string | null) {
  const p = { from, to };
  const trend = await statsTrend(db.pool, p, district);
  const perDay = await db.pool.query<{ date: string; reported: number; closed: number }>(
    `SELECT to_char(d, 'YYYY-MM-DD') AS date, sum(r)::int AS reported, sum(c)::int AS closed FROM (
       SELECT (reported_at AT TIME ZONE 'Asia/Shanghai')::date AS d, 1 AS r, 0 AS c FROM incidents
       WHERE reported_at >= $1 AND reported_at < $2 AND ($3::text IS NULL OR district_adcode = $3)
       UNION ALL
       SELECT (closed_at AT TIME ZONE 'Asia/Shanghai')::date, 0, 1 FROM incidents
       WHERE closed_at >= $1 AND closed_at < $2 AND ($3::text IS NULL OR district_adcode = $3)) x
     GROUP BY d ORDER BY d`,
    [from, to, district],
  );
  const label = `${from.toISOString()} – ${to.toISOString()} ${district ?? 'city'} (seed ${SEED})`;
  expect(
    trend.days.filter((d) => d.reported || d.closed).map(({ date, reported, closed }) => ({ date, reported, closed })),
    label,
  ).toEqual(perDay.rows);
  const cats = await statsCategories(db.pool, p, district);
  const perCategory = await db.pool.query<{ code: string; count: number }>(
    `SELECT c.minor_code::text AS code, count(*)::int AS count FROM incidents i JOIN categories c ON c.id = i.category_id
     WHERE i.reported_at >= $1 AND i.reported_at < $2 AND ($3::text IS NULL OR i.district_adcode = $3)
     GROUP BY c.minor_code ORDER BY count(*) DESC, c.minor_code`,
    [from, to, district],
  );
  expect(
    cats.categories.map(({ code, count }) => ({ code, count })),
    label,
  ).toEqual(perCategory.rows);
}

function randomPeriod(): [Date, Date] {
  const a = WINDOW_FROM - 86_400_000 + random() * (WINDOW_DAYS + 4) * 86_400_000;
  const len = pick([3_600_000, 86_400_000, 7 * 86_400_000, 30 * 86_400_000, random() * 10 * 86_400_000]);
  // some on whole days (Asia/Shanghai midnights), as the console asks; most at any second
  const snap = (ms: number) => (random() < 0.3 ? Math.floor((ms + 8 * 3_600_000) / 86_400_000) * 86_400_000 - 8 * 3_600_000 : ms);
  const from = snap(a);
  return [at(from), at(Math.max(from + 1000, snap(from + len)))];
}

beforeAll(async () => {
  repo = new IndicatorRepository(db.pool, dialectFor(db.mode));
  districts = (await db.pool.query<{ adcode: string }>(`SELECT adcode FROM districts ORDER BY adcode LIMIT 3`)).rows.map((r) => r.adcode);
  officers = (
    await db.pool.query<{ id: number }>(`SELECT min(o.id)::int AS id FROM officers o JOIN squads s ON s.id = o.squad_id GROUP BY s.id ORDER BY s.id LIMIT 4`)
  ).rows.map((r) => r.id);
  category = (await db.pool.query<{ id: number }>(`SELECT id FROM categories ORDER BY id LIMIT 1`)).rows[0]!.id;
});
afterAll(async () => {
  await db.close();
});

describe('indicators from the facts and the day sums', () => {
  it('equal the definition from the event log on random histories, before, during and after the rollup', { timeout: 600_000 }, async () => {
    const ids: number[] = [];
    for (let i = 0; i < 120; i++) ids.push(await randomCase());
    // nothing summed yet: every day is read from the facts
    for (let i = 0; i < 6; i++) await expectSame(pick(['district', 'squad'] as const), ...randomPeriod(), pick([null, districts[0]!]));

    expect(await refreshDailySums(db.pool)).toBeGreaterThan(0);
    const dirty = await db.pool.query(`SELECT count(*)::int AS n FROM indicator_dirty_days`);
    expect(dirty.rows[0].n).toBe(0);
    for (let i = 0; i < 10; i++) await expectSame(pick(['district', 'squad'] as const), ...randomPeriod(), pick([null, districts[0]!]));

    // changes after the rollup: those days are read from the facts until it runs again
    await laterChanges(ids.filter(() => random() < 0.2));
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM indicator_dirty_days`)).rows[0].n).toBeGreaterThan(0);
    for (let i = 0; i < 8; i++) await expectSame(pick(['district', 'squad'] as const), ...randomPeriod(), pick([null, districts[1]!]));
    for (let i = 0; i < 40; i++) ids.push(await randomCase());
    await laterChanges(ids.filter(() => random() < 0.3));
    for (let i = 0; i < 10; i++) await expectSame(pick(['district', 'squad'] as const), ...randomPeriod(), pick([null, districts[1]!]));
    for (let i = 0; i < 6; i++) await expectSameCounts(...randomPeriod(), pick([null, districts[1]!]));

    await refreshDailySums(db.pool);
    for (let i = 0; i < 10; i++) await expectSame(pick(['district', 'squad'] as const), ...randomPeriod(), pick([null, districts[0]!, districts[2]!]));
    for (let i = 0; i < 6; i++) await expectSameCounts(...randomPeriod(), pick([null, districts[0]!]));
    // a period that has not begun: measured as of now, before its start, it counts nothing
    const ahead = await expectSame('district', new Date(Date.now() + 30 * 86_400_000), new Date(Date.now() + 60 * 86_400_000), null);
    expect(ahead.total.counts.registered).toBe(0);
    // (the definitions hold every range as written; the fast path must never build one backwards)
    // the whole window, every grouping and scope
    for (const by of ['district', 'squad'] as const) {
      for (const d of [null, ...districts]) await expectSame(by, new Date(WINDOW_FROM - 86_400_000), new Date(WINDOW_FROM + (WINDOW_DAYS + 3) * 86_400_000), d);
    }
  });

  it('equal the definition up to now, with the cases of the last days still moving', { timeout: 300_000 }, async () => {
    const now = Date.now();
    // some steps of these lie ahead of now: measured as of now, they have not happened yet
    for (let i = 0; i < 60; i++) await randomCase(now - 5 * 86_400_000, 5);
    await refreshDailySums(db.pool);
    for (const days of [1, 7, 30, 90]) {
      for (const by of ['district', 'squad'] as const) {
        const f = await expectSame(by, new Date(now - days * 86_400_000), new Date(now), null);
        if (days === 90) expect(f.total.counts.registered).toBeGreaterThan(0);
      }
      await expectSameCounts(new Date(now - days * 86_400_000), new Date(now + 3_600_000), null);
    }
    // a case taken through its steps now: the day it changes is read from the facts at once
    const open = await db.pool.query<{ id: number }>(
      `SELECT id FROM incidents WHERE state IN ('registered', 'dispatched') AND registered_at > now() - interval '20 days' ORDER BY id LIMIT 1`,
    );
    if (open.rows[0]) {
      await db.pool.query(`UPDATE incidents SET closed_at = now(), state = 'closed', outcome = 'service' WHERE id = $1`, [open.rows[0].id]);
      // measured as of a moment both computations share (a period still running is measured as of each call's own now)
      const end = new Date();
      await expectSame('district', new Date(now - 30 * 86_400_000), end, null);
    }
  });

  it('keep the first arrival, handling and rework from the log, whatever order they are written in', async () => {
    const id = await randomCase();
    const f = await db.pool.query(
      `SELECT (SELECT min(occurred_at) FROM incident_events WHERE incident_id = $1 AND type = 'incident.handled') IS NOT DISTINCT FROM handled_at AS handled,
              (SELECT min(occurred_at) FROM incident_events WHERE incident_id = $1 AND type = 'incident.arrived') IS NOT DISTINCT FROM arrived_at AS arrived,
              (SELECT min(occurred_at) FROM incident_events WHERE incident_id = $1 AND type = 'incident.reworked') IS NOT DISTINCT FROM reworked_at AS reworked
       FROM case_facts WHERE incident_id = $1`,
      [id],
    );
    expect(f.rows[0]).toEqual({ handled: true, arrived: true, reworked: true });
  });
});

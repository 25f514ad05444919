// Live order end to end (issue 11, part 2): 50 writers append in parallel, on one instance and on two
// (CLUSTER=true, external PostgreSQL), while listeners on every instance drop their connection at
// random. Every connection must get its room's events in seq order with `prev` naming the event before
// it, and every listener must end up having applied each event of its scope exactly once, in order.
import { expect } from 'vitest';
import { call, login } from '../support/clients.ts';
import { keyAreaPoint } from '../support/fixtures.ts';
import {
  judge,
  logAfter,
  logHead,
  OrderedListener,
  prevMismatches,
  runWriters,
  until,
  describeOneAndTwoInstances,
  type Instance,
} from '../support/live-trace.ts';

const LEADER_DISTRICT = '510104';
const WRITERS = 50;
const ROUNDS = 8;

async function scenario(instances: Instance[], tag: string) {
  const first = instances[0]!;
  const pool = first.db.pool;
  const dispatcher = await login(first.app, 'dispatcher');
  const leader = await login(first.app, 'leader');
  const points = await Promise.all(['春熙路·太古里', '宽窄巷子', '锦里', '天府广场'].map((n) => keyAreaPoint(first.app, n)));

  // on every instance: a city-wide and a district listener following the console's protocol, and the
  // same two taking the feed as it comes after a reconnect, relying on `prev` alone to find what they missed
  const listeners = instances.flatMap((i) => [
    { l: new OrderedListener({ name: `${i.label} dispatcher`, base: i.base, token: dispatcher.token }), city: true, inst: i },
    { l: new OrderedListener({ name: `${i.label} leader`, base: i.base, token: leader.token }), city: false, inst: i },
    {
      l: new OrderedListener({ name: `${i.label} dispatcher (prev only)`, base: i.base, token: dispatcher.token, catchUpOnConnect: false }),
      city: true,
      inst: i,
    },
    { l: new OrderedListener({ name: `${i.label} leader (prev only)`, base: i.base, token: leader.token, catchUpOnConnect: false }), city: false, inst: i },
  ]);
  try {
    await Promise.all(listeners.map(({ l }) => l.connect()));
    await until(
      () => listeners.every(({ l }) => l.settled),
      10_000,
      () => 'listeners never settled',
    );
    const start = Math.min(...listeners.map(({ l }) => l.startSeq!));

    let writing = true;
    const chaos = listeners.map(({ l }) => l.chaos(() => !writing, { upMs: [20, 300], downMs: [0, 150] }));
    let stats;
    try {
      stats = await runWriters({ apps: instances.map((i) => i.app), session: dispatcher, points, writers: WRITERS, rounds: ROUNDS, tag });
    } finally {
      writing = false;
      await Promise.all(chaos);
    }
    expect(stats.failures, stats.failures.slice(0, 5).join('\n')).toEqual([]);

    // one more case in the leader's district, after every listener is back: a `prev`-only listener
    // learns from it what it missed while away (a console would learn it from the next event too)
    const last = await call(first.app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0504', source: 'public', description: `${tag} 收尾`, lon: points[0]![0], lat: points[0]![1], register: true },
    });
    expect(last.status, last.body).toBe(201);
    expect(last.json.incident.districtAdcode).toBe(LEADER_DISTRICT);
    const head = await logHead(pool);
    await until(
      () => listeners.every(({ l }) => l.settled && l.lastApplied >= head),
      20_000,
      () => listeners.map(({ l }) => `${l.name}: ${l.lastApplied}/${head}${l.settled ? '' : ' (not settled)'}`).join(', '),
    );

    const log = await logAfter(pool, Math.min(start, ...instances.map((i) => i.app.zhihui.bus.startSeq)));
    const byLog = new Map(log.map((r) => [r.seq, r]));
    const written = log.filter((r) => r.seq > start).length;
    const rows: Record<string, unknown>[] = [];
    const failures: string[] = [];
    for (const { l, city, inst } of listeners) {
      const inScope = log.filter((r) => city || r.districtAdcode === LEADER_DISTRICT);
      const expected = inScope.filter((r) => r.seq > l.startSeq!).map((r) => r.seq);
      const report = judge(l.applied, expected, l.startSeq!);
      const prevWrong = prevMismatches(
        l.received,
        inScope.map((r) => r.seq),
        inst.app.zhihui.bus.startSeq,
        byLog,
      );
      rows.push({
        listener: l.name,
        expected: report.expected,
        applied: report.applied,
        reconnects: l.reconnects,
        catchUps: l.catchUps,
        gapFills: l.gapFills,
        heldGaps: l.heldGaps,
        liveReceived: l.received.length,
        dupSkipped: l.duplicatesSkipped,
        outOfOrder: report.outOfOrder,
        missed: report.missed,
        duplicates: report.duplicates,
        extra: report.extra,
        feedErrors: l.feedViolations.length,
        prevErrors: prevWrong.length,
      });
      if (report.outOfOrder || report.missed || report.duplicates || report.extra || l.outOfOrder) failures.push(`${l.name}: ${JSON.stringify(report)}`);
      failures.push(
        ...l.feedViolations.slice(0, 5),
        ...prevWrong.slice(0, 5).map((m) => `${l.name}: ${m}`),
        ...l.errors.slice(0, 5).map((m) => `${l.name}: ${m}`),
      );
    }
    console.log(
      `[live-order] ${tag}: ${written} events from ${WRITERS} writers (${stats.requests} requests, ${stats.intakes} intakes, ${stats.steps} steps) in ${(stats.ms / 1000).toFixed(1)} s on ${instances.length} instance(s); ` +
        `reconnects ${listeners.reduce((n, { l }) => n + l.reconnects, 0)}, gap fills ${listeners.reduce((n, { l }) => n + l.gapFills, 0)}, ` +
        `out of order ${rows.reduce((n, r) => n + (r.outOfOrder as number), 0)}, missed ${rows.reduce((n, r) => n + (r.missed as number), 0)}`,
    );
    console.table(rows);

    expect(failures).toEqual([]);
    expect(written).toBeGreaterThanOrEqual(600);
    for (const { l } of listeners) expect(l.reconnects, `${l.name} reconnected`).toBeGreaterThan(3);
    // the `prev`-only listeners cannot have caught up any other way: the gap path was taken
    expect(listeners.filter(({ l }) => l.name.includes('prev only')).every(({ l }) => l.gapFills > 0)).toBe(true);
  } finally {
    for (const { l } of listeners) l.close();
  }
}

describeOneAndTwoInstances(
  'live order under 50 parallel writers and random disconnects',
  {
    serveClient: false,
    timeoutMs: 100_000,
    one: 'one instance: every listener applies every event of its scope once, in seq order',
    two: 'two instances with CLUSTER=true: the same on both',
  },
  scenario,
);

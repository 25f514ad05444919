// The wall console under load, in headless Chromium: 2,000 officers on duty moving once a second and
// 5,000 open cases. Prints the time to the first full render (map ready, every open case in the
// queue, every officer on the map) and the main-thread time per second of wall time while the
// positions and case events stream in, beside the same window on the idle console (same run).
//   npm run bench -- console                       (a fresh embedded database)
//   DATABASE_URL=postgres://… npm run bench -- console
//   BENCH_OFFICERS=2000 BENCH_CASES=5000 BENCH_SECONDS=20 BENCH_CASE_RATE=5 to change the load;
//   BENCH_RENDER_TIMEOUT=90 (s) caps the wait for the first full render; CHROMIUM_PATH as in the tests;
//   BENCH_TRACE=1 adds a traced and profiled stretch of load (test-results/bench-console-trace-*.json);
//   BENCH_CHROMIUM_ARGS="--headless …" replaces the tests' Chromium flags (to compare GL set-ups).
import fs from 'node:fs';
import path from 'node:path';
import argon2 from 'argon2';
import type { FastifyInstance } from 'fastify';
import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core';
import { buildApp } from '../server/app.ts';
import type { AuthUser } from '../server/auth/user.ts';
import { ensureClientBuild } from '../server/http/client-static.ts';
import { currentCategories } from '../server/categories/repository.ts';
import { TEST_PASSWORD } from '../tests/support/constants.ts';
import { growCity } from './console/data.ts';
import { chromiumCpu, cpuDelta } from './console/procs.ts';
import { type CpuProfile, summariseProfile, summariseTrace, TRACE_CATEGORIES } from './console/trace.ts';
import { CaseDriver, PositionDriver } from './console/load.ts';
import { diffCounts, type Metrics, metrics, type Probe, probeScript, type ProbeTargets, readProbe, RequestCounter, SocketCounter } from './console/page.ts';
import { benchDatabase, cityPoints, stats } from './support.ts';

const OFFICERS = Number(process.env.BENCH_OFFICERS ?? 2000);
const CASES = Number(process.env.BENCH_CASES ?? 5000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CASE_RATE = Number(process.env.BENCH_CASE_RATE ?? 5);
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** as the browser tests launch it; BENCH_CHROMIUM_ARGS (space-separated) replaces them to compare GL set-ups */
const CHROMIUM_ARGS = process.env.BENCH_CHROMIUM_ARGS?.split(/\s+/).filter(Boolean) ?? [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
];
const VIEWPORT = { width: 1920, height: 1080 };
const SHOTS = path.resolve('test-results');
/** quiet time (no API request, queue count unchanged) after which a first render counts as settled */
const SETTLED_MS = 8000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const progress = (msg: string) => process.stderr.write(`[bench console] ${msg}\n`);
const n = (x: number) => x.toLocaleString('en-US');
const ms = (x: number | undefined) => (x === undefined ? '—' : `${n(Math.round(x))} ms`);

if (!fs.existsSync(CHROMIUM)) {
  console.error(`bench console: no Chromium at ${CHROMIUM}; install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  process.exit(1);
}
await ensureClientBuild(progress);
progress('preparing the database…');
const db = await benchDatabase();
let app: FastifyInstance | null = null;
let browser: Browser | null = null;
try {
  const RENDER_TIMEOUT_MS = Number(process.env.BENCH_RENDER_TIMEOUT ?? (db.mode === 'embedded' ? 180 : 90)) * 1000;

  // The demo dispatcher (city-wide) with a known password, as the tests seed it.
  const password = process.env.ZHIHUI_DEMO_PASSWORD || TEST_PASSWORD;
  const dispatcher = (
    await db.pool.query<AuthUser>(
      `
    UPDATE users SET password_hash = $1 WHERE login = 'dispatcher'
    RETURNING id, login, role, district_adcode AS "districtAdcode", officer_id AS "officerId"`,
      [await argon2.hash(password)],
    )
  ).rows[0]!;

  progress(`growing the city to ${n(OFFICERS)} officers on duty and ${n(CASES)} open cases…`);
  const city = await growCity(db.pool, { officers: OFFICERS, cases: CASES, dispatcherId: dispatcher.id });
  const versions = (await db.pool.query<{ pg: string; postgis: string }>(`SELECT current_setting('server_version') AS pg, postgis_lib_version() AS postgis`))
    .rows[0]!;

  app = await buildApp({
    db,
    config: { mapStyleUrl: null, rateLimitPerMinute: 10_000_000, loginPerMinute: 1000, logLevel: 'warn', dataDir: db.dataDir },
    serveClient: true,
    // no overdue / acceptance clock: the idle window must see no events at all
    clocks: false,
    logger: false,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

  const targets: ProbeTargets = { officers: city.onDuty, openCases: city.open, timeoutMs: RENDER_TIMEOUT_MS + 60_000 };

  /** Waits for every milestone, or until the page settled without them, or the time-out. */
  async function firstRender(page: Page, requests: RequestCounter): Promise<{ probe: Probe; end: 'all' | 'settled' | 'timeout'; waited: number }> {
    const t0 = performance.now();
    let lastQueue: string | null = null;
    let queueSince = t0;
    for (;;) {
      await sleep(200);
      const probe = await readProbe(page);
      const m = probe.milestones;
      const now = performance.now();
      if (m.ready !== undefined && m.officers !== undefined && m.queue !== undefined) return { probe, end: 'all', waited: now - t0 };
      if (probe.queueShown !== lastQueue) {
        lastQueue = probe.queueShown;
        queueSince = now;
      }
      const settled = m.ready !== undefined && requests.inflight === 0 && now - requests.lastActivity > SETTLED_MS && now - queueSince > SETTLED_MS;
      if (settled) return { probe, end: 'settled', waited: now - t0 };
      if (now - t0 > RENDER_TIMEOUT_MS) return { probe, end: 'timeout', waited: now - t0 };
    }
  }

  // ---- 1. log in through the form, as a dispatcher does at the start of a shift (also warms the
  // server's caches); the session it leaves behind is what the measured page starts with.
  progress('first page: logging in through the form…');
  const loginContext = await browser.newContext({ viewport: VIEWPORT });
  const loginPage = await loginContext.newPage();
  await loginPage.addInitScript({ content: probeScript(targets) });
  const loginRequests = new RequestCounter();
  loginRequests.attach(loginPage);
  await loginPage.goto(`${base}/`);
  await loginPage.fill('[data-testid="login-name"]', 'dispatcher');
  await loginPage.fill('[data-testid="login-password"]', password);
  const clickAt = await loginPage.evaluate(() => performance.now());
  await loginPage.click('[data-testid="login-submit"]');
  const afterLogin = await firstRender(loginPage, loginRequests);
  const storageState = await loginContext.storageState();
  await loginContext.close();

  // ---- 2. the measured page: a fresh browser context (cold cache) with the remembered session, as
  // the wall screen comes back after a restart; milestones count from navigation start.
  progress('measured page: first full render…');
  const context = await browser.newContext({ viewport: VIEWPORT, storageState });
  const page = await context.newPage();
  await page.addInitScript({ content: probeScript(targets) });
  const requests = new RequestCounter();
  requests.attach(page);
  const pageProblems: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && pageProblems.length < 50 && pageProblems.push(m.text())));
  page.on('pageerror', (e) => void (pageProblems.length < 50 && pageProblems.push(e.message)));
  page.on('crash', () => void pageProblems.push('the page crashed'));
  const sockets = new SocketCounter();
  sockets.attach(page);
  const cdp: CDPSession = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(`${base}/`, { waitUntil: 'commit' });
  const render = await firstRender(page, requests);
  const firstRenderRequests = requests.snapshot();
  const nav = await page.evaluate(() => {
    const e = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    return { domContentLoaded: e?.domContentLoadedEventEnd };
  });
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `bench-console-first-render-${db.mode}.png`), timeout: 60_000 }).catch(() => {});
  const quietWait = await requests.quiet(2000, 60_000);
  await sleep(2000);

  interface Measured {
    /** the window by the renderer's clock (CDP Timestamp), s */
    seconds: number;
    /** the window by this process's clock (performance.now()), for what the load generated in it */
    from: number;
    to: number;
    d: Metrics;
    end: Metrics;
    /** CPU seconds per Chromium process kind over the window */
    cpu: Record<string, number>;
    perSecond: number[];
    fps: number;
    mapFps: number;
    longTasks: number[];
    sockets: ReturnType<SocketCounter['snapshot']>;
    /** ms from fix to the page taking the batch, for the batches taken in the window */
    lag: number[];
    /** events the server published (to every console) in the window */
    published: number;
    requests: Map<string, number>;
  }

  const publishedAt: number[] = [];
  app.zhihui.bus.subscribe(() => void publishedAt.push(performance.now()));
  const readFrames = () =>
    page.evaluate(() => {
      const b = (window as unknown as { __bench: Probe }).__bench;
      return { frames: b.frames, mapFrames: b.mapFrames, longTasks: b.longTasks.length, at: performance.now() };
    });

  /**
   * SECONDS of wall time: CDP metric deltas (and each second's TaskDuration), frames, long tasks,
   * traffic. A blocked main thread answers CDP late: samples are taken at each second's mark that is
   * still ahead, and every rate is divided by the renderer's own clock.
   */
  async function measureWindow(): Promise<Measured> {
    const f0 = await readFrames();
    const s0 = sockets.snapshot();
    const r0 = requests.snapshot();
    const c0 = chromiumCpu();
    const m0 = await metrics(cdp);
    const from = performance.now();
    const perSecond: number[] = [];
    let prev = m0;
    for (let s = 1; performance.now() < from + SECONDS * 1000; s++) {
      const due = from + s * 1000;
      if (due < performance.now()) continue;
      await sleep(due - performance.now());
      const m = await metrics(cdp);
      perSecond.push(((m.TaskDuration - prev.TaskDuration) / (m.Timestamp - prev.Timestamp)) * 1000);
      prev = m;
    }
    const to = performance.now();
    const c1 = chromiumCpu();
    const s1 = sockets.snapshot();
    const f1 = await readFrames();
    const all = await readProbe(page);
    const d = Object.fromEntries((Object.keys(m0) as (keyof Metrics)[]).map((k) => [k, prev[k] - m0[k]])) as unknown as Metrics;
    const pageSeconds = (f1.at - f0.at) / 1000;
    return {
      seconds: d.Timestamp,
      from,
      to,
      d,
      end: prev,
      perSecond,
      cpu: cpuDelta(c1, c0),
      fps: (f1.frames - f0.frames) / pageSeconds,
      mapFps: (f1.mapFrames - f0.mapFrames) / pageSeconds,
      longTasks: all.longTasks.slice(f0.longTasks, f1.longTasks),
      sockets: {
        positions: s1.positions - s0.positions,
        positionBytes: s1.positionBytes - s0.positionBytes,
        positionUpdates: s1.positionUpdates - s0.positionUpdates,
        events: s1.events - s0.events,
        lags: s1.lags - s0.lags,
      },
      lag: sockets.positionLag.slice(s0.lags, s1.lags),
      published: publishedAt.filter((t) => t >= from && t < to).length,
      requests: diffCounts(requests.snapshot(), r0),
    };
  }

  // ---- 3. the idle console, then the same window under load.
  progress(`idle window (${SECONDS} s)…`);
  const idle = await measureWindow();

  const moving = (
    await db.pool.query<{ id: number }>(
      `
    SELECT id FROM officers WHERE duty_status <> 'off_duty' AND position IS NOT NULL ORDER BY id LIMIT $1`,
      [OFFICERS],
    )
  ).rows;
  const positions = new PositionDriver(
    app,
    db.pool,
    moving.map((r) => r.id),
  );
  const ids = async (sql: string) => (await db.pool.query<{ id: number }>(sql)).rows.map((r) => r.id);
  const caseDriver = new CaseDriver(app, dispatcher, CASE_RATE, {
    points: await cityPoints(db.pool, 300, 11),
    categories: (await currentCategories(db.pool)).map((c) => c.minorCode),
    reported: await ids(`SELECT id FROM incidents WHERE state = 'reported' ORDER BY id`),
    registered: await ids(`SELECT id FROM incidents WHERE state = 'registered' ORDER BY id DESC LIMIT 500`),
    freeOfficers: await ids(`SELECT id FROM officers WHERE kind = 'officer' AND duty_status = 'available' AND position IS NOT NULL ORDER BY id DESC LIMIT 500`),
  });
  progress(`load window (${SECONDS} s, after 3 s of warm-up): ${n(moving.length)} officers moving once a second, ${CASE_RATE} case operations a second…`);
  const takenBeforeLoad = sockets.positions;
  const socketsBeforeLoad = sockets.opened;
  positions.start();
  caseDriver.start();
  await sleep(3000);
  const loaded = await measureWindow();
  const ticksInWindow = positions.ticks.filter((t) => t.at >= loaded.from && t.at < loaded.to);
  const opsInWindow = caseDriver.ops.filter((t) => t >= loaded.from && t < loaded.to).length;
  await positions.stop();
  await caseDriver.stop();
  // How far behind the page was: until it has taken every batch sent since the load started (or
  // none came for 15 s, or 90 s passed).
  const stoppedAt = performance.now();
  const sent = positions.ticks.length;
  let lastTaken = sockets.positions;
  let lastTakenAt = stoppedAt;
  while (sockets.positions - takenBeforeLoad < sent && performance.now() - stoppedAt < 90_000 && performance.now() - lastTakenAt < 15_000) {
    await sleep(100);
    if (sockets.positions !== lastTaken) [lastTaken, lastTakenAt] = [sockets.positions, performance.now()];
  }
  const drain = { sent, taken: sockets.positions - takenBeforeLoad, ms: Math.max(0, sockets.lastPositionsAt - stoppedAt) };
  const liveAtEnd = await page.evaluate(() => (window as unknown as { __zhihui?: { live: string } }).__zhihui?.live ?? 'unknown');

  // ---- BENCH_TRACE=1: a few more seconds of the same load, traced.
  let trace: { file: string; seconds: number; summary: ReturnType<typeof summariseTrace>; js: ReturnType<typeof summariseProfile> } | null = null;
  if (process.env.BENCH_TRACE) {
    const seconds = Math.min(SECONDS, 5);
    progress(`tracing ${seconds} s more of the load…`);
    positions.start();
    caseDriver.start();
    await sleep(2000);
    await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    await sleep(seconds * 1000);
    const json = await browser.stopTracing();
    // then the same load sampled by the JavaScript profiler (not at the same time: it slows the page)
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
    await cdp.send('Profiler.start');
    await sleep(seconds * 1000);
    const { profile } = await cdp.send('Profiler.stop');
    await positions.stop();
    await caseDriver.stop();
    const file = path.join(SHOTS, `bench-console-trace-${db.mode}.json`);
    fs.writeFileSync(file, json);
    trace = { file, seconds, summary: summariseTrace(json, seconds), js: summariseProfile(profile as CpuProfile) };
  }
  await page.screenshot({ path: path.join(SHOTS, `bench-console-under-load-${db.mode}.png`), timeout: 60_000 }).catch(() => {});
  const pageErrors = await page.evaluate(() => (window as unknown as { __zhihui?: { errors: string[] } }).__zhihui?.errors ?? []);

  // ---- the figures
  const version = browser.version();
  const line = (label: string, value: string) => console.log(`    ${label.padEnd(52)} ${value}`);
  const states = Object.entries(city.byState)
    .map(([s, k]) => `${s} ${n(k)}`)
    .join(', ');
  console.log(
    `console on the ${db.mode} database (PostgreSQL ${versions.pg}, PostGIS ${versions.postgis}); Chromium ${version} headless ${VIEWPORT.width}×${VIEWPORT.height}, ${CHROMIUM_ARGS.join(' ')}`,
  );
  console.log(
    `  data: ${n(city.onDuty)} officers on duty with a position (${n(city.onMap)} on the map), ${n(city.open)} open cases (${states}; ${n(city.overdue)} overdue, ${n(city.liveDispatches)} live dispatches), ${n(city.events)} events in the log; written in ${(city.ms / 1000).toFixed(1)} s`,
  );
  if (db.mode === 'embedded')
    console.log(
      '  note: embedded PGlite serves one connection for the server, the load and the console, and is several times slower than PostgreSQL: read the render times with that in mind',
    );

  const rm = render.probe.milestones;
  const allAt = rm.ready !== undefined && rm.officers !== undefined && rm.queue !== undefined ? Math.max(rm.ready, rm.officers, rm.queue) : undefined;
  const notReached = (what: string) =>
    `not reached (${what}; ${render.end === 'settled' ? `page settled, waited ${(render.waited / 1000).toFixed(0)} s` : `gave up after ${(render.waited / 1000).toFixed(0)} s`})`;
  console.log('  first full render: fresh browser context (cold cache) with the remembered dispatcher session, from navigation start');
  line('DOMContentLoaded', ms(nav.domContentLoaded));
  line('map ready (__zhihui.ready)', rm.ready === undefined ? notReached('map never went idle') : ms(rm.ready));
  line(
    `officers layer ≥ ${n(targets.officers)} (__zhihui.layers.officers)`,
    rm.officers === undefined ? notReached(`${n(render.probe.officersShown)} shown`) : ms(rm.officers),
  );
  line(
    `queue shows all ${n(targets.openCases)} open cases (queue-open)`,
    rm.queue === undefined ? notReached(`${render.probe.queueShown ?? 'no count'} shown`) : ms(rm.queue),
  );
  line('all three', allAt === undefined ? 'not reached' : ms(allAt));
  line('API requests until then', [...firstRenderRequests].map(([k, v]) => `${k} ${v}`).join(', '));
  const lm = afterLogin.probe.milestones;
  line(
    '(first page: queue complete after the login click)',
    lm.queue === undefined ? `not reached (${afterLogin.probe.queueShown ?? 'no count'} shown)` : ms(lm.queue - clickAt),
  );
  if (quietWait > 2500) line('(API requests still running after the render)', `${(quietWait / 1000).toFixed(1)} s until quiet`);

  const perSec = (w: Measured, k: keyof Metrics) => (w.d[k] / w.seconds) * 1000;
  const ratio = (a: number, b: number) => (b > 0 ? `×${(a / b).toFixed(1)}` : '');
  const row = (label: string, a: string, b: string, r = '') => console.log(`    ${label.padEnd(40)}${a.padStart(18)}${b.padStart(26)}${r.padStart(9)}`);
  const fmtMs = (x: number) => `${x.toFixed(0)} ms/s`;
  console.log(`  main-thread time per second of wall time (CDP Performance.getMetrics deltas over ${SECONDS} s windows)`);
  row('', 'idle console', `${n(moving.length)} moving + ${CASE_RATE} ops/s`, 'ratio');
  for (const [label, k] of [
    ['TaskDuration (goal < 100 ms/s)', 'TaskDuration'],
    ['  ScriptDuration', 'ScriptDuration'],
    ['  LayoutDuration', 'LayoutDuration'],
    ['  RecalcStyleDuration', 'RecalcStyleDuration'],
    ['ThreadTime (main thread CPU)', 'ThreadTime'],
    ['ProcessTime (renderer CPU, + workers)', 'ProcessTime'],
  ] as const) {
    row(label, fmtMs(perSec(idle, k)), fmtMs(perSec(loaded, k)), ratio(perSec(loaded, k), perSec(idle, k)));
  }
  // Task time the main thread spent without the CPU: waiting (a synchronous GL read-back into the
  // software compositor under --disable-gpu) or descheduled by other processes on a busy machine.
  const waiting = (w: Measured) => Math.max(0, perSec(w, 'TaskDuration') - perSec(w, 'ThreadTime'));
  row('TaskDuration − ThreadTime (waiting)', fmtMs(waiting(idle)), fmtMs(waiting(loaded)), ratio(waiting(loaded), waiting(idle)));
  const sIdle = stats(idle.perSecond);
  const sLoad = stats(loaded.perSecond);
  row('TaskDuration, worst single second', fmtMs(Math.max(...idle.perSecond)), fmtMs(Math.max(...loaded.perSecond)));
  row('TaskDuration, median second', fmtMs(sIdle.p50), fmtMs(sLoad.p50));
  const cpu = (w: Measured, k: string) => ((w.cpu[k] ?? 0) / w.seconds) * 1000;
  const allCpu = (w: Measured) => (Object.values(w.cpu).reduce((a, b) => a + b, 0) / w.seconds) * 1000;
  if (Object.keys(loaded.cpu).length) {
    row(
      'GPU process CPU (software GL)',
      fmtMs(cpu(idle, 'gpu-process')),
      fmtMs(cpu(loaded, 'gpu-process')),
      ratio(cpu(loaded, 'gpu-process'), cpu(idle, 'gpu-process')),
    );
    row('all Chromium processes CPU', fmtMs(allCpu(idle)), fmtMs(allCpu(loaded)), ratio(allCpu(loaded), allCpu(idle)));
  }
  row('frames (requestAnimationFrame)', `${idle.fps.toFixed(1)} fps`, `${loaded.fps.toFixed(1)} fps`);
  row('map frames drawn (MapLibre render)', `${idle.mapFps.toFixed(1)} fps`, `${loaded.mapFps.toFixed(1)} fps`);
  const lt = (w: Measured) => `${w.longTasks.length}${w.longTasks.length ? ` (max ${Math.round(Math.max(...w.longTasks))} ms)` : ''}`;
  row('long tasks > 50 ms', lt(idle), lt(loaded));
  row(
    'JS heap used / DOM nodes at the end',
    `${(idle.end.JSHeapUsedSize / 1e6).toFixed(0)} MB / ${n(idle.end.Nodes)}`,
    `${(loaded.end.JSHeapUsedSize / 1e6).toFixed(0)} MB / ${n(loaded.end.Nodes)}`,
  );
  const traffic = (w: Measured) => [...w.requests].map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  line('API requests, idle window', traffic(idle));
  line('API requests, load window', traffic(loaded));
  const sql = stats(ticksInWindow.map((t) => t.sqlMs));
  const perBatch = loaded.sockets.positions ? loaded.sockets.positionUpdates / loaded.sockets.positions : 0;
  const lag = stats(loaded.lag);
  line(
    'load taken by the page in the window',
    `${loaded.sockets.positions} of ${ticksInWindow.length} positions batches (${perBatch.toFixed(0)} officers, ${(loaded.sockets.positionBytes / Math.max(1, loaded.sockets.positions) / 1024).toFixed(0)} kB each), ${loaded.sockets.events} of ${loaded.published} events`,
  );
  if (loaded.lag.length)
    line('positions batch age when the page took it', `p50 ${n(Math.round(lag.p50))} ms, max ${n(Math.round(Math.max(...loaded.lag)))} ms`);
  line(
    'after the load stopped',
    `the page had taken ${drain.taken} of the ${drain.sent} batches sent, the last ${(drain.ms / 1000).toFixed(1)} s after the stop${drain.taken < drain.sent ? ' (the rest never came)' : ''}`,
  );
  const reconnects = sockets.opened - socketsBeforeLoad;
  line(
    'live connection',
    `${reconnects ? `opened ${reconnects} new socket(s) under load: the connection dropped (positions in flight are lost; events are caught up)` : 'held'}; __zhihui.live '${liveAtEnd}' at the end`,
  );
  line(
    'load generated',
    `${ticksInWindow.length} position ticks (bulk SQL p50 ${sql.p50.toFixed(0)} ms, max ${Math.max(0, ...ticksInWindow.map((t) => t.sqlMs)).toFixed(0)} ms, late max ${Math.max(0, ...ticksInWindow.map((t) => t.lateMs)).toFixed(0)} ms); ${opsInWindow} case ops (in turn: intake+register, register, intake, dispatch, void), errors ${caseDriver.errors.length}`,
  );
  if (idle.sockets.positions || idle.sockets.events)
    line('(idle window was not idle)', `${idle.sockets.positions} positions batches, ${idle.sockets.events} events`);
  if (caseDriver.errors.length) line('case op errors', caseDriver.errors.slice(0, 3).join(' | '));
  if (pageErrors.length) line('console errors (__zhihui.errors)', `${pageErrors.length}: ${pageErrors.slice(0, 3).join(' | ')}`);
  if (pageProblems.length) line('page console errors', `${pageProblems.length}: ${pageProblems.slice(0, 3).join(' | ')}`);
  if (trace) {
    console.log(
      `  trace of ${trace.seconds} s more load: ${path.relative(process.cwd(), trace.file)} (DevTools › Performance › load); inclusive ms/s by event:`,
    );
    for (const [thread, top] of Object.entries(trace.summary)) line(thread, top.map((t) => `${t.name} ${t.msPerSecond.toFixed(0)}`).join(', '));
    console.log(`  JavaScript self time under the same load (CDP Profiler, ${trace.seconds} s), ms/s:`);
    for (const f of trace.js) line(f.msPerSecond.toFixed(0).padStart(6), f.name);
  }
  console.log(`  screenshots: ${path.relative(process.cwd(), SHOTS)}/bench-console-{first-render,under-load}-${db.mode}.png`);
} finally {
  await browser?.close().catch(() => {});
  await app?.close().catch(() => {});
  await db.close();
}

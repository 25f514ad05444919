// A network drop on the wall console: the browser goes offline, cases are reported and worked
// meanwhile, the network comes back: the console says it is reconnecting, then catches up from the
// event log (every event, once) and says how many it applied. Away beyond CATCH_UP_REPLAY_MAX events
// (shared/cases/catch-up.ts), it reloads its open cases instead of replaying, and ends as a fresh
// console would.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { CATCH_UP_REPLAY_MAX } from '../../shared/cases/catch-up.ts';
import { consoleServerForFile, SHOTS } from '../support/browser.ts';
import { call, login, type Session } from '../support/clients.ts';
import { TEST_PASSWORD } from '../support/constants.ts';
import { consoleHook, type ConsoleHook, searchQueue } from '../support/console-page.ts';
import { testDatabase } from '../support/database.ts';
import { east, keyAreaPoint } from '../support/fixtures.ts';

const db = testDatabase();
const mode = inject('databaseMode');
const server = consoleServerForFile(db);

describe(`the wall console after a network drop (${mode} database)`, () => {
  it('says it is reconnecting, then catches up with every event it missed', async () => {
    const dispatcher: Session = await login(server.app, 'dispatcher');
    const at = await keyAreaPoint(server.app, '宽窄巷子');
    const page = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`${server.base}/`);
    await page.fill('[data-testid="login-name"]', 'dispatcher');
    await page.fill('[data-testid="login-password"]', TEST_PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForFunction(() => (window as unknown as { __zhihui: ConsoleHook }).__zhihui.live === 'live', null, { timeout: 60_000 });
    await searchQueue(page, '断网测试');

    // the network goes: requests fail and the socket drops
    await page.context().setOffline(true);
    await page.evaluate(() => (window as unknown as { __zhihuiLive: { simulateDrop(): void } }).__zhihuiLive.simulateDrop());
    await page.waitForSelector('[data-testid="connection-banner"][data-state="lost"]', { timeout: 10_000 });
    await page.screenshot({ path: path.join(SHOTS, `console-reconnecting-${mode}.png`) });

    // meanwhile: three cases reported, one registered, one voided
    const post = (i: number, register: boolean) =>
      call(server.app, dispatcher, {
        url: '/api/incidents',
        body: { category: '0504', source: 'public', description: `断网测试 ${i}`, lon: east(at, 120 * i)[0], lat: at[1], register },
      });
    const a = (await post(1, true)).json.incident;
    const b = (await post(2, false)).json.incident;
    const c = (await post(3, false)).json.incident;
    expect((await call(server.app, dispatcher, { url: `/api/incidents/${b.id}/register`, body: {} })).status).toBe(200);
    expect((await call(server.app, dispatcher, { url: `/api/incidents/${c.id}/void`, body: { reason: '重复举报' } })).status).toBe(200);
    const head = Number((await db.pool.query(`SELECT max(seq) AS s FROM incident_events`)).rows[0].s);
    const missed = Number((await db.pool.query(`SELECT count(*) AS n FROM incident_events WHERE incident_id = ANY($1)`, [[a.id, b.id, c.id]])).rows[0].n);
    // still offline: the console has none of it
    expect((await consoleHook(page)).lastSeq).toBeLessThan(head);
    expect(await page.locator(`[data-testid="queue-row"][data-code="${a.code}"]`).count()).toBe(0);

    // the network is back
    await page.context().setOffline(false);
    await page.waitForFunction(
      (h) => {
        const z = (window as unknown as { __zhihui: ConsoleHook }).__zhihui;
        return z.live === 'live' && z.lastSeq >= h;
      },
      head,
      { timeout: 30_000 },
    );
    const banner = page.locator('[data-testid="connection-banner"][data-state="done"]');
    await banner.waitFor({ timeout: 5_000 });
    expect(Number(await page.textContent('[data-testid="caught-up-count"]'))).toBeGreaterThanOrEqual(missed);
    // a few events: replayed from the log, not reloaded
    expect(await liveCounters(page)).toMatchObject({ reloads: 0 });
    await page.screenshot({ path: path.join(SHOTS, `console-caught-up-${mode}.png`) });

    // what it caught up: a and b registered and queued, c voided and gone
    await page.waitForSelector(`[data-testid="queue-row"][data-code="${a.code}"][data-state="registered"]`, { timeout: 5_000 });
    await page.waitForSelector(`[data-testid="queue-row"][data-code="${b.code}"][data-state="registered"]`, { timeout: 5_000 });
    expect(await page.locator(`[data-testid="queue-row"][data-code="${c.code}"]`).count()).toBe(0);
    await expect.poll(async () => (await consoleHook(page)).mapCases.includes(a.id)).toBe(true);
    expect((await consoleHook(page)).mapCases).not.toContain(c.id);
    await page.close();
  });

  it(`away beyond ${CATCH_UP_REPLAY_MAX} events: reloads its open cases instead of replaying them, and ends as a fresh console`, async () => {
    const dispatcher: Session = await login(server.app, 'dispatcher');
    const at = await keyAreaPoint(server.app, '春熙路·太古里');
    const page = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`${server.base}/`);
    await page.fill('[data-testid="login-name"]', 'dispatcher');
    await page.fill('[data-testid="login-password"]', TEST_PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForFunction(() => (window as unknown as { __zhihui: ConsoleHook }).__zhihui.live === 'live', null, { timeout: 60_000 });
    const before = await liveCounters(page);

    await page.context().setOffline(true);
    await page.evaluate(() => (window as unknown as { __zhihuiLive: { simulateDrop(): void } }).__zhihuiLive.simulateDrop());
    await page.waitForSelector('[data-testid="connection-banner"][data-state="lost"]', { timeout: 10_000 });

    // meanwhile: more cases than the console would replay (two events each), a few of them voided
    const start = Number((await db.pool.query(`SELECT max(seq) AS s FROM incident_events`)).rows[0].s);
    const n = Math.ceil(CATCH_UP_REPLAY_MAX / 2) + 20;
    const made: { id: number; code: string }[] = [];
    for (let i = 0; i < n; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(10, n - i) }, (_, k) =>
          call(server.app, dispatcher, {
            url: '/api/incidents',
            body: { category: '0504', source: 'public', description: `久离测试 ${i + k}`, lon: east(at, 3 * (i + k))[0], lat: at[1], register: true },
          }),
        ),
      );
      for (const r of batch) {
        expect(r.status, r.body).toBe(201);
        made.push(r.json.incident);
      }
    }
    const voided = made.slice(0, 5);
    for (const c of voided) expect((await call(server.app, dispatcher, { url: `/api/incidents/${c.id}/void`, body: { reason: '重复举报' } })).status).toBe(200);
    const head = Number((await db.pool.query(`SELECT max(seq) AS s FROM incident_events`)).rows[0].s);
    expect(head - start).toBeGreaterThan(CATCH_UP_REPLAY_MAX);

    await page.context().setOffline(false);
    await page.waitForFunction(
      (h) => {
        const z = (window as unknown as { __zhihui: ConsoleHook }).__zhihui;
        return z.live === 'live' && z.lastSeq >= h;
      },
      head,
      { timeout: 60_000 },
    );
    await page.locator('[data-testid="connection-banner"][data-state="done"] [data-testid="caught-up-reloaded"]').waitFor({ timeout: 5_000 });
    await page.screenshot({ path: path.join(SHOTS, `console-reloaded-${mode}.png`) });
    const after = await liveCounters(page);
    expect(after.reloads).toBe(before.reloads + 1);
    // the missed events were not applied one by one
    expect(after.applied - before.applied).toBeLessThan(CATCH_UP_REPLAY_MAX / 10);

    // consistent: the open cases it shows are those a freshly loaded console gets
    const open: number[] = [];
    for (let afterId = 0; ;) {
      const rows = (await call(server.app, dispatcher, { url: `/api/incidents?open=true&limit=1000&afterId=${afterId}` })).json as { id: number }[];
      open.push(...rows.map((r) => r.id));
      if (rows.length < 1000) break;
      afterId = rows.at(-1)!.id;
    }
    expect(open).toContain(made.at(-1)!.id);
    for (const c of voided) expect(open).not.toContain(c.id);
    await expect.poll(async () => [...(await consoleHook(page)).mapCases].sort((a, b) => a - b), { timeout: 10_000 }).toEqual([...open].sort((a, b) => a - b));
    // the queue draws only the rows in view: find each by its code
    await searchQueue(page, made.at(-1)!.code);
    await page.waitForSelector(`[data-testid="queue-row"][data-code="${made.at(-1)!.code}"][data-state="registered"]`, { timeout: 5_000 });
    await searchQueue(page, voided[0]!.code);
    await page.waitForSelector('[data-testid="queue-row"]', { state: 'detached', timeout: 5_000 });
    await page.close();
  }, 180_000); // some 500 cases through the intake first: a minute on the embedded database
});

/** The live client's counters (window.__zhihuiLive): events applied since start, catch-ups that reloaded. */
const liveCounters = (page: Page) =>
  page.evaluate(() => {
    const l = (window as unknown as { __zhihuiLive: { applied: number; reloads: number } }).__zhihuiLive;
    return { applied: l.applied, reloads: l.reloads };
  });

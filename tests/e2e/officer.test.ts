// The officer's phone in Chromium emulating a phone (360×740, touch, geolocation): on duty, a
// dispatch made through the API arrives within 2 s, accept → arrive → handle with a photo while a
// dispatcher's console follows each step live; then the same on a dead network: steps queue on the
// phone, survive a reload, and reach the server once each, in order, when the network is back.
import path from 'node:path';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { consoleServerForFile, SHOTS } from '../support/browser.ts';
import { call, login, type Session, TINY_PNG } from '../support/clients.ts';
import { openConsole, queueRow, searchQueue } from '../support/console-page.ts';
import { testDatabase } from '../support/database.ts';
import { east, keyAreaPoint } from '../support/fixtures.ts';
import { phoneOnDuty } from '../support/officer-page.ts';

const db = testDatabase();
const mode = inject('databaseMode');
const server = consoleServerForFile(db);
let dispatcher: Session;
let officerId: number;
let spot: [number, number];
const PASSWORD = 'Phone-Outbox-Harbor-42';
let loginName: string;

beforeAll(async () => {
  dispatcher = await login(server.app, 'dispatcher');
  const admin = await login(server.app, 'admin');
  // a certified officer of the squad responsible for 锦里, with a phone account of their own
  spot = await keyAreaPoint(server.app, '锦里');
  officerId = (
    await db.pool.query<{ id: number }>(
      `
    SELECT o.id FROM officers o JOIN grid_cells g ON g.squad_id = o.squad_id
    WHERE ST_Covers(g.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) AND g.valid_to IS NULL AND o.kind = 'officer'
      AND o.duty_status <> 'busy' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.officer_id = o.id)
    ORDER BY o.id DESC LIMIT 1`,
      spot,
    )
  ).rows[0]!.id;
  loginName = `phone${officerId}-${process.pid}`;
  const made = await call(server.app, admin, {
    url: '/api/users',
    body: { login: loginName, password: PASSWORD, displayName: '手机测试', role: 'officer', officerId },
  });
  expect(made.status).toBe(201);
});

async function phone(): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await server.browser.newContext({
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
    geolocation: { longitude: east(spot, 15)[0], latitude: spot[1], accuracy: 8 },
    permissions: ['geolocation'],
  });
  const page = await ctx.newPage();
  await page.goto(`${server.base}/#/officer`);
  return { ctx, page };
}

async function logInPhone(page: Page): Promise<void> {
  await page.fill('[data-testid="login-name"]', loginName);
  await page.fill('[data-testid="login-password"]', PASSWORD);
  await page.click('[data-testid="login-submit"]');
  await page.waitForSelector('[data-testid="duty-toggle"]', { timeout: 30_000 });
}

async function newCase(description: string): Promise<{ id: number; code: string }> {
  const r = await call(server.app, dispatcher, {
    url: '/api/incidents',
    body: { category: '0507', source: 'public', description, lon: spot[0], lat: spot[1], register: true },
  });
  expect(r.status).toBe(201);
  return r.json.incident;
}

const eventsOf = async (id: number) =>
  (await db.pool.query<{ type: string }>(`SELECT type FROM incident_events WHERE incident_id = $1 ORDER BY seq`, [id])).rows.map((r) => r.type);

describe(`the officer's phone (${mode} database)`, () => {
  it('goes on duty, gets a dispatch within 2 s, and accepts, arrives and handles with a photo while the console follows', async () => {
    const { ctx, page } = await phone();
    await logInPhone(page);
    if ((await page.getAttribute('[data-testid="duty-toggle"]', 'data-duty')) !== 'available') await page.click('[data-testid="duty-on"]');
    await page.waitForSelector('[data-testid="duty-toggle"][data-duty="available"]');
    // the phone shares its position, and says so
    await page.waitForSelector('[data-testid="sharing"]', { timeout: 15_000 });
    await expect
      .poll(
        async () => (await db.pool.query(`SELECT position_at > now() - interval '1 minute' AS fresh FROM officers WHERE id = $1`, [officerId])).rows[0].fresh,
        { timeout: 15_000 },
      )
      .toBe(true);
    await page.screenshot({ path: path.join(SHOTS, `officer-360x740-on-duty-${mode}.png`) });

    const wallCtx = await server.browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const wall = await wallCtx.newPage();
    await openConsole(wall, server.base, 'dispatcher');

    const inc = await newCase('手机测试：乱堆物堆料');
    await searchQueue(wall, inc.code);
    await queueRow(wall, inc.code).waitFor({ timeout: 5_000 });
    const sent = await call(server.app, dispatcher, { url: `/api/incidents/${inc.id}/dispatch`, body: { officerIds: [officerId] } });
    expect(sent.status).toBe(200);
    const dispatchedAt = Date.now();
    await page.waitForSelector('[data-testid="dispatch-card"][data-state="dispatched"]', { timeout: 2_000 });
    console.log(`[phone] dispatch on the phone ${Date.now() - dispatchedAt} ms after the API answered (${mode})`);
    // navigation in the apps officers use, in their coordinate systems
    const amap = await page.getAttribute('a[href*="uri.amap.com"]', 'href');
    expect(amap).toContain('coordinate=gaode');
    expect(await page.getAttribute('a[href^="baidumap:"]', 'href')).toContain('coord_type=bd09ll');
    await page.screenshot({ path: path.join(SHOTS, `officer-360x740-dispatch-${mode}.png`) });
    // thumb-sized: the main button is wide and tall, inside the screen
    const box = (await page.locator('[data-testid="primary-action"]').boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(56);
    expect(box.x + box.width).toBeLessThanOrEqual(360);

    await page.tap('[data-testid="primary-action"]');
    await wall.waitForSelector(`[data-testid="queue-row"][data-code="${inc.code}"][data-state="accepted"]`, { timeout: 5_000 });
    await page.waitForSelector('[data-testid="dispatch-card"][data-state="accepted"]');
    await page.tap('[data-testid="primary-action"]');
    await wall.waitForSelector(`[data-testid="queue-row"][data-code="${inc.code}"][data-state="on_scene"]`, { timeout: 5_000 });
    await page.waitForSelector('[data-testid="dispatch-card"][data-state="on_scene"]');
    await page.setInputFiles('[data-testid="photo-input"]', { name: 'scene.png', mimeType: 'image/png', buffer: TINY_PNG });
    await page.tap('[data-testid="outcome-service"]');
    await expect.poll(() => page.locator('[data-testid="primary-action"]').isEnabled(), { timeout: 10_000 }).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, `officer-360x740-handle-${mode}.png`) });
    await page.tap('[data-testid="primary-action"]');
    await wall.waitForSelector(`[data-testid="queue-row"][data-code="${inc.code}"][data-state="handled"]`, { timeout: 5_000 });
    await page.waitForSelector('[data-testid="outbox"]', { state: 'detached', timeout: 5_000 });

    expect(await eventsOf(inc.id)).toEqual([
      'incident.reported',
      'incident.registered',
      'incident.dispatched',
      'incident.accepted',
      'incident.arrived',
      'incident.evidence_added',
      'incident.handled',
    ]);
    const handled = (
      await db.pool.query(`SELECT outcome, (SELECT count(*) FROM evidence e WHERE e.incident_id = i.id)::int AS photos FROM incidents i WHERE id = $1`, [
        inc.id,
      ])
    ).rows[0];
    expect(handled).toEqual({ outcome: 'service', photos: 1 });
    await wallCtx.close();
    await ctx.close();
  });

  it('reports a problem on patrol: category, photo, its own position, a few words', async () => {
    const { ctx, page } = await phone();
    await logInPhone(page);
    await phoneOnDuty(page);
    await page.waitForSelector('[data-testid="sharing"]', { timeout: 15_000 });
    await page.tap('[data-testid="report-open"]');
    await page.selectOption('[data-testid="report-category"]', '0510');
    await page.setInputFiles('[data-testid="report-photo"]', { name: 'bbq.png', mimeType: 'image/png', buffer: TINY_PNG });
    await page.fill('[data-testid="report-description"]', '巡查发现：人行道露天烧烤');
    await page.screenshot({ path: path.join(SHOTS, `officer-360x740-report-${mode}.png`) });
    await page.tap('[data-testid="report-submit"]');
    const code = (await page.textContent('[data-testid="report-done"] b', { timeout: 10_000 }))!.trim();
    const row = (
      await db.pool.query(
        `
      SELECT i.source, c.minor_code AS category, ST_Distance(i.position::geography, ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography) < 5 AS here,
             (SELECT count(*) FROM evidence e WHERE e.incident_id = i.id)::int AS photos, u.login
      FROM incidents i JOIN categories c ON c.id = i.category_id JOIN users u ON u.id = i.reported_by WHERE i.code = $1`,
        [code, east(spot, 15)[0], spot[1]],
      )
    ).rows[0];
    expect(row).toEqual({ source: 'patrol', category: '0510', here: true, photos: 1, login: loginName });
    await ctx.close();
  });

  it('keeps steps taken offline through a reload and sends them once each, in order, when the network is back', async () => {
    const inc = await newCase('手机测试：断网处置');
    expect((await call(server.app, dispatcher, { url: `/api/incidents/${inc.id}/dispatch`, body: { officerIds: [officerId] } })).status).toBe(200);
    const { ctx, page } = await phone();
    await logInPhone(page);
    await page.waitForSelector('[data-testid="dispatch-card"][data-state="dispatched"]', { timeout: 10_000 });
    await page.tap('[data-testid="primary-action"]');
    await expect.poll(async () => (await eventsOf(inc.id)).at(-1), { timeout: 5_000 }).toBe('incident.accepted');
    await page.waitForSelector('[data-testid="dispatch-card"][data-state="accepted"]');
    // the server.app shell is cached (the service worker serves it without a network)
    await expect.poll(() => page.evaluate(async () => (await (await caches.open('zhihui-shell-v1')).keys()).length), { timeout: 10_000 }).toBeGreaterThan(3);

    // setOffline alone leaks: a page reloaded offline (served by the service worker) now and then sends
    // a request before Chromium's offline emulation reaches its new document. A phone without a network
    // sends nothing, so the API is cut off as well, for the page and its worker alike.
    const noNetwork = (route: Route) => route.abort('internetdisconnected');
    await ctx.setOffline(true);
    await ctx.route('**/api/**', noNetwork);
    await page.tap('[data-testid="primary-action"]'); // 到场, offline
    await page.waitForSelector('[data-testid="dispatch-card"][data-state="on_scene"]');
    await page.tap('[data-testid="outcome-management"]');
    await page.tap('[data-testid="primary-action"]'); // 处置反馈, offline
    await page.waitForSelector('[data-testid="outbox"][data-pending="2"]');
    await page.screenshot({ path: path.join(SHOTS, `officer-360x740-offline-queue-${mode}.png`) });

    await page.reload();
    // Both steps outlived the reload: each is still in the outbox or already on the server, none lost
    // and none twice. (Chromium's offline emulation and Playwright's routes do not always reach a
    // document the service worker has just served, so now and then a step leaves early: CI saw
    // 'arrived' on the server right after the reload. A phone without a network sends nothing.)
    // A step that left early may also still be in the outbox (its answer was lost with the old
    // document): it is kept in both places and resent once the network is back, and the server takes
    // it once (the step_requests check below). So: every step kept somewhere, none lost.
    const offlineSteps = async () => {
      const pending = Number((await page.getAttribute('[data-testid="outbox"]', 'data-pending', { timeout: 1_000 }).catch(() => null)) ?? 0);
      const sent = (await eventsOf(inc.id)).slice(4);
      return {
        kept: pending + sent.length >= 2 && pending <= 2,
        sentInOrder: ['incident.arrived', 'incident.handled'].slice(0, sent.length).join() === sent.join(),
      };
    };
    await expect.poll(offlineSteps, { timeout: 15_000 }).toEqual({ kept: true, sentInOrder: true });
    expect((await eventsOf(inc.id)).slice(0, 4)).toEqual(['incident.reported', 'incident.registered', 'incident.dispatched', 'incident.accepted']);

    await ctx.unroute('**/api/**', noNetwork);
    await ctx.setOffline(false);
    await page.waitForSelector('[data-testid="outbox"]', { state: 'detached', timeout: 20_000 });
    await expect
      .poll(() => eventsOf(inc.id), { timeout: 5_000 })
      .toEqual(['incident.reported', 'incident.registered', 'incident.dispatched', 'incident.accepted', 'incident.arrived', 'incident.handled']);
    const steps = (await db.pool.query(`SELECT action FROM step_requests WHERE incident_id = $1 ORDER BY taken_at`, [inc.id])).rows.map((r) => r.action);
    expect(steps).toEqual(['accept', 'arrive', 'handle']);
    await ctx.close();
  });
});

import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { call, login, type Session } from '../support/clients.ts';
import { TEST_PASSWORD } from '../support/constants.ts';
import { searchQueue } from '../support/console-page.ts';
import { testDatabase } from '../support/database.ts';
import { east, keyAreaPoint } from '../support/fixtures.ts';
import { consoleServerForFile, SHOTS } from '../support/browser.ts';

const db = testDatabase();
const server = consoleServerForFile(db);

async function logIn(page: Page, name: string) {
  await page.fill('[data-testid="login-name"]', name);
  await page.fill('[data-testid="login-password"]', TEST_PASSWORD);
  await page.click('[data-testid="login-submit"]');
}

describe(`the loop in two browsers: wall screen and officer phone (${inject('databaseMode')} database)`, () => {
  it('shows a new case live, dispatches it with one click, and the officer answers it from the phone', async () => {
    const officerApi: Session = await login(server.app, 'officer');
    // A spot in the grid of the officer's own squad (属地), so he comes first among the recommended.
    const near = await keyAreaPoint(server.app, '春熙路·太古里');
    const spot = (
      await db.pool.query<{ lon: number; lat: number }>(
        `
      SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (
        SELECT ST_PointOnSurface(g.geom) AS p FROM grid_cells g JOIN officers o ON o.squad_id = g.squad_id
        WHERE o.id = $1 ORDER BY g.geom <-> ST_SetSRID(ST_MakePoint($2, $3), 4326) LIMIT 1) x`,
        [officerApi.user.officerId, near[0], near[1]],
      )
    ).rows.map((r) => [r.lon, r.lat] as [number, number])[0]!;
    const dispatcherApi: Session = await login(server.app, 'dispatcher');

    const wall = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await wall.goto(`${server.base}/`);
    await logIn(wall, 'dispatcher');
    await wall.waitForFunction(() => (window as unknown as { __zhihui: { live: string } }).__zhihui.live === 'live', null, { timeout: 30_000 });

    // off duty to start with (another test may have left him on), so the phone puts him on
    expect((await call(server.app, officerApi, { url: '/api/officers/me/duty', body: { status: 'off_duty' } })).status).toBe(200);
    const phone = await server.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await phone.goto(`${server.base}/#/officer`);
    await logIn(phone, 'officer');
    await phone.waitForSelector('[data-testid="duty-toggle"]', { timeout: 30_000 });
    await phone.click('[data-testid="duty-on"]');
    await phone.waitForSelector('[data-testid="duty-toggle"][data-duty="available"]');
    // The phone's GPS: a fix right next to the case.
    expect((await call(server.app, officerApi, { url: '/api/officers/me/position', body: { lon: east(spot, 5)[0], lat: spot[1] } })).status).toBe(202);

    const intake = await call(server.app, dispatcherApi, {
      url: '/api/incidents',
      body: { category: '0504', source: 'public', description: '浏览器测试：店外经营', lon: spot[0], lat: spot[1], register: true },
    });
    const code = intake.json.incident.code as string;
    await searchQueue(wall, code);
    const row = wall.locator('[data-testid="queue-row"]', { hasText: code });
    await row.waitFor({ timeout: 5_000 });
    await row.click();
    await wall.waitForSelector('[data-testid="recommendations"]');
    const officerName = (await db.pool.query(`SELECT name FROM officers WHERE id = $1`, [officerApi.user.officerId])).rows[0].name as string;
    const candidate = wall.locator('[data-testid="recommendations"] li', { hasText: officerName }).first();
    await candidate.locator('[data-testid="dispatch-one"]').click();
    await wall.waitForSelector('[data-testid="case-state"]:has-text("已派遣")', { timeout: 5_000 });
    await wall.screenshot({ path: path.join(SHOTS, `live-wall-dispatched-${inject('databaseMode')}.png`) });

    await phone.waitForSelector('[data-testid="dispatch-card"][data-state="dispatched"]', { timeout: 5_000 });
    await phone.screenshot({ path: path.join(SHOTS, `live-phone-dispatch-${inject('databaseMode')}.png`) });
    await phone.click('[data-testid="primary-action"]');
    await phone.waitForSelector('[data-testid="dispatch-card"][data-state="accepted"]');
    await phone.click('[data-testid="primary-action"]');
    await phone.waitForSelector('[data-testid="dispatch-card"][data-state="on_scene"]');
    await phone.click('[data-testid="outcome-enforcement"]');
    await phone.click('[data-testid="primary-action"]');

    await wall.waitForSelector('[data-testid="case-state"]:has-text("已处置")', { timeout: 5_000 });
    const record = (await call(server.app, dispatcherApi, { url: `/api/incidents/${intake.json.incident.id}/events` })).json.map(
      (e: { type: string }) => e.type,
    );
    expect(record).toEqual(['incident.reported', 'incident.registered', 'incident.dispatched', 'incident.accepted', 'incident.arrived', 'incident.handled']);
    await wall.screenshot({ path: path.join(SHOTS, `live-wall-handled-${inject('databaseMode')}.png`) });
    await wall.close();
    await phone.close();
  });
});

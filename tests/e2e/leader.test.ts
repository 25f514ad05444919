// The district leader's view in Chromium: a leader logs in and lands on it; the heatmap, the
// key-area board, the escalations and the indicators render; a case posted through the API shows up
// in the heatmap and the board's counts without a reload, and an escalation in the list.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { consoleServerForFile, SHOTS } from '../support/browser.ts';
import { call, login } from '../support/clients.ts';
import { TEST_PASSWORD } from '../support/constants.ts';
import { testDatabase } from '../support/database.ts';
import { east, keyAreaPoint } from '../support/fixtures.ts';

const db = testDatabase();
const mode = inject('databaseMode');
const server = consoleServerForFile(db);

interface LeaderHook {
  loadedAt: number;
  heatTotal: number | null;
  heatCells: number | null;
  board: { id: number; name: string; complaints: number; open: number }[] | null;
  escalations: number;
  indicatorRows: number | null;
  errors: Record<string, string>;
}
const hook = (page: Page) => page.evaluate(() => (window as unknown as { __zhihuiLeader?: LeaderHook }).__zhihuiLeader ?? null);

describe(`the leader's view (${mode} database)`, () => {
  it('shows heatmap, key areas, escalations and indicators, and counts a new case and an escalation live', { timeout: 180_000 }, async () => {
    const page = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.base}/`);
    await page.fill('[data-testid="login-name"]', 'leader');
    await page.fill('[data-testid="login-password"]', TEST_PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForURL(/#\/leader/, { timeout: 10_000 });
    await page.waitForFunction(
      () => {
        const h = (window as unknown as { __zhihuiLeader?: LeaderHook }).__zhihuiLeader;
        return !!h && h.loadedAt > 0 && h.board !== null && h.indicatorRows !== null;
      },
      null,
      { timeout: 30_000 },
    );
    const before = (await hook(page))!;
    expect(before.errors).toEqual({});
    // the demo leader is 锦江区's: one district in the table
    expect(before.indicatorRows).toBe(1);
    expect(await page.textContent('[data-testid="leader-scope"]')).toContain('锦江');
    const chunxi = before.board!.find((r) => r.name.startsWith('春熙路'));
    expect(chunxi, JSON.stringify(before.board)).toBeDefined();

    // a public complaint in 春熙路·太古里 (锦江区), then a manual escalation
    const dispatcher = await login(server.app, 'dispatcher');
    const at = await keyAreaPoint(server.app, '春熙路·太古里');
    const r = await call(server.app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0503', source: 'public', description: '领导视图测试：占道经营', lon: east(at, 10)[0], lat: at[1], register: true },
    });
    expect(r.status).toBe(201);
    await expect.poll(async () => (await hook(page))!.heatTotal, { timeout: 30_000 }).toBe((before.heatTotal ?? 0) + 1);
    await expect.poll(async () => (await hook(page))!.board!.find((x) => x.id === chunxi!.id)!.complaints, { timeout: 30_000 }).toBe(chunxi!.complaints + 1);
    expect((await call(server.app, dispatcher, { url: `/api/incidents/${r.json.incident.id}/escalate`, body: { reason: '领导视图测试' } })).status).toBe(200);
    await page.waitForSelector(`[data-testid="escalation"][data-code="${r.json.incident.code}"]`, { timeout: 10_000 });

    // charts drew on their canvases, the definitions are on the headers
    for (const id of ['chart-trend', 'chart-ranking', 'chart-categories'])
      expect(await page.locator(`[data-testid="${id}"] canvas`).count()).toBeGreaterThan(0);
    expect(await page.getAttribute('[data-testid="indicators"] th[data-key="closeRate"]', 'title')).toMatch(/结案率/);
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(SHOTS, `leader-1920x1080-${mode}.png`), fullPage: false });
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('loads at once for a leader who opens /#/leader and logs in there (not only after the redirect from /)', { timeout: 180_000 }, async () => {
    // the live feed's effect used to drop the first load when the login brought a user: "loading" for a minute
    const page = await server.browser.newPage({ viewport: { width: 1600, height: 900 } });
    await page.goto(`${server.base}/#/leader`);
    await page.fill('[data-testid="login-name"]', 'leader');
    await page.fill('[data-testid="login-password"]', TEST_PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForFunction(
      () => {
        const h = (window as unknown as { __zhihuiLeader?: LeaderHook }).__zhihuiLeader;
        return !!h && h.loadedAt > 0 && h.board !== null && h.indicatorRows !== null && h.heatTotal !== null;
      },
      null,
      { timeout: 20_000 },
    );
    expect((await hook(page))!.errors).toEqual({});
    await page.close();
  });

  it('lets a city leader compare the five districts', { timeout: 180_000 }, async () => {
    const admin = await login(server.app, 'admin');
    const made = await call(server.app, admin, {
      url: '/api/users',
      body: { login: `cityleader${process.pid}`, password: 'Lantern-Civic-Orbit-93', displayName: '市领导', role: 'leader', districtAdcode: null },
    });
    expect(made.status, made.body).toBe(201);
    const page = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`${server.base}/`);
    await page.fill('[data-testid="login-name"]', `cityleader${process.pid}`);
    await page.fill('[data-testid="login-password"]', 'Lantern-Civic-Orbit-93');
    await page.click('[data-testid="login-submit"]');
    await page.waitForURL(/#\/leader/, { timeout: 10_000 });
    // the first load done (a busy machine draws the map and charts at a few frames a second, and a
    // click waits for the button to hold still over two frames)
    await page.waitForFunction(() => ((window as unknown as { __zhihuiLeader?: LeaderHook }).__zhihuiLeader?.loadedAt ?? 0) > 0, null, { timeout: 30_000 });
    await page.click('[data-testid="period-30d"]');
    await page.waitForFunction(() => (window as unknown as { __zhihuiLeader?: LeaderHook }).__zhihuiLeader?.indicatorRows === 5, null, { timeout: 30_000 });
    expect(await page.locator('[data-testid="indicator-row"]').count()).toBe(5);
    await page.click('[data-testid="by-squad"]');
    await expect.poll(async () => page.locator('[data-testid="indicator-row"]').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(10);
    await page.screenshot({ path: path.join(SHOTS, `leader-city-1920x1080-${mode}.png`) });
    await page.close();
  });
});

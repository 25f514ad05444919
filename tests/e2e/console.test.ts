// The wall console in Chromium: the map layers are behind a login (issue 10), so a logged-out wall
// shows an empty dark map and the login card, and a dispatcher's login brings every layer; a session
// the server ends (an administrator signs the user out) sends the wall back to the login form with a
// notice; the password can be changed from the header, the server's policy saying why it refuses one.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { consoleServerForFile, SHOTS } from '../support/browser.ts';
import { call, login } from '../support/clients.ts';
import { TEST_PASSWORD } from '../support/constants.ts';
import { consoleHook, type ConsoleHook } from '../support/console-page.ts';
import { testDatabase } from '../support/database.ts';
import { strongPassword } from '../support/fixtures.ts';

const db = testDatabase();
const mode = inject('databaseMode');
const server = consoleServerForFile(db);

const waitReadyLive = (page: Page) =>
  page.waitForFunction(
    () => {
      const h = (window as unknown as { __zhihui: ConsoleHook }).__zhihui;
      return h.live === 'live' && h.ready;
    },
    null,
    { timeout: 90_000 },
  );

async function logIn(page: Page, user: string, password = TEST_PASSWORD): Promise<void> {
  await page.fill('[data-testid="login-name"]', user);
  await page.fill('[data-testid="login-password"]', password);
  await page.click('[data-testid="login-submit"]');
}

const storedToken = (page: Page) =>
  page.evaluate(() => (JSON.parse(localStorage.getItem('zhihui.session') ?? 'null') as { token?: string } | null)?.token ?? null);

describe(`the console in Chromium (${mode} database)`, () => {
  it('shows no layer logged out, then renders districts, grid, key areas, illegal buildings, squads and officers offline after login, at 1920×1080', async () => {
    const page = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const offsite: string[] = [];
    const consoleErrors: string[] = [];
    const refused: string[] = [];
    // No request may leave this machine: no CDN, no online basemap, no remote fonts.
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (!['127.0.0.1', 'localhost'].includes(url.hostname) && !['data:', 'blob:'].includes(url.protocol)) {
        offsite.push(url.href);
        return route.abort();
      }
      return route.continue();
    });
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('response', (r) => r.status() === 401 && refused.push(r.url()));

    // logged out: the map is there, empty (the layers need a login), and asks for none of them
    await page.goto(`${server.base}/`);
    await page.waitForFunction(() => (window as unknown as { __zhihui?: ConsoleHook }).__zhihui?.ready === true, null, { timeout: 90_000 });
    await page.waitForSelector('[data-testid="login-card"]');
    let h = await consoleHook(page);
    expect(h.errors).toEqual([]);
    expect(h.layers.districts).toBe(0);
    expect(h.layers.officers).toBe(0);
    expect(h.layers.gridCells).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, `console-logged-out-${mode}.png`) });

    await logIn(page, 'dispatcher');
    await waitReadyLive(page);
    h = await consoleHook(page);
    expect(h.errors).toEqual([]);
    expect(h.layers.districts).toBe(5);
    expect(h.layers.gridCells).toBeGreaterThan(500);
    expect(h.layers.keyAreas).toBeGreaterThanOrEqual(6);
    expect(h.layers.illegalBuildings).toBeGreaterThan(0);
    expect(h.layers.squads).toBeGreaterThanOrEqual(10);
    expect(h.layers.officers).toBeGreaterThan(50);
    // The map drew them: features are on screen, not only loaded.
    const drawn = await page.evaluate(() => {
      const map = (window as unknown as { __zhihuiMap: { queryRenderedFeatures(): { source: string }[] } }).__zhihuiMap;
      const counts: Record<string, number> = {};
      for (const f of map.queryRenderedFeatures()) counts[f.source] = (counts[f.source] ?? 0) + 1;
      return counts;
    });
    for (const source of ['zh-districts', 'zh-grid-cells', 'zh-key-areas', 'zh-illegal-buildings', 'zh-squads', 'zh-officers']) {
      expect(drawn[source] ?? 0, `${source} drawn; rendered: ${JSON.stringify(drawn)}`).toBeGreaterThan(0);
    }
    expect(await page.textContent('body')).toContain('天府广场');
    await page.screenshot({ path: path.join(SHOTS, `console-1920x1080-${mode}.png`) });

    // a renewed token (wall screens run for days) changes nothing on the wall; the next reconnection uses it
    const before = await storedToken(page);
    await page.evaluate(() => (window as unknown as { __zhihuiSession: { refreshNow(): Promise<unknown> } }).__zhihuiSession.refreshNow());
    const after = await storedToken(page);
    expect(after).not.toBe(before);
    expect((await consoleHook(page)).live).toBe('live');
    await page.evaluate(() => (window as unknown as { __zhihuiLive: { simulateDrop(): void } }).__zhihuiLive.simulateDrop());
    await waitReadyLive(page);

    // logging out forgets the layers
    await page.click('[data-testid="logout"]');
    await page.waitForSelector('[data-testid="login-card"]');
    await page.waitForFunction(() => (window as unknown as { __zhihui: ConsoleHook }).__zhihui.ready === true);
    h = await consoleHook(page);
    expect(h.layers.districts).toBe(0);
    expect(h.layers.officers).toBe(0);
    expect(h.layers.gridCells).toBe(0);
    expect(h.live).toBe('off');

    expect(refused).toEqual([]);
    expect(offsite).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 180_000);

  it('changes the password from the header (the policy says why it refuses one) and goes back to the login form with a notice when an admin signs the user out', async () => {
    const admin = await login(server.app, 'admin');
    const loginName = `wall${process.pid}`;
    const first = strongPassword();
    const made = await call(server.app, admin, { url: '/api/users', body: { login: loginName, password: first, displayName: '大屏测试', role: 'dispatcher' } });
    expect(made.status, made.body).toBe(201);
    const userId = made.json.id as number;

    const page = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.base}/`);
    await logIn(page, loginName, first);
    await waitReadyLive(page);
    const oldToken = await storedToken(page);

    // a password the policy refuses: the server's reason is shown
    await page.click('[data-testid="password-open"]');
    await page.fill('[data-testid="password-current"]', first);
    await page.fill('[data-testid="password-new"]', `${loginName}-2024`);
    await page.fill('[data-testid="password-again"]', `${loginName}-2024`);
    await page.click('[data-testid="password-submit"]');
    const error = page.locator('[data-testid="password-error"]');
    await error.waitFor({ timeout: 10_000 });
    expect(await error.textContent()).toContain('登录名');
    await page.screenshot({ path: path.join(SHOTS, `console-password-form-${mode}.png`) });

    // the wrong current password
    const second = strongPassword();
    await page.fill('[data-testid="password-current"]', 'not-the-password-at-all');
    await page.fill('[data-testid="password-new"]', second);
    await page.fill('[data-testid="password-again"]', second);
    await page.click('[data-testid="password-submit"]');
    await expect.poll(async () => (await error.textContent()) ?? '').toContain('当前密码');

    // a good one: a new token for this page, the old one ends, the wall stays logged in and live
    await page.fill('[data-testid="password-current"]', first);
    await page.click('[data-testid="password-submit"]');
    await page.waitForSelector('[data-testid="password-done"]', { timeout: 10_000 });
    await expect.poll(() => storedToken(page)).not.toBe(oldToken);
    expect((await call(server.app, { token: oldToken!, user: made.json }, { url: '/api/auth/me' })).status).toBe(401);
    expect((await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: loginName, password: second } })).statusCode).toBe(200);
    await waitReadyLive(page);
    expect(await page.locator('[data-testid="session"]').count()).toBe(1);

    // an administrator signs the user out everywhere: the wall goes back to the login form, says why, and stays there
    expect((await call(server.app, admin, { method: 'DELETE', url: `/api/users/${userId}/sessions` })).status).toBe(200);
    const notice = page.locator('[data-testid="session-notice"]');
    await notice.waitFor({ timeout: 15_000 });
    expect(await notice.textContent()).toContain('会话已结束');
    await page.waitForFunction(() => (window as unknown as { __zhihui: ConsoleHook }).__zhihui.live === 'off');
    const h = await consoleHook(page);
    expect(h.layers.officers).toBe(0);
    expect(h.layers.districts).toBe(0);
    expect(await storedToken(page)).toBeNull();
    await page.screenshot({ path: path.join(SHOTS, `console-session-ended-${mode}.png`) });
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 180_000);
});

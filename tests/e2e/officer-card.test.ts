// Where a case is, said in words on both screens (the console's 位置 and the phone's dispatch card,
// one formatter for both): district, street, community and grid code from the database; the card adds
// a small map with the spot and the officer. After 到场 the phone's main button says what is missing
// (the 721 outcome) and a tap on it brings the choice into view. The sunlight theme: light, body text
// at 7:1 or more, remembered on the phone. Phone 360×740, console 1920×1080.
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Landmark } from '#shared/geocode/contract.ts';
import { landmarkInWords } from '#shared/geocode/words.ts';
import { consoleServerForFile, SHOTS } from '../support/browser.ts';
import { call, login, type Session } from '../support/clients.ts';
import { openConsole, queueRow, searchQueue } from '../support/console-page.ts';
import { testDatabase } from '../support/database.ts';
import { east, keyAreaPoint } from '../support/fixtures.ts';
import { phoneOnDuty } from '../support/officer-page.ts';

const db = testDatabase();
const mode = inject('databaseMode');
const server = consoleServerForFile(db);
let dispatcher: Session;
/** one officer of the spot's squad per test, so that a test failing half-way leaves the next one a free officer */
let officers: { id: number; login: string }[];
let spot: [number, number];
const PASSWORD = 'Phone-Card-Sunlight-7';
const ADDRESS = '锦里古街北口';
/** the names and code the database holds for the spot */
let where: { district: string; street: string; community: string; grid: string };

beforeAll(async () => {
  dispatcher = await login(server.app, 'dispatcher');
  const admin = await login(server.app, 'admin');
  spot = await keyAreaPoint(server.app, '锦里');
  where = (
    await db.pool.query(
      `
    SELECT d.name AS district, s.name AS street, c.name AS community, g.code AS grid
    FROM grid_cells g JOIN communities c ON c.code = g.community_code JOIN streets s ON s.code = c.street_code
    JOIN districts d ON d.adcode = g.district_adcode
    WHERE ST_Covers(g.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) AND g.valid_to IS NULL ORDER BY g.id LIMIT 1`,
      spot,
    )
  ).rows[0];
  expect(where.community).toBeTruthy();
  const ids = (
    await db.pool.query<{ id: number }>(
      `
    SELECT o.id FROM officers o JOIN grid_cells g ON g.squad_id = o.squad_id
    WHERE ST_Covers(g.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) AND g.valid_to IS NULL AND o.kind = 'officer'
      AND o.duty_status <> 'busy' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.officer_id = o.id)
    ORDER BY o.id DESC LIMIT 3`,
      spot,
    )
  ).rows.map((r) => r.id);
  expect(ids).toHaveLength(3);
  officers = ids.map((id) => ({ id, login: `card${id}-${process.pid}` }));
  for (const o of officers) {
    const made = await call(server.app, admin, {
      url: '/api/users',
      body: { login: o.login, password: PASSWORD, displayName: '卡片测试', role: 'officer', officerId: o.id },
    });
    expect(made.status).toBe(201);
  }
});

async function phone(n: number): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await server.browser.newContext({
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
    geolocation: { longitude: east(spot, 120)[0], latitude: spot[1], accuracy: 8 },
    permissions: ['geolocation'],
  });
  const page = await ctx.newPage();
  await page.goto(`${server.base}/#/officer`);
  await page.fill('[data-testid="login-name"]', officers[n]!.login);
  await page.fill('[data-testid="login-password"]', PASSWORD);
  await page.click('[data-testid="login-submit"]');
  await phoneOnDuty(page);
  await page.waitForSelector('[data-testid="sharing"]', { timeout: 15_000 });
  return { ctx, page };
}

async function dispatchedCase(description: string, n: number): Promise<{ id: number; code: string; landmark: Landmark | null }> {
  const r = await call(server.app, dispatcher, {
    url: '/api/incidents',
    body: { category: '0507', source: 'public', description, lon: spot[0], lat: spot[1], address: ADDRESS, register: true },
  });
  expect(r.status).toBe(201);
  const inc = r.json.incident as { id: number; code: string; landmark: Landmark | null };
  expect((await call(server.app, dispatcher, { url: `/api/incidents/${inc.id}/dispatch`, body: { officerIds: [officers[n]!.id] } })).status).toBe(200);
  return inc;
}

/**
 * WCAG contrast of an element's text against what is behind it: its own background or, when that is
 * transparent, the nearest ancestor's (every background on the light theme is opaque).
 */
function contrastOf(page: Page, selector: string): Promise<number> {
  return page
    .locator(selector)
    .first()
    .evaluate((el) => {
      const rgb = (c: string): [number, number, number, number] => {
        const m = c.match(/[\d.]+/g)!.map(Number);
        return [m[0]!, m[1]!, m[2]!, m[3] ?? 1];
      };
      const lum = ([r, g, b]: number[]) => {
        const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
      };
      let bg: HTMLElement | null = el as HTMLElement;
      while (bg && rgb(getComputedStyle(bg).backgroundColor)[3] === 0) bg = bg.parentElement;
      const back = bg ? rgb(getComputedStyle(bg).backgroundColor) : [255, 255, 255, 1];
      const fore = lum(rgb(getComputedStyle(el).color));
      const behind = lum(back);
      return (Math.max(fore, behind) + 0.05) / (Math.min(fore, behind) + 0.05);
    });
}

describe(`where a case is, the 721 hint and the sunlight theme (${mode} database)`, () => {
  it('names district, street, community and grid code on the console and on the phone, with a small map on the phone', async () => {
    const { ctx, page } = await phone(0);
    const inc = await dispatchedCase('卡片测试：位置', 0);
    const area = `${where.district} · ${where.street} · ${where.community}`;

    const wallCtx = await server.browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const wall = await wallCtx.newPage();
    wall.on('pageerror', (e) => console.log('[wall error]', e));
    wall.on('console', (m) => m.type() === 'error' && console.log('[wall console]', m.text()));
    await openConsole(wall, server.base, 'dispatcher');
    await searchQueue(wall, inc.code);
    // the row may move while the live feed brings the dispatch in: click until the case is open
    const opened = wall.locator(`[data-testid="case-code"][data-code="${inc.code}"]`);
    await expect
      .poll(
        async () => {
          if ((await opened.count()) === 0) await queueRow(wall, inc.code).click();
          return opened.count();
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toBe(1);
    // the landmark intake found (锦里 lies beyond 500 m of the demo patch's named roads: none), said alike on both screens
    const landmark = inc.landmark ? landmarkInWords(inc.landmark, 'zh') : null;
    const landmarkOn = async (p: Page, id: string) =>
      (await p.locator(`[data-testid="${id}"]`).count()) ? (await p.textContent(`[data-testid="${id}"]`))!.trim() : null;
    expect(await landmarkOn(wall, 'case-place-landmark')).toBe(landmark);
    expect((await wall.textContent('[data-testid="case-place-area"]'))!.trim()).toBe(area);
    expect((await wall.textContent('[data-testid="case-place-address"]'))!.trim()).toBe(ADDRESS);
    expect((await wall.textContent('[data-testid="case-place-grid"]'))!.trim()).toBe(where.grid);
    await wall.locator('[data-testid="case-detail"]').screenshot({ path: path.join(SHOTS, `console-case-place-${mode}.png`) });
    await wallCtx.close();

    await page.waitForSelector('[data-testid="dispatch-card"][data-state="dispatched"]', { timeout: 10_000 });
    expect(await landmarkOn(page, 'card-place-landmark')).toBe(landmark);
    expect((await page.textContent('[data-testid="card-place-area"]'))!.trim()).toBe(area);
    expect((await page.textContent('[data-testid="card-place-address"]'))!.trim()).toBe(ADDRESS);
    expect((await page.textContent('[data-testid="card-place-grid"]'))!.trim()).toBe(where.grid);
    // the map drew its style with the spot and the officer on it, small enough to leave the words and the button in view
    await page.waitForSelector('[data-testid="case-map"][data-ready="yes"]', { timeout: 20_000 });
    const box = (await page.locator('[data-testid="case-map"]').boundingBox())!;
    expect(box.height).toBeLessThanOrEqual(200);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    await page.locator('[data-testid="card-place"]').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await page.screenshot({ path: path.join(SHOTS, `officer-card-dark-${mode}.png`) });
    await ctx.close();
  }, 240_000);

  it('after 到场 the main button says the outcome is missing, and tapping it brings the 721 choice into view', async () => {
    const { ctx, page } = await phone(1);
    const inc = await dispatchedCase('卡片测试：处置方式', 1);
    await page.waitForSelector('[data-testid="dispatch-card"][data-state="dispatched"]', { timeout: 10_000 });
    await page.tap('[data-testid="primary-action"]');
    await page.waitForSelector('[data-testid="dispatch-card"][data-state="accepted"]', { timeout: 10_000 });
    await page.tap('[data-testid="primary-action"]');
    await page.waitForSelector('[data-testid="dispatch-card"][data-state="on_scene"]', { timeout: 10_000 });

    const button = page.locator('[data-testid="primary-action"]');
    await expect.poll(() => button.getAttribute('data-missing')).toBe('outcome');
    expect(await button.textContent()).toContain('先选择处置方式');
    expect(await button.textContent()).toContain('Choose the outcome first');
    // the choice starts out of sight: the page is at its top, the choice below the fold
    await page.locator('[data-testid="phone"]').evaluate((el) => el.scrollTo(0, 0));
    const outcomes = page.locator('[data-testid="outcomes"]');
    const before = (await outcomes.boundingBox())!;
    expect(before.y + before.height).toBeGreaterThan(740);
    // aria-disabled, not disabled: the tap goes through (force: Playwright waits for aria-disabled otherwise)
    await button.tap({ force: true });
    await page.waitForSelector('[data-testid="outcomes"][data-flagged="yes"]', { timeout: 5_000 });
    await expect
      .poll(
        async () => {
          const b = (await outcomes.boundingBox())!;
          return b.y >= 0 && b.y + b.height <= 740;
        },
        { timeout: 5_000 },
      )
      .toBe(true);
    expect(await eventsOf(inc.id)).not.toContain('incident.handled');
    await page.screenshot({ path: path.join(SHOTS, `officer-card-outcome-hint-${mode}.png`) });

    await page.tap('[data-testid="outcome-service"]');
    await expect.poll(() => button.getAttribute('data-missing')).toBe('');
    expect(await button.textContent()).toContain('提交处置反馈');
    await page.waitForSelector('[data-testid="outcomes"][data-flagged="no"]');
    await button.tap();
    await expect.poll(() => eventsOf(inc.id), { timeout: 10_000 }).toContain('incident.handled');
    await ctx.close();
  }, 240_000);

  it('switches to a light theme for sunlight, body text and forms at 7:1 or more, and keeps it after a reload', async () => {
    const { ctx, page } = await phone(2);
    await dispatchedCase('卡片测试：强光模式', 2);
    await page.waitForSelector('[data-testid="dispatch-card"][data-state="dispatched"]', { timeout: 10_000 });
    expect(await page.getAttribute('[data-testid="phone"]', 'data-theme')).toBe('dark');
    await page.tap('[data-testid="theme-toggle"]');
    await page.waitForSelector('[data-testid="phone"][data-theme="light"]');
    expect(await page.getAttribute('[data-testid="theme-toggle"]', 'aria-pressed')).toBe('true');

    const bodyText = [
      '[data-testid="dispatch-card"] h2',
      '[data-testid="dispatch-card"] h2 .en',
      '[data-testid="card-place-area"]',
      '[data-testid="card-place-address"]',
      '[data-testid="card-place-grid"]',
      '[data-testid="dispatch-card"] .desc',
      '[data-testid="dispatch-card"] .code',
      '[data-testid="gps"]',
      '[data-testid="live-indicator"] .main',
      '[data-testid="decline"]',
      '[data-testid="navigate"]',
    ];
    for (const s of bodyText) expect(await contrastOf(page, s), s).toBeGreaterThanOrEqual(7);
    // light it is: the card is white, not the navy of the dark theme
    expect(await page.locator('[data-testid="dispatch-card"]').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(255, 255, 255)');
    await page.waitForSelector('[data-testid="case-map"][data-ready="yes"]', { timeout: 20_000 });
    await page.screenshot({ path: path.join(SHOTS, `officer-card-light-top-${mode}.png`) });
    await page.locator('[data-testid="card-place"]').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await page.screenshot({ path: path.join(SHOTS, `officer-card-light-${mode}.png`) });

    // the report and password forms are light too: no navy fields or murky panels left from the dark theme
    await page.tap('[data-testid="report-open"]');
    await page.tap('[data-testid="password-open"]');
    await page.waitForSelector('[data-testid="password-form"]');
    const formText = [
      '[data-testid="report-form"] h2',
      '[data-testid="report-category"]',
      '[data-testid="report-description"]',
      '[data-testid="report-form"] .camera',
      '[data-testid="report-form"] .where',
      '[data-testid="password-form"] h3',
      '[data-testid="password-form"] .lbl',
      '[data-testid="password-current"]',
      '[data-testid="password-form"] .cancel',
    ];
    for (const s of formText) expect(await contrastOf(page, s), s).toBeGreaterThanOrEqual(7);
    for (const s of ['[data-testid="report-description"]', '[data-testid="password-new"]', '[data-testid="report-form"]']) {
      const bg = await page.locator(s).evaluate((el) => getComputedStyle(el).backgroundColor);
      const [r, g, b] = bg.match(/[\d.]+/g)!.map(Number);
      expect(Math.min(r!, g!, b!), `${s} background ${bg}`).toBeGreaterThan(230);
    }
    await page.locator('[data-testid="report-form"]').evaluate((el) => el.scrollIntoView());
    await page.screenshot({ path: path.join(SHOTS, `officer-report-light-${mode}.png`) });
    await page.locator('[data-testid="password-form"]').evaluate((el) => el.scrollIntoView());
    await page.screenshot({ path: path.join(SHOTS, `officer-password-light-${mode}.png`) });

    await page.reload();
    await page.waitForSelector('[data-testid="dispatch-card"]', { timeout: 30_000 });
    expect(await page.getAttribute('[data-testid="phone"]', 'data-theme')).toBe('light');
    await page.tap('[data-testid="theme-toggle"]');
    await page.waitForSelector('[data-testid="phone"][data-theme="dark"]');
    expect(await page.evaluate(() => localStorage.getItem('zhihui.officer.theme'))).toBe('dark');
    await ctx.close();
  }, 240_000);
});

const eventsOf = async (id: number) =>
  (await db.pool.query<{ type: string }>(`SELECT type FROM incident_events WHERE incident_id = $1 ORDER BY seq`, [id])).rows.map((r) => r.type);

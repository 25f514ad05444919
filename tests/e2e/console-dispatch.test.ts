// The dispatcher's wall console in Chromium against a real server: a case posted by an API client
// appears in the queue and on the map within 2 s, the dispatcher filters, walks the queue with the
// keyboard and dispatches with Enter, the officer (API) answers, a supervisor (second browser)
// closes it; then the layout at 1920×1080 and 3840×1080 in wall-screen mode.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { consoleServerForFile, SHOTS } from '../support/browser.ts';
import { call, login, type Session } from '../support/clients.ts';
import { consoleHook, type ConsoleHook, openConsole as openPage, queueRow, searchQueue } from '../support/console-page.ts';
import { testDatabase } from '../support/database.ts';
import { east, keyAreaPoint, onDutyAt } from '../support/fixtures.ts';

const db = testDatabase();
const mode = inject('databaseMode');
const server = consoleServerForFile(db);

const openConsole = (page: Page, user: string, query = '') => openPage(page, server.base, user, query);

/** A point in the grid of the officer's own squad near 春熙路, so he is the first recommended. */
async function spotForOfficer(officerId: number): Promise<[number, number]> {
  const near = await keyAreaPoint(server.app, '春熙路·太古里');
  const r = await db.pool.query<{ lon: number; lat: number }>(
    `
    SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (
      SELECT ST_PointOnSurface(g.geom) AS p FROM grid_cells g JOIN officers o ON o.squad_id = g.squad_id
      WHERE o.id = $1 AND g.valid_to IS NULL ORDER BY g.geom <-> ST_SetSRID(ST_MakePoint($2, $3), 4326) LIMIT 1) x`,
    [officerId, near[0], near[1]],
  );
  return [r.rows[0]!.lon, r.rows[0]!.lat];
}

describe(`the dispatcher's wall console (${mode} database)`, () => {
  it('shows a posted case within 2 s, dispatches it with Enter, follows the officer, and a supervisor closes it', async () => {
    const officer: Session = await login(server.app, 'officer');
    const dispatcher: Session = await login(server.app, 'dispatcher');
    const spot = await spotForOfficer(officer.user.officerId!);
    await onDutyAt(server.app, officer, east(spot, 5));

    const wall = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const pageErrors: string[] = [];
    wall.on('pageerror', (e) => pageErrors.push(e.message));
    await openConsole(wall, 'dispatcher');
    const before = await consoleHook(wall);
    expect(before.errors).toEqual([]);
    expect(before.layers.districts).toBe(5);
    expect(before.layers.officers).toBeGreaterThan(50);

    // posted by an API client: in the queue and on the map within 2 s of the answer, no reload (the
    // search box already holds words of its description: a filtered queue takes it in as it comes)
    const token = `燃气${Date.now().toString(36)}`;
    await searchQueue(wall, token);
    const intake = await call(server.app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0403', source: 'public', description: `浏览器测试：燃气管道破裂 ${token}`, lon: spot[0], lat: spot[1], register: true },
    });
    const posted = Date.now();
    expect(intake.status).toBe(201);
    const { id, code, districtAdcode } = intake.json.incident as { id: number; code: string; districtAdcode: string };
    const row = queueRow(wall, code);
    await row.waitFor({ timeout: 2_000 });
    await wall.waitForFunction((caseId) => (window as unknown as { __zhihui: ConsoleHook }).__zhihui.mapCases.includes(caseId), id, { timeout: 2_000 });
    const seenAfterMs = Date.now() - posted;
    expect(seenAfterMs).toBeLessThan(2_000);
    console.log(`[console] case on the wall's queue and map ${seenAfterMs} ms after the API answered (${mode})`);
    // 95 is urgent: the row flashes harder and a tone was started
    await expect.poll(async () => (await row.getAttribute('class')) ?? '').toContain('urgent');
    expect((await consoleHook(wall)).sounds).toBeGreaterThan(before.sounds);

    // filters: this district and category leave our case on top
    await wall.selectOption('[data-testid="filter-district"]', districtAdcode);
    await wall.selectOption('[data-testid="filter-category"]', '0403');
    await expect.poll(() => wall.locator('[data-testid="queue-row"]').count()).toBe(1);
    await wall.selectOption('[data-testid="filter-state"]', 'field');
    await expect.poll(() => wall.locator('[data-testid="queue-row"]').count()).toBe(0);
    await wall.selectOption('[data-testid="filter-state"]', 'todo');

    // keyboard: ↓ selects the first row, Enter sends the best candidate
    await wall
      .locator('body')
      .click({ position: { x: 5, y: 5 } })
      .catch(() => undefined);
    await wall.keyboard.press('ArrowDown');
    await wall.waitForSelector(`[data-testid="case-detail"]:has-text("${code}")`);
    const best = wall.locator('[data-testid="recommendations"] li.best');
    await best.waitFor({ timeout: 10_000 });
    const officerName = (await db.pool.query(`SELECT name FROM officers WHERE id = $1`, [officer.user.officerId])).rows[0].name as string;
    await expect.poll(() => best.textContent()).toContain(officerName);
    await wall.screenshot({ path: path.join(SHOTS, `console-dispatch-selected-${mode}.png`) });
    await wall.keyboard.press('Enter');
    await wall.waitForSelector('[data-testid="case-state"]:has-text("已派遣")', { timeout: 5_000 });
    await wall.selectOption('[data-testid="filter-state"]', '');
    await wall.waitForSelector(`[data-testid="queue-row"][data-code="${code}"][data-state="dispatched"]`, { timeout: 5_000 });

    // the officer answers from the phone (API); the console follows each step live
    const step = (action: string, body: object = {}) => call(server.app, officer, { url: `/api/incidents/${id}/${action}`, body });
    expect((await step('accept')).status).toBe(200);
    await wall.waitForSelector(`[data-testid="queue-row"][data-code="${code}"][data-state="accepted"]`, { timeout: 5_000 });
    expect((await step('arrive', { lon: spot[0], lat: spot[1] })).status).toBe(200);
    expect((await step('handle', { outcome: 'management', notes: '已关阀，燃气公司到场' })).status).toBe(200);
    await wall.waitForSelector(`[data-testid="queue-row"][data-code="${code}"][data-state="handled"]`, { timeout: 5_000 });
    await wall.waitForSelector('[data-testid="case-state"]:has-text("已处置")', { timeout: 5_000 });
    await wall.screenshot({ path: path.join(SHOTS, `console-dispatch-handled-${mode}.png`) });

    // a supervisor in another server.browser closes it; it leaves the dispatcher's queue
    const supCtx = await server.browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const sup = await supCtx.newPage();
    await openConsole(sup, 'supervisor');
    await searchQueue(sup, code);
    await queueRow(sup, code).click();
    await sup.click('[data-testid="step-close"]');
    await sup.waitForSelector('[data-testid="case-state"]:has-text("结案")', { timeout: 5_000 });
    await wall.locator(`[data-testid="queue-row"][data-code="${code}"]`).waitFor({ state: 'detached', timeout: 5_000 });
    const record = (await call(server.app, dispatcher, { url: `/api/incidents/${id}/events` })).json.map((e: { type: string }) => e.type);
    expect(record).toEqual([
      'incident.reported',
      'incident.registered',
      'incident.dispatched',
      'incident.accepted',
      'incident.arrived',
      'incident.handled',
      'incident.closed',
    ]);
    expect(pageErrors).toEqual([]);
    await supCtx.close();
    await wall.close();
  }, 120_000);

  for (const [width, height] of [
    [1920, 1080],
    [3840, 1080],
  ] as const) {
    it(`holds its layout in wall-screen mode at ${width}×${height}`, async () => {
      // a case to open beside the queue
      const dispatcher = await login(server.app, 'dispatcher');
      const at = await keyAreaPoint(server.app, '天府广场');
      const posted = await call(server.app, dispatcher, {
        url: '/api/incidents',
        body: { category: '0505', source: 'video', description: `大屏布局测试 ${width}`, lon: east(at, 40)[0], lat: at[1], register: true },
      });
      expect(posted.status).toBe(201);
      const page = await server.browser.newPage({ viewport: { width, height } });
      await openConsole(page, 'dispatcher', '?wall=1');
      // no header; the clock and live state moved to the bottom strip
      expect(await page.locator('header h1').count()).toBe(0);
      await page.waitForSelector('[data-testid="wall-clock"]');
      if (width >= 2600) await page.waitForSelector('[data-testid="board-district"]');
      else {
        await page.click('[data-testid="toggle-board"]');
        await page.waitForSelector('[data-testid="board-district"]');
      }
      await searchQueue(page, posted.json.incident.code);
      await queueRow(page, posted.json.incident.code).click();
      await page.waitForSelector('[data-testid="case-detail"]');
      await page.waitForTimeout(800);
      // every panel inside the screen, none on top of another
      const boxes = await page.evaluate(() => {
        const pick = (sel: string) => {
          const r = document.querySelector(sel)?.getBoundingClientRect();
          return r ? { left: r.left, right: r.right, top: r.top, bottom: r.bottom } : null;
        };
        return {
          // on a 1920 wall the case panel folds the queue to its tab (the map keeps room)
          queue: pick('[data-testid="case-queue"]') ?? pick('[data-testid="queue-unfold"]'),
          detail: pick('[data-testid="case-detail"]'),
          board: pick('[data-testid="squad-board"]'),
          status: pick('[data-testid="status-bar"]'),
          // text in the panels that does not fit its box
          clipped: [...document.querySelectorAll('[data-testid="case-queue"] h2, [data-testid="case-detail"] h2, [data-testid="squad-board"] h2')]
            .filter((el) => el.scrollWidth > el.clientWidth + 1)
            .map((el) => el.textContent),
        };
      });
      for (const [name, b] of Object.entries(boxes)) {
        if (name === 'clipped') continue;
        const r = b as { left: number; right: number; top: number; bottom: number } | null;
        expect(r, name).not.toBeNull();
        expect(r!.left, name).toBeGreaterThanOrEqual(0);
        expect(r!.right, name).toBeLessThanOrEqual(width + 0.5);
        expect(r!.top, name).toBeGreaterThanOrEqual(0);
        expect(r!.bottom, name).toBeLessThanOrEqual(height + 0.5);
      }
      expect(boxes.detail!.right).toBeLessThanOrEqual(boxes.queue!.left + 0.5);
      expect(boxes.board!.right).toBeLessThanOrEqual(boxes.detail!.left + 0.5);
      expect(boxes.queue!.bottom).toBeLessThanOrEqual(boxes.status!.top + 0.5);
      expect(boxes.clipped).toEqual([]);
      // wall mode draws panels larger than the desk layout (CSS zoom 1.15)
      const zoom = await page.evaluate(() => getComputedStyle(document.querySelector('[data-testid="case-detail"]')!.closest('.wall-zoom')!).zoom);
      expect(Number(zoom)).toBeCloseTo(1.15, 2);
      await page.screenshot({ path: path.join(SHOTS, `console-wall-${width}x${height}-${mode}.png`) });
      await page.close();
    }, 120_000);
  }
});

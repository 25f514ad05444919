// The wall console's panels in Chromium: a phoned-in complaint shows its place and the possible
// duplicates before it is saved; the duplicate is merged from the case panel; a case is escalated
// (督办) and reassigned (改派); the squad board counts what the API counts.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { consoleServerForFile, SHOTS } from '../support/browser.ts';
import { call, login, type Session } from '../support/clients.ts';
import { TEST_PASSWORD } from '../support/constants.ts';
import { queueRow, searchQueue } from '../support/console-page.ts';
import { testDatabase } from '../support/database.ts';
import { east, keyAreaPoint, officerSession, onDutyAt, responsibleOfficers } from '../support/fixtures.ts';

const db = testDatabase();
const mode = inject('databaseMode');
const server = consoleServerForFile(db);
let page: Page;
let dispatcher: Session;

beforeAll(async () => {
  dispatcher = await login(server.app, 'dispatcher');
  page = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(`${server.base}/`);
  await page.fill('[data-testid="login-name"]', 'dispatcher');
  await page.fill('[data-testid="login-password"]', TEST_PASSWORD);
  await page.click('[data-testid="login-submit"]');
  await page.waitForFunction(() => (window as unknown as { __zhihui: { live: string } }).__zhihui.live === 'live', null, { timeout: 60_000 });
});

describe(`the console's panels (${mode} database)`, () => {
  it('shows place and duplicates before saving a phoned-in complaint, and merges the duplicate', async () => {
    const spot = await keyAreaPoint(server.app, '锦里');
    const first = (
      await call(server.app, dispatcher, {
        url: '/api/incidents',
        body: { category: '0503', source: 'public', description: '占道经营，水果摊', lon: spot[0], lat: spot[1], register: true },
      })
    ).json.incident as { id: number; code: string };

    await searchQueue(page, '水果摊');
    await page.click('[data-testid="new-case"]');
    await page.selectOption('[data-testid="nc-category"]', '0503');
    const near = east(spot, 20);
    await page.fill('[data-testid="nc-lon"]', near[0].toFixed(6));
    await page.fill('[data-testid="nc-lat"]', near[1].toFixed(6));
    // before saving: where it is (锦里 is a key area in 武侯区) and the case 20 m away
    await page.waitForSelector('[data-testid="nc-place"]:has-text("武侯区")', { timeout: 5_000 });
    expect(await page.textContent('[data-testid="nc-place"]')).toContain('锦里');
    const dup = page.locator('[data-testid="nc-duplicate"]', { hasText: first.code });
    await dup.waitFor({ timeout: 5_000 });
    expect(await dup.textContent()).toMatch(/\d+ m/);
    expect(await page.textContent('[data-testid="nc-submit"]')).toContain('仍然新建');
    await page.fill('[data-testid="nc-description"]', '电话举报：锦里门口水果摊占道');
    await page.screenshot({ path: path.join(SHOTS, `console-intake-duplicates-${mode}.png`) });
    await page.click('[data-testid="nc-submit"]');

    // the new case opens with the duplicate listed; merge it into the first
    await page.waitForSelector('[data-testid="case-detail"] [data-testid="duplicate-row"]', { timeout: 10_000 });
    const newCode = (await page.getAttribute('[data-testid="case-code"]', 'data-code'))!;
    expect(newCode).not.toBe(first.code);
    await page.locator(`[data-testid="duplicate-row"][data-code="${first.code}"] [data-testid="merge-into"]`).click();
    await page.waitForSelector(`[data-testid="case-code"][data-code="${first.code}"]`, { timeout: 5_000 });
    await page.locator(`[data-testid="queue-row"][data-code="${newCode}"]`).waitFor({ state: 'detached', timeout: 5_000 });
    const merged = (
      await db.pool.query(`SELECT i.state, t.code AS into FROM incidents i JOIN incidents t ON t.id = i.merged_into WHERE i.code = $1`, [newCode])
    ).rows[0];
    expect(merged).toEqual({ state: 'voided', into: first.code });
  });

  it('escalates (督办) a case and reassigns (改派) it to another officer', async () => {
    const admin = await login(server.app, 'admin');
    const spot = await keyAreaPoint(server.app, '宽窄巷子');
    // two certified officers of the squad responsible for the spot: recommended first
    const [idA, idB] = await responsibleOfficers(db.pool, spot, 2);
    const a = await officerSession(server.app, admin, idA!);
    const b = await officerSession(server.app, admin, idB!);
    await onDutyAt(server.app, a, east(spot, 10));
    await onDutyAt(server.app, b, east(spot, 30));
    const inc = (
      await call(server.app, dispatcher, {
        url: '/api/incidents',
        body: { category: '0504', source: 'dispatcher', description: '店外经营，堵塞通道', lon: spot[0], lat: spot[1], register: true },
      })
    ).json.incident as { id: number; code: string };
    expect((await call(server.app, dispatcher, { url: `/api/incidents/${inc.id}/dispatch`, body: { officerIds: [idA] } })).status).toBe(200);

    await searchQueue(page, inc.code);
    await queueRow(page, inc.code).click();
    await page.waitForSelector('[data-testid="case-state"]:has-text("已派遣")');
    await page.click('[data-testid="step-escalate"]');
    await page.fill('[data-testid="step-reason"]', '群众多次投诉，请领导督办');
    await page.click('[data-testid="step-confirm"]');
    await page.waitForSelector('[data-testid="case-escalated"]', { timeout: 5_000 });
    await expect.poll(() => page.locator('[data-testid="step-escalate"]').count()).toBe(0);

    await page.click('[data-testid="reassign-open"]');
    const nameB = (await db.pool.query(`SELECT name FROM officers WHERE id = $1`, [idB])).rows[0].name as string;
    const candidate = page.locator('[data-testid="recommendations"] li', { hasText: nameB }).first();
    await candidate.waitFor({ timeout: 10_000 });
    // no reason yet: the button waits for one
    expect(await candidate.locator('[data-testid="dispatch-one"]').isDisabled()).toBe(true);
    await page.fill('[data-testid="reassign-reason"]', '原队员车辆故障');
    await candidate.locator('[data-testid="dispatch-one"]').click();
    await page.locator('[data-testid="case-detail"] .officers', { hasText: nameB }).waitFor({ timeout: 5_000 });
    await page.screenshot({ path: path.join(SHOTS, `console-reassigned-${mode}.png`) });
    const record = (await call(server.app, dispatcher, { url: `/api/incidents/${inc.id}/events` })).json.map((e: { type: string }) => e.type);
    expect(record.slice(-2)).toEqual(['incident.escalated', 'incident.reassigned']);
    const live = (await db.pool.query(`SELECT officer_id FROM dispatches WHERE incident_id = $1 AND state IN ('pending', 'accepted')`, [inc.id])).rows.map(
      (r) => r.officer_id,
    );
    expect(live).toEqual([idB]);
  });

  it('shows the squad board with the counts the API gives', async () => {
    await page.click('[data-testid="case-close"]').catch(() => undefined);
    await page.click('[data-testid="toggle-board"]');
    await page.waitForSelector('[data-testid="board-district"]');
    const api = (await call(server.app, dispatcher, { url: '/api/squads/board' })).json as {
      districts: { adcode: string; officers: Record<string, number>; auxiliaries: Record<string, number> }[];
    };
    expect(await page.locator('[data-testid="board-district"]').count()).toBe(api.districts.length);
    for (const d of api.districts) {
      const cell = (what: string) => page.textContent(`[data-testid="board-district"][data-adcode="${d.adcode}"] [data-testid="${what}"]`);
      await expect.poll(async () => Number(await cell('board-busy'))).toBe(d.officers.busy! + d.auxiliaries.busy!);
      await expect.poll(async () => Number(await cell('board-available'))).toBe(d.officers.available! + d.auxiliaries.available!);
    }
    await page.screenshot({ path: path.join(SHOTS, `console-squad-board-${mode}.png`) });
  });
});

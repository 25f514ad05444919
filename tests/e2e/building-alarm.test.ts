// 新增违建零容忍 in three browsers: a citizen's report of new construction in a key area reaches the wall
// as an escalated case marked 新增违建; the dispatcher sends the nearest officer to check it; the
// officer takes a photo on the phone and reports it handled; the supervisor closes it and the
// building is verified (核查); the leader's count of new construction for the year has moved, and
// moves again in m² when the desk records its demolition.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { consoleServerForFile, SHOTS } from '../support/browser.ts';
import { call, login, TINY_PNG, type Session } from '../support/clients.ts';
import { searchQueue } from '../support/console-page.ts';
import { TEST_PASSWORD } from '../support/constants.ts';
import { testDatabase } from '../support/database.ts';
import { east } from '../support/fixtures.ts';
import { keyAreaSpot } from '../support/buildings.ts';
import { phoneOnDuty } from '../support/officer-page.ts';

const db = testDatabase();
const server = consoleServerForFile(db);
const mode = inject('databaseMode');

async function logIn(page: Page, name: string) {
  await page.fill('[data-testid="login-name"]', name);
  await page.fill('[data-testid="login-password"]', TEST_PASSWORD);
  await page.click('[data-testid="login-submit"]');
}

interface LeaderFigures {
  totals: { newFound: number; stockDemolishedM2: number; newDemolishedM2: number } | null;
}
const leaderFigures = (page: Page) => page.evaluate(() => (window as unknown as { __zhihuiBuildings: LeaderFigures }).__zhihuiBuildings);

describe(`new illegal construction: alarm, check, photo, progress (${mode} database)`, () => {
  it('escalates a new building in a key area on the wall, sends the check, and the leader sees it counted', { timeout: 240_000 }, async () => {
    const officerApi: Session = await login(server.app, 'officer');
    const dispatcherApi: Session = await login(server.app, 'dispatcher');
    const supervisorApi: Session = await login(server.app, 'supervisor');
    // A point in a key area of the leader's district, clear of every registered footprint (so it is new,
    // not a known one); the officer's phone reports a fix beside it, so he is among the nearest.
    const spot = await keyAreaSpot(db);

    const leader = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await leader.goto(`${server.base}/#/leader`);
    await logIn(leader, 'leader');
    await leader.click('[data-testid="lower-buildings"]');
    await leader.waitForFunction(() => (window as unknown as { __zhihuiBuildings?: LeaderFigures }).__zhihuiBuildings?.totals != null, null, {
      timeout: 30_000,
    });
    const before = (await leaderFigures(leader)).totals!;

    const wall = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await wall.goto(`${server.base}/`);
    await logIn(wall, 'dispatcher');
    await wall.waitForFunction(() => (window as unknown as { __zhihui: { live: string } }).__zhihui.live === 'live', null, { timeout: 30_000 });

    expect((await call(server.app, officerApi, { url: '/api/officers/me/duty', body: { status: 'off_duty' } })).status).toBe(200);
    const phone = await server.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await phone.goto(`${server.base}/#/officer`);
    await logIn(phone, 'officer');
    await phoneOnDuty(phone);
    expect((await call(server.app, officerApi, { url: '/api/officers/me/position', body: { lon: east(spot, 8)[0], lat: spot[1] } })).status).toBe(202);

    // 12345 hotline: someone is putting up a shed in the key area
    const intake = await call(server.app, dispatcherApi, {
      url: '/api/incidents',
      body: { category: '0101', source: 'public', description: '浏览器测试：重点地区新搭建彩钢棚', lon: spot[0], lat: spot[1], register: true },
    });
    expect(intake.status, intake.body).toBe(201);
    const inc = intake.json.incident as { id: number; code: string; escalatedAt: string | null; building: { id: number; kind: string; task: string } };
    expect(inc.building).toMatchObject({ kind: 'new', task: 'verify' });
    expect(inc.escalatedAt).not.toBeNull();

    // the wall: the alarm is a row marked 新增违建, escalated, at the top of the queue
    await searchQueue(wall, inc.code);
    const row = wall.locator('[data-testid="queue-row"]', { hasText: inc.code });
    await row.waitFor({ timeout: 5_000 });
    await row.locator('[data-testid="queue-new-building"]').waitFor();
    await row.click();
    await wall.waitForSelector('[data-testid="case-new-building"]');
    await wall.waitForSelector('[data-testid="case-escalated"]');
    await wall.click('[data-testid="case-building-toggle"]');
    await wall.waitForSelector('[data-testid="building-record"] [data-testid="building-escalated"]');
    await wall.screenshot({ path: path.join(SHOTS, `building-alarm-wall-${mode}.png`) });

    // dispatch the check (核查) to the nearest officer
    await wall.waitForSelector('[data-testid="recommendations"]');
    const officerName = (await db.pool.query(`SELECT name FROM officers WHERE id = $1`, [officerApi.user.officerId])).rows[0].name as string;
    await wall.locator('[data-testid="recommendations"] li', { hasText: officerName }).first().locator('[data-testid="dispatch-one"]').click();
    await wall.waitForSelector('[data-testid="case-state"]:has-text("已派遣")', { timeout: 5_000 });

    // the phone: accept, arrive, photo, handled
    await phone.waitForSelector('[data-testid="dispatch-card"][data-state="dispatched"]', { timeout: 10_000 });
    expect(await phone.textContent('[data-testid="card-building"]')).toContain('核查任务');
    await phone.click('[data-testid="primary-action"]');
    await phone.waitForSelector('[data-testid="dispatch-card"][data-state="accepted"]');
    await phone.click('[data-testid="primary-action"]');
    await phone.waitForSelector('[data-testid="dispatch-card"][data-state="on_scene"]');
    await phone.setInputFiles('[data-testid="photo-input"]', { name: 'shed.png', mimeType: 'image/png', buffer: TINY_PNG });
    await phone.click('[data-testid="outcome-enforcement"]');
    await phone.screenshot({ path: path.join(SHOTS, `building-alarm-phone-${mode}.png`) });
    await phone.click('[data-testid="primary-action"]');
    await wall.waitForSelector('[data-testid="case-state"]:has-text("已处置")', { timeout: 10_000 });
    const evidence = (await call(server.app, dispatcherApi, { url: `/api/incidents/${inc.id}` })).json.evidence as unknown[];
    expect(evidence.length).toBe(1);

    // 核查结案 by the supervisor: the building is verified, its record shows the case and the photo
    const closed = await call(server.app, supervisorApi, { url: `/api/incidents/${inc.id}/close`, body: {} });
    expect(closed.status, closed.body).toBe(200);
    const record = await call(server.app, supervisorApi, { url: `/api/buildings/${inc.building.id}` });
    expect(record.json.building.stage).toBe('verified');
    expect(record.json.cases.map((c: { id: number }) => c.id)).toContain(inc.id);
    expect(record.json.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['building.discovered', 'building.escalated', 'building.case_linked', 'building.verified']),
    );

    // the leader: one more new building this year
    await leader.reload();
    await leader.click('[data-testid="lower-buildings"]');
    await leader.waitForFunction(
      (n) => ((window as unknown as { __zhihuiBuildings?: LeaderFigures }).__zhihuiBuildings?.totals?.newFound ?? -1) === n,
      before.newFound + 1,
      { timeout: 30_000 },
    );
    // filed, ordered and demolished at the desk: the m² of new construction taken down moves too
    for (const body of [{ action: 'file' }, { action: 'order' }, { action: 'demolish', demolishedAreaM2: 60 }]) {
      const r = await call(server.app, supervisorApi, { url: `/api/buildings/${inc.building.id}/steps`, body });
      expect(r.status, `${body.action}: ${r.body}`).toBe(200);
    }
    await leader.reload();
    await leader.click('[data-testid="lower-buildings"]');
    await leader.waitForFunction(
      (m2) => ((window as unknown as { __zhihuiBuildings?: LeaderFigures }).__zhihuiBuildings?.totals?.newDemolishedM2 ?? -1) >= m2,
      before.newDemolishedM2 + 60 - 0.01,
      { timeout: 30_000 },
    );
    await leader.screenshot({ path: path.join(SHOTS, `building-alarm-leader-${mode}.png`) });
    await Promise.all([wall.close(), phone.close(), leader.close()]);
  });
});

// The dispatcher's queue and what sits around it, in Chromium at 1920×1080: the queue puts cases waiting
// for dispatch first and does not move the row under the pointer nor the rows in view when cases arrive
// above a scrolled list; a closed case shows its final time,
// not a running clock; an officer with an old fix looks neither fresh nor off duty; the English-first
// language mode; the legend's count of a layer the zoom hides.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { consoleServerForFile, SHOTS } from '../support/browser.ts';
import { call, login, type Session } from '../support/clients.ts';
import { openConsole, queueRow, searchQueue } from '../support/console-page.ts';
import { testDatabase } from '../support/database.ts';
import { east, keyAreaPoint, officerSession, onDutyAt, responsibleOfficers } from '../support/fixtures.ts';

const db = testDatabase();
const mode = inject('databaseMode');
const server = consoleServerForFile(db);
const TAG = '队列顺序测试';
let page: Page;
let dispatcher: Session;
let spot: [number, number];
/** the queue's cases: `todoLow` and `todoMid` wait for dispatch, `field` is with an officer */
const codes = { field: '', todoMid: '', todoLow: '' };
const ids = { field: 0, todoMid: 0, todoLow: 0 };
/** officers near `spot`: the first two take cases, the last three get a fresh fix, an old fix, no duty */
let officerIds: number[] = [];
let freshId = 0;
let staleId = 0;
let offId = 0;
/** the phones of the two officers that take cases */
const crew: Session[] = [];

const map = <T>(p: Page, fn: string, arg?: unknown): Promise<T> =>
  p.evaluate(([body, a]) => new Function('map', 'arg', body as string)((window as unknown as { __zhihuiMap: unknown }).__zhihuiMap, a) as T, [
    fn,
    arg,
  ] as const);

/** the codes of the queue's rows as they are on screen, top first */
async function rowsOnScreen(p: Page): Promise<string[]> {
  const rows = await p.$$eval('[data-testid="queue-row"]', (els) => els.map((e) => [e.getAttribute('data-code')!, e.getBoundingClientRect().top] as const));
  return rows.sort((a, b) => a[1] - b[1]).map((r) => r[0]);
}

const top = async (p: Page, code: string) => (await queueRow(p, code).boundingBox())!.y;

beforeAll(async () => {
  dispatcher = await login(server.app, 'dispatcher');
  const admin = await login(server.app, 'admin');
  spot = await keyAreaPoint(server.app, '宽窄巷子');
  officerIds = await responsibleOfficers(db.pool, spot, 5);
  expect(officerIds).toHaveLength(5);
  [, , freshId, staleId, offId] = officerIds as [number, number, number, number, number];
  for (const id of officerIds.slice(0, 2)) {
    const s = await officerSession(server.app, admin, id);
    await onDutyAt(server.app, s, east(spot, 15));
    crew.push(s);
  }

  const make = async (description: string) =>
    (
      await call(server.app, dispatcher, {
        url: '/api/incidents',
        body: { category: '0504', source: 'dispatcher', description: `${TAG}：${description}`, lon: spot[0], lat: spot[1], register: true },
      })
    ).json.incident as { id: number; code: string };
  const field = await make('已派遣，优先级最高');
  const mid = await make('待派遣，优先级中');
  const low = await make('待派遣，优先级低');
  Object.assign(codes, { field: field.code, todoMid: mid.code, todoLow: low.code });
  Object.assign(ids, { field: field.id, todoMid: mid.id, todoLow: low.id });
  expect((await call(server.app, dispatcher, { url: `/api/incidents/${field.id}/dispatch`, body: { officerIds: [officerIds[0]] } })).status).toBe(200);
  // priorities as the issue saw them: the case already in the field outranks the ones waiting
  await db.pool.query(`UPDATE incidents SET priority = CASE id WHEN $1 THEN 95 WHEN $2 THEN 50 ELSE 10 END WHERE id = ANY($3::int[])`, [
    field.id,
    mid.id,
    [field.id, mid.id, low.id],
  ]);

  // three officers side by side: a fix just now, a fix 10 minutes old (on duty), off duty
  const place = `ST_SetSRID(ST_MakePoint($2, $3), 4326)`;
  const put = (id: number, duty: string, age: string, at: [number, number]) =>
    db.pool.query(`UPDATE officers SET duty_status = $4, position = ${place}, position_at = now() - $5::interval WHERE id = $1`, [id, at[0], at[1], duty, age]);
  await put(freshId, 'available', '5 seconds', east(spot, 120));
  await put(staleId, 'available', '10 minutes', east(spot, 160));
  await put(offId, 'off_duty', '10 minutes', east(spot, 200));

  page = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await openConsole(page, server.base, 'dispatcher');
});

describe(`the dispatcher's queue, clocks, officer looks, language and legend (${mode} database)`, () => {
  it('puts cases waiting for dispatch first, whatever the priority of cases in the field', async () => {
    await searchQueue(page, TAG);
    await expect.poll(() => rowsOnScreen(page), { timeout: 10_000 }).toEqual([codes.todoMid, codes.todoLow, codes.field]);
    await page.screenshot({ path: path.join(SHOTS, `console-queue-order-${mode}.png`) });
  });

  it('keeps the row under the pointer in place while an update re-sorts the queue, and lets it settle when the pointer leaves', async () => {
    await queueRow(page, codes.todoMid).hover();
    const before = await top(page, codes.todoMid);
    // dispatching the hovered case would move it below the case still waiting
    expect((await call(server.app, dispatcher, { url: `/api/incidents/${ids.todoMid}/dispatch`, body: { officerIds: [officerIds[1]] } })).status).toBe(200);
    await page.waitForSelector(`[data-testid="queue-row"][data-code="${codes.todoMid}"][data-state="dispatched"]`, { timeout: 10_000 });
    expect(await top(page, codes.todoMid)).toBe(before);
    expect((await rowsOnScreen(page))[0]).toBe(codes.todoMid);
    // the pointer leaves the list: the queue settles into its order
    await page.mouse.move(700, 540);
    await expect.poll(() => rowsOnScreen(page), { timeout: 10_000 }).toEqual([codes.todoLow, codes.field, codes.todoMid]);
  });

  it('keeps the rows in view where they are when cases arrive above a scrolled list', async () => {
    const TAG2 = '队列滚动测试';
    const { rows: cats } = await db.pool.query<{ code: string }>(
      `SELECT minor_code AS code FROM categories c JOIN category_catalogs k ON k.version = c.catalog_version AND k.is_current
       ORDER BY base_priority, minor_code`,
    );
    const [low, high] = [cats[0]!.code, cats[cats.length - 1]!.code];
    const at = east(spot, 60);
    const make = async (category: string, n: number) =>
      (
        await call(server.app, dispatcher, {
          url: '/api/incidents',
          body: { category, source: 'dispatcher', description: `${TAG2} ${n}`, lon: at[0], lat: at[1], register: true },
        })
      ).json.incident as { code: string };
    for (let n = 0; n < 30; n++) await make(low, n);
    await searchQueue(page, TAG2);
    const list = '[data-testid="case-queue"] ol.rows';
    await expect.poll(() => page.$eval(list, (el) => el.scrollHeight), { timeout: 15_000 }).toBeGreaterThan(30 * 90);
    // the pointer is elsewhere (on the map); the dispatcher reads the list scrolled halfway down
    await page.mouse.move(700, 540);
    await page.$eval(list, (el) => (el.scrollTop = 1000));
    const firstInView = async () =>
      page.$eval(list, (el) => {
        const top = el.getBoundingClientRect().top;
        const rows = [...el.querySelectorAll('[data-testid="queue-row"]')].map((r) => [r.getAttribute('data-code')!, r.getBoundingClientRect().top] as const);
        const [code, y] = rows.filter(([, y]) => y >= top - 1).sort((a, b) => a[1] - b[1])[0]!;
        return { code, y: Math.round(y), scrollTop: el.scrollTop };
      });
    await expect.poll(async () => (await firstInView()).scrollTop, { timeout: 5_000 }).toBeGreaterThan(0);
    const before = await firstInView();
    // three cases that sort above everything in view
    const arrived = [await make(high, 100), await make(high, 101), await make(high, 102)];
    await expect.poll(() => page.$eval(list, (el) => el.scrollHeight), { timeout: 15_000 }).toBeGreaterThan(33 * 90);
    await page.waitForTimeout(300);
    const after = await firstInView();
    expect(after.code).toBe(before.code);
    expect(Math.abs(after.y - before.y)).toBeLessThanOrEqual(1);
    expect(after.scrollTop).toBeGreaterThan(before.scrollTop);
    // and they are above: at the top of the list
    await page.$eval(list, (el) => (el.scrollTop = 0));
    await expect.poll(async () => (await rowsOnScreen(page)).slice(0, 3).sort(), { timeout: 5_000 }).toEqual(arrived.map((a) => a.code).sort());
    await searchQueue(page, TAG);
  }, 120_000);

  it("stops a case's clock when it is closed: 已结案 with the time it took", async () => {
    await queueRow(page, codes.field).click();
    await page.waitForSelector(`[data-testid="case-code"][data-code="${codes.field}"]`);
    // the officer's phone takes it to 处置反馈, the supervisor closes it; the wall hears it live
    const step = (s: Session, action: string, body: unknown = {}) => call(server.app, s, { url: `/api/incidents/${ids.field}/${action}`, body });
    expect((await step(crew[0]!, 'accept')).status).toBe(200);
    expect((await step(crew[0]!, 'arrive', { lon: spot[0], lat: spot[1] })).status).toBe(200);
    const handled = await step(crew[0]!, 'handle', { outcome: 'service', notes: '已劝离' });
    expect(handled.status, handled.body).toBe(200);
    const supervisor = await login(server.app, 'supervisor');
    const closed = await call(server.app, supervisor, { url: `/api/incidents/${ids.field}/close`, body: {} });
    expect(closed.status, closed.body).toBe(200);
    await page.waitForSelector('[data-testid="case-state"]:has-text("结案")', { timeout: 10_000 });
    const clock = page.locator('[data-testid="case-clock"]');
    const first = await clock.textContent();
    await page.waitForTimeout(2_500);
    expect(await clock.textContent()).toBe(first);
    expect(first).toContain('已结案');
    expect(first).toContain('用时');
    expect(await clock.getAttribute('data-final')).toBe('true');
    await page.screenshot({ path: path.join(SHOTS, `console-queue-closed-clock-${mode}.png`) });
    await page.click('[data-testid="case-close"]');
  }, 150_000);

  it('draws an on-duty officer with a 10-minute-old fix unlike a fresh one and unlike one off duty, on the map and the squad board', async () => {
    await map(page, 'map.jumpTo({ center: arg, zoom: 16 })', east(spot, 160));
    type Look = { id: number; look: string; fill: string; stroke: string };
    const looks = async (): Promise<Look[]> =>
      map<Look[]>(
        page,
        `const hex = (c) => c && typeof c === 'object' && 'r' in c ? '#' + [c.r, c.g, c.b].map((v) => Math.round((v / (c.a || 1)) * 255).toString(16).padStart(2, '0')).join('') : String(c);
         return map.queryRenderedFeatures({ layers: ['zh-officers-dot'] })
           .filter((f) => arg.includes(f.properties.id))
           .map((f) => ({ id: f.properties.id, look: String(f.properties.look), fill: hex(f.layer.paint['circle-color']), stroke: hex(f.layer.paint['circle-stroke-color']) }));`,
        [freshId, staleId, offId],
      );
    await expect.poll(async () => (await looks()).length, { timeout: 15_000 }).toBe(3);
    const by = Object.fromEntries((await looks()).map((l) => [l.id, l]));
    const fresh = by[freshId]!;
    const stale = by[staleId]!;
    const off = by[offId]!;
    expect([fresh.look, stale.look, off.look]).toEqual(['fresh', 'stale', 'off']);
    const available = '#3ddc84';
    // fresh: filled in the duty colour; old fix: still in the duty colour (a ring), not grey; off duty: neither
    expect(fresh.fill).toBe(available);
    expect([stale.fill, stale.stroke]).toContain(available);
    expect(stale.fill).not.toBe(off.fill);
    expect([off.fill, off.stroke]).not.toContain(available);
    await page.screenshot({ path: path.join(SHOTS, `console-queue-officer-looks-${mode}.png`) });

    await page.click('[data-testid="toggle-board"]');
    const squad = (await db.pool.query(`SELECT squad_id FROM officers WHERE id = $1`, [staleId])).rows[0].squad_id as number;
    const member = (id: number) => page.locator(`[data-testid="board-member"][data-officer="${id}"]`);
    await page.waitForSelector('[data-testid="board-district"]');
    if ((await member(staleId).count()) === 0) await page.click(`[data-testid="board-squad"][data-squad="${squad}"]`);
    await expect.poll(() => member(staleId).getAttribute('data-look'), { timeout: 10_000 }).toBe('stale');
    expect(await member(freshId).getAttribute('data-look')).toBe('fresh');
    expect(await member(offId).getAttribute('data-look')).toBe('off');
    expect(await member(staleId).textContent()).toContain('定位');
    await member(staleId).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, `console-queue-squad-board-${mode}.png`) });
    await page.click('[data-testid="toggle-board"]');
  });

  it("shows a dash, not the loaded total, for the grid's count at a zoom where the grid is not drawn", async () => {
    const count = page.locator('[data-testid="legend-count-gridCells"]');
    await map(page, 'map.jumpTo({ center: arg, zoom: 14 })', spot);
    await expect.poll(() => count.getAttribute('data-drawn'), { timeout: 10_000 }).toBe('true');
    await expect.poll(async () => Number((await count.textContent())!.replace(/\D/g, '')), { timeout: 15_000 }).toBeGreaterThan(0);
    await map(page, 'map.jumpTo({ center: arg, zoom: 10.7 })', spot);
    await expect.poll(() => count.getAttribute('data-drawn'), { timeout: 10_000 }).toBe('false');
    expect((await count.textContent())!.trim()).toBe('—');
  });

  it('has an English-first mode: English is the main text, placeholders too, and it is remembered', async () => {
    const toggle = page.locator('[data-testid="toggle-lang"]');
    for (let i = 0; i < 3 && (await toggle.getAttribute('data-lang')) !== 'en'; i++) await toggle.click();
    expect(await toggle.getAttribute('data-lang')).toBe('en');
    const placeholder = async () => (await page.getAttribute('[data-testid="filter-search"]', 'placeholder'))!;
    expect(await placeholder()).toMatch(/^Search/);
    expect(await page.locator('[data-testid="case-queue"] h2 .main').textContent()).toBe('Case queue');
    await page.screenshot({ path: path.join(SHOTS, `console-queue-english-${mode}.png`) });
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.waitForSelector('[data-testid="filter-search"]', { timeout: 60_000 });
    expect(await page.getAttribute('[data-testid="toggle-lang"]', 'data-lang')).toBe('en');
    expect(await placeholder()).toMatch(/^Search/);
    // and back: Chinese-only hides the English from the placeholder as well
    for (let i = 0; i < 3 && (await toggle.getAttribute('data-lang')) !== 'zh'; i++) await toggle.click();
    expect(await placeholder()).not.toMatch(/[A-Za-z]/);
  }, 150_000);
});

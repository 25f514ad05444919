// The dispatcher's wall in Chromium: the map stays the main surface. 全市 fits the city after a case
// was opened on the wall (the camera padding once grew past the canvas and MapLibre refused every fit);
// the selected case and a typed-in point land in the part of the map the docked panels leave free;
// the queue folds to a tab; toasts keep to a strip of their own above the map; view buttons, legend and
// the 派遣 bar do not cover each other; and
// wall-mode type is large enough to read from 5 m.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { consoleServerForFile, SHOTS } from '../support/browser.ts';
import { call, login, type Session } from '../support/clients.ts';
import { openConsole as openPage, queueRow, searchQueue } from '../support/console-page.ts';
import { testDatabase } from '../support/database.ts';
import { east, keyAreaPoint } from '../support/fixtures.ts';

const db = testDatabase();
const mode = inject('databaseMode');
const server = consoleServerForFile(db);
let dispatcher: Session;

type Box = { left: number; right: number; top: number; bottom: number };

const overlaps = (a: Box, b: Box) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
const inside = (p: { x: number; y: number }, b: Box) => p.x >= b.left && p.x <= b.right && p.y >= b.top && p.y <= b.bottom;

async function boxOf(page: Page, selector: string): Promise<Box | null> {
  return page.evaluate((sel) => {
    const r = document.querySelector(sel)?.getBoundingClientRect();
    return r && r.width > 0 ? { left: r.left, right: r.right, top: r.top, bottom: r.bottom } : null;
  }, selector);
}

/** Every docked panel on screen (the queue or its tab, the case or new-case panel, the squad board, the status bar). */
async function dockedPanels(page: Page): Promise<Box[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-dock]')]
      .map((el) => el.getBoundingClientRect())
      .filter((r) => r.width > 0)
      .map((r) => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom })),
  );
}

/** Wait until the camera stopped (no easing left) and stayed put for a moment. */
async function settled(page: Page): Promise<void> {
  let last = '';
  await expect
    .poll(
      async () => {
        const now = await page.evaluate(() => {
          const m = window.__zhihuiMap!;
          return m.isMoving() ? 'moving' : `${m.getCenter().lng.toFixed(6)},${m.getCenter().lat.toFixed(6)},${m.getZoom().toFixed(3)}`;
        });
        const same = now !== 'moving' && now === last;
        last = now;
        return same;
      },
      { timeout: 20_000, interval: 400 },
    )
    .toBe(true);
}

const project = (page: Page, lngLat: [number, number]) =>
  page.evaluate((ll) => {
    const p = window.__zhihuiMap!.project(ll);
    return { x: p.x, y: p.y + document.querySelector('[data-testid="map"]')!.getBoundingClientRect().top };
  }, lngLat);

async function postCase(text: string, at: [number, number]): Promise<{ id: number; code: string }> {
  const r = await call(server.app, dispatcher, {
    url: '/api/incidents',
    body: { category: '0505', source: 'video', description: text, lon: at[0], lat: at[1], register: true },
  });
  expect(r.status).toBe(201);
  return r.json.incident as { id: number; code: string };
}

async function openCase(page: Page, code: string): Promise<void> {
  if ((await page.locator('[data-testid="queue-unfold"]').count()) > 0) await page.click('[data-testid="queue-unfold"]');
  await searchQueue(page, code);
  await queueRow(page, code).click();
  await page.waitForSelector(`[data-testid="case-detail"] [data-testid="case-code"][data-code="${code}"]`);
}

beforeAll(async () => {
  dispatcher = await login(server.app, 'dispatcher');
});

async function openConsole(page: Page, base: string, user: string, query: string): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await openPage(page, base, user, query);
  } catch (first) {
    // on a loaded machine the layers and the live catch-up can take longer than openPage's 90 s
    const late = await page
      .waitForFunction(
        () => {
          const h = (window as unknown as { __zhihui: { live: string; ready: boolean } }).__zhihui;
          return h.live === 'live' && h.ready;
        },
        null,
        { timeout: 150_000 },
      )
      .then(() => true)
      .catch(() => false);
    if (late) return;
    await page.screenshot({ path: path.join(SHOTS, `wall-open-failed-${mode}.png`) }).catch(() => undefined);
    const hook = await page.evaluate(() => JSON.stringify((window as unknown as { __zhihui: unknown }).__zhihui)).catch(() => 'no hook');
    throw new Error(`console did not open: ${hook} ${errors.join(' | ')}`, { cause: first });
  }
}

// a failed test leaves no page behind to load the browser for the next one
const pages: Page[] = [];
async function wallPage(width: number, height: number): Promise<Page> {
  const page = await server.browser.newPage({ viewport: { width, height } });
  pages.push(page);
  return page;
}
afterEach(async () => {
  await Promise.all(pages.splice(0).map((p) => p.close().catch(() => undefined)));
});

describe(`the dispatcher's wall (${mode} database)`, () => {
  it('fits the city with 全市 after a case was opened in wall mode and closed (item 1)', async () => {
    const at = await keyAreaPoint(server.app, '天府广场');
    const inc = await postCase('大屏全市测试', east(at, 60));
    const page = await wallPage(1920, 1080);
    const warnings: string[] = [];
    page.on('console', (m) => warnings.push(m.text()));
    await openConsole(page, server.base, 'dispatcher', '?wall=1');
    await page.click('[data-testid="toggle-board"]');
    await openCase(page, inc.code);
    await settled(page);
    await page.click('[data-testid="case-close"]');
    await page.click('[data-testid="toggle-wall"]');
    await page.waitForSelector('html:not(.wall)', { state: 'attached' });
    await settled(page);
    await page.click('[data-testid="view-city"]');
    await settled(page);
    const after = await page.evaluate(() => {
      const m = window.__zhihuiMap!;
      const b = m.getBounds();
      return { zoom: m.getZoom(), west: b.getWest(), east: b.getEast(), south: b.getSouth(), north: b.getNorth() };
    });
    // the five districts of the demo city span about 30 km: the whole of them is in view, well out of 14.5
    expect(after.zoom).toBeLessThan(12);
    expect(after.east - after.west).toBeGreaterThan(0.2);
    expect(warnings.filter((w) => w.includes('cannot fit'))).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, `wall-city-after-case-${mode}.png`) });
  }, 400_000);

  it('keeps the selected case and a typed-in point clear of the docked panels at 1920×1080, and folds the queue (item 2)', async () => {
    const at = await keyAreaPoint(server.app, '天府广场');
    const spot = east(at, -300);
    const inc = await postCase('大屏面板遮挡测试', spot);
    const page = await wallPage(1920, 1080);
    await openConsole(page, server.base, 'dispatcher', '?wall=1');
    await page.click('[data-testid="toggle-board"]');
    await page.waitForSelector('[data-testid="board-district"]');
    await openCase(page, inc.code);
    await settled(page);
    // the case panel folded the queue to a tab: the map keeps a usable part of the screen
    await page.waitForSelector('[data-testid="queue-unfold"]');
    const panels = await dockedPanels(page);
    const where = await project(page, [spot[0], spot[1]]);
    for (const p of panels) expect(inside(where, p), `case at ${JSON.stringify(where)} under ${JSON.stringify(p)}`).toBe(false);
    const board = (await boxOf(page, '[data-testid="squad-board"]'))!;
    const detail = (await boxOf(page, '[data-testid="case-detail"]'))!;
    expect(detail.left - board.right).toBeGreaterThan(400);
    expect(where.x).toBeGreaterThan(board.right);
    expect(where.x).toBeLessThan(detail.left);
    await page.screenshot({ path: path.join(SHOTS, `wall-1920-case-open-${mode}.png`) });

    // the queue unfolds and folds by hand
    await page.click('[data-testid="queue-unfold"]');
    await page.waitForSelector('[data-testid="case-queue"]');
    await page.click('[data-testid="toggle-queue"]');
    await page.waitForSelector('[data-testid="queue-unfold"]');

    // a phoned-in place typed into the new-case form, where the form itself stands: brought into view
    await page.click('[data-testid="case-close"]');
    await page.click('[data-testid="queue-unfold"]');
    await page.click('[data-testid="new-case"]');
    await page.waitForSelector('[data-testid="nc-lon"]');
    await settled(page);
    const form = (await boxOf(page, '[data-testid="nc-lon"]'))!;
    const hidden = await page.evaluate(
      ({ x, y }) => {
        const top = document.querySelector('[data-testid="map"]')!.getBoundingClientRect().top;
        const ll = window.__zhihuiMap!.unproject([x, y - top]);
        return [Number(ll.lng.toFixed(6)), Number(ll.lat.toFixed(6))] as [number, number];
      },
      { x: form.left + 40, y: 600 },
    );
    await page.fill('[data-testid="nc-lon"]', hidden[0].toFixed(6));
    await page.fill('[data-testid="nc-lat"]', hidden[1].toFixed(6));
    await settled(page);
    const picked = await project(page, hidden);
    for (const p of await dockedPanels(page)) expect(inside(picked, p), `point at ${JSON.stringify(picked)} under ${JSON.stringify(p)}`).toBe(false);
    await page.screenshot({ path: path.join(SHOTS, `wall-1920-new-case-${mode}.png`) });
  }, 400_000);

  it('at a desk (1920×1080, not wall mode) keeps queue and case side by side, and folds the queue when the squad board joins them (item 2)', async () => {
    const at = await keyAreaPoint(server.app, '天府广场');
    const inc = await postCase('桌面面板测试', east(at, 200));
    const page = await wallPage(1920, 1080);
    await openConsole(page, server.base, 'dispatcher', '');
    /** the map's width between the panels docked left and right */
    const freeWidth = async () => {
      const boxes = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('[data-dock="left"], [data-dock="right"]')]
          .filter((el) => el.getBoundingClientRect().width > 0)
          .map((el) => ({ side: el.dataset.dock, left: el.getBoundingClientRect().left, right: el.getBoundingClientRect().right })),
      );
      const left = Math.max(0, ...boxes.filter((b) => b.side === 'left').map((b) => b.right));
      const right = Math.min(1920, ...boxes.filter((b) => b.side === 'right').map((b) => b.left));
      return right - left;
    };
    await openCase(page, inc.code);
    await settled(page);
    expect(await page.locator('[data-testid="queue-unfold"]').count(), 'queue folded with only the case open').toBe(0);
    expect(await freeWidth()).toBeGreaterThanOrEqual(560);
    await page.click('[data-testid="toggle-board"]');
    await page.waitForSelector('[data-testid="queue-unfold"]');
    await settled(page);
    expect(await freeWidth(), 'map left between board, case and queue').toBeGreaterThanOrEqual(560);
    await page.screenshot({ path: path.join(SHOTS, `desk-1920-board-case-${mode}.png`) });
    // the board goes: the queue comes back beside the case
    await page.click('[data-testid="toggle-board"]');
    await expect.poll(() => page.locator('[data-testid="queue-unfold"]').count(), { timeout: 5_000 }).toBe(0);
  }, 400_000);

  it('keeps toasts off the map and the squad board, no view button the folded legend, and no 派遣 bar a candidate (item 7)', async () => {
    const at = await keyAreaPoint(server.app, '春熙路·太古里');
    const inc = await postCase('大屏重叠测试', at);
    const page = await wallPage(1920, 1080);
    await openConsole(page, server.base, 'dispatcher', '?wall=1');
    await page.click('[data-testid="toggle-board"]');
    await page.waitForSelector('[data-testid="board-district"]');
    await openCase(page, inc.code);
    await settled(page);
    const mapBefore = (await boxOf(page, '[data-testid="map"]'))!;
    // 督办 from elsewhere: a toast on the wall
    expect((await call(server.app, dispatcher, { url: `/api/incidents/${inc.id}/escalate`, body: { reason: '大屏重叠测试' } })).status).toBe(200);
    await page.waitForSelector('[data-testid="toast"]');
    await settled(page);
    const toast = (await boxOf(page, '[data-testid="toasts"]'))!;
    // alerts have their own strip: nothing of the map (its labels) is under them, and the map did not
    // move or shrink when the alert came
    const map = (await boxOf(page, '[data-testid="map"]'))!;
    expect(overlaps(toast, map), `toasts ${JSON.stringify(toast)} over the map ${JSON.stringify(map)}`).toBe(false);
    expect(map).toEqual(mapBefore);
    for (const d of await dockedPanels(page)) expect(overlaps(toast, d), `toasts over a panel ${JSON.stringify(d)}`).toBe(false);
    const totals = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="board-district"] .dhead')].map((el) => {
        const r = el.getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
      }),
    );
    expect(totals.length).toBeGreaterThan(0);
    for (const t of totals) expect(overlaps(toast, t), `toast ${JSON.stringify(toast)} over totals ${JSON.stringify(t)}`).toBe(false);
    const board = (await boxOf(page, '[data-testid="squad-board"]'))!;
    expect(overlaps(toast, board)).toBe(false);

    // the legend folded for the case panel; 全市 and 天府广场 stay off it
    const legend = (await boxOf(page, '[data-testid="legend-open"]'))!;
    expect(legend).not.toBeNull();
    for (const b of ['view-city', 'view-home']) {
      const r = (await boxOf(page, `[data-testid="${b}"]`))!;
      expect(r, b).not.toBeNull();
      expect(overlaps(r, legend), `${b} ${JSON.stringify(r)} over legend ${JSON.stringify(legend)}`).toBe(false);
      expect(overlaps(r, toast), `${b} over the toasts`).toBe(false);
    }

    // the last candidate, scrolled into view, is not under the 派遣 bar; its position age is not cut
    const last = page.locator('[data-testid="recommendations"] li').last();
    if ((await page.locator('[data-testid="recommendations"] li').count()) > 0) {
      await last.scrollIntoViewIfNeeded();
      const li = (await last.boundingBox())!;
      const bar = (await boxOf(page, '[data-testid="dispatch-selected"]'))!;
      expect(overlaps({ left: li.x, right: li.x + li.width, top: li.y, bottom: li.y + li.height }, bar)).toBe(false);
      const cut = await last.evaluate((el) =>
        [...el.querySelectorAll('.age')].some((a) => a.scrollWidth > a.clientWidth + 1 || a.getBoundingClientRect().width === 0),
      );
      expect(cut).toBe(false);
    }
    await page.screenshot({ path: path.join(SHOTS, `wall-1920-overlaps-${mode}.png`) });
  }, 400_000);

  for (const [width, height] of [
    [1920, 1080],
    [3840, 1080],
  ] as const) {
    it(`draws wall-mode names, states and facts at 24 px or more and nothing under 18 px at ${width}×${height} (item 9)`, async () => {
      const at = await keyAreaPoint(server.app, '锦里');
      const inc = await postCase(`大屏字号测试 ${width}`, at);
      const page = await wallPage(width, height);
      await openConsole(page, server.base, 'dispatcher', '?wall=1');
      if (width < 2600) await page.click('[data-testid="toggle-board"]');
      await page.waitForSelector('[data-testid="board-district"]');
      await openCase(page, inc.code);
      await settled(page);
      // on screen: CSS font size times the CSS zoom of the panel it is in
      const measured = await page.evaluate(() => {
        const pick = {
          'district names': '.map-label--district .map-label__zh',
          'key-area names': '.map-label--key-area .map-label__zh',
          'squad names': '.map-label--squad .map-label__zh',
          'board district': '[data-testid="board-district"] h3',
          'board totals': '[data-testid="board-district"] .chip, [data-testid="board-district"] .chip b',
          'queue title': '[data-testid="queue-unfold"] .tab-label, [data-testid="case-queue"] h2',
          'case title': '[data-testid="case-detail"] h2',
          'candidate names': '[data-testid="recommendations"] .name',
          'candidate meta': '[data-testid="recommendations"] .meta',
          'view buttons': '[data-testid="view-city"] .main',
          legend: '[data-testid="legend-open"]',
          'status bar': '[data-testid="status-bar"] .clock',
          'member names': '[data-testid="board-member"] .mname',
          'member states': '[data-testid="board-member"] .status',
          'squad counts': '[data-testid="board-squad"] .mini i',
          'case facts': '[data-testid="case-detail"] dd',
          'record steps': '[data-testid="timeline"] b',
          'status buttons': '[data-testid="toggle-board"]',
        };
        const out: Record<string, number | null> = {};
        for (const [name, sel] of Object.entries(pick)) {
          const els = [...document.querySelectorAll<HTMLElement>(sel)].filter((el) => el.getClientRects().length > 0);
          out[name] = els.length
            ? Math.min(...els.map((el) => parseFloat(getComputedStyle(el).fontSize) * ((el as HTMLElement & { currentCSSZoom?: number }).currentCSSZoom ?? 1)))
            : null;
        }
        // and nothing on the wall below 18 px: the desk's size for subtitles, badges, ages and codes
        const tiny: string[] = [];
        for (const el of document.querySelectorAll<HTMLElement>('body *')) {
          if (![...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim())) continue;
          const r = el.getBoundingClientRect();
          if (r.width === 0 || r.bottom <= 0 || r.top >= innerHeight || r.right <= 0 || r.left >= innerWidth) continue;
          if (el.closest('.maplibregl-ctrl-attrib, kbd')) continue; // MapLibre's own credit line; key hints
          const px = parseFloat(getComputedStyle(el).fontSize) * ((el as HTMLElement & { currentCSSZoom?: number }).currentCSSZoom ?? 1);
          if (px < 17.9)
            tiny.push(
              `${el.closest('[data-testid]')?.getAttribute('data-testid')} ${el.className} "${el.textContent!.trim().slice(0, 16)}" ${px.toFixed(1)}px`,
            );
        }
        return { out, tiny };
      });
      const { out: sizes, tiny } = measured;
      expect(tiny, 'wall text under 18 px').toEqual([]);
      console.log(`[wall] font sizes at ${width}: ${JSON.stringify(sizes)}`);
      for (const [name, px] of Object.entries(sizes)) {
        if (px === null && /names$/.test(name) && name !== 'candidate names') continue; // a layer may have no label in view
        expect(px, name).not.toBeNull();
        expect(px!, name).toBeGreaterThanOrEqual(24);
      }
      await page.screenshot({ path: path.join(SHOTS, `wall-type-${width}x${height}-${mode}.png`) });
    }, 400_000);
  }
});

// The leader view as a wall screen (issue 14): at 1920×1080 (and 3840×1080) it fits without
// scrolling and every chart is in view; a district leader's heatmap is fitted to and centred on the
// district with no label cut by the panel's edge; key areas expecting too few complaints say 样本不足
// (screen and printed report), not a green −100 % and 达标 是; the ranking writes every squad's name,
// in the order squads are counted; average times carry their unit.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { compareOrdinalNames, parseNumeral } from '#shared/text/ordinal.ts';
import { consoleServerForFile, SHOTS } from '../support/browser.ts';
import { call, login } from '../support/clients.ts';
import { TEST_PASSWORD } from '../support/constants.ts';
import { testDatabase } from '../support/database.ts';
import { freeOfficers, keyAreaPoint } from '../support/fixtures.ts';

const db = testDatabase();
const mode = inject('databaseMode');
const server = consoleServerForFile(db);

type Rect = { x: number; y: number; width: number; height: number };
interface ChartFacts {
  labels: string[];
  bars: number;
  legend: Rect | null;
  axes: Rect[];
  grid: Rect | null;
}
type BBox = [number, number, number, number];

const CHARTS = ['chart-trend', 'chart-ranking', 'chart-categories'];

async function logIn(page: Page, name: string, password = TEST_PASSWORD): Promise<void> {
  await page.goto(`${server.base}/`);
  await page.fill('[data-testid="login-name"]', name);
  await page.fill('[data-testid="login-password"]', password);
  await page.click('[data-testid="login-submit"]');
  await page.waitForURL(/#\/leader/, { timeout: 10_000 });
}

async function loaded(page: Page, rows?: number): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const h = (window as unknown as { __zhihuiLeader?: { loadedAt: number; board: unknown; indicatorRows: number | null; heatTotal: number | null } })
        .__zhihuiLeader;
      return !!h && h.loadedAt > 0 && h.board !== null && h.heatTotal !== null && (n === null ? h.indicatorRows !== null : h.indicatorRows === n);
    },
    rows ?? null,
    { timeout: 30_000 },
  );
}

const chartFacts = (page: Page) => page.evaluate(() => (window as unknown as { __zhihuiCharts?: Record<string, ChartFacts> }).__zhihuiCharts ?? {});

/** No page scroll, nothing cut at the bottom, every chart's canvas wholly inside the viewport. */
async function fitsTheScreen(page: Page, label: string): Promise<void> {
  const m = await page.evaluate((ids) => {
    const se = document.scrollingElement!;
    const leader = document.querySelector('.leader') as HTMLElement;
    const canvases = ids.map((id) => {
      const c = document.querySelector(`[data-testid="${id}"] canvas`);
      const r = c?.getBoundingClientRect();
      return { id, r: r ? { top: r.top, left: r.left, bottom: r.bottom, right: r.right, height: r.height, width: r.width } : null };
    });
    const panels = [...document.querySelectorAll('.leader main > *')].map((e) => e.getBoundingClientRect().bottom);
    return {
      scrollHeight: se.scrollHeight,
      innerHeight,
      innerWidth,
      leaderScroll: leader.scrollHeight - leader.clientHeight,
      lowestPanel: Math.max(...panels),
      canvases,
    };
  }, CHARTS);
  expect(m.scrollHeight, `${label}: page scrolls`).toBeLessThanOrEqual(m.innerHeight);
  expect(m.leaderScroll, `${label}: the view scrolls`).toBeLessThanOrEqual(0);
  expect(m.lowestPanel, `${label}: a panel goes below the screen`).toBeLessThanOrEqual(m.innerHeight);
  for (const { id, r } of m.canvases) {
    expect(r, `${label}: ${id} has no canvas`).not.toBeNull();
    expect(r!.height, `${label}: ${id} too small`).toBeGreaterThan(120);
    expect(r!.top >= 0 && r!.left >= 0 && r!.bottom <= m.innerHeight && r!.right <= m.innerWidth, `${label}: ${id} cut ${JSON.stringify(r)}`).toBe(true);
  }
}

const intersects = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe(`the leader view on a wall screen (${mode} database)`, () => {
  it('fits 1920×1080 with every chart in view; the district fills the heatmap; too few expected complaints are not "met"', { timeout: 240_000 }, async () => {
    const page = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await logIn(page, 'leader'); // 锦江区's leader
    await loaded(page, 1);
    await page.waitForFunction(() => !!(window as unknown as { __zhihuiHeatmap?: unknown }).__zhihuiHeatmap, null, { timeout: 60_000 });
    await page.waitForTimeout(400); // the layout settles, the map refits once
    await fitsTheScreen(page, '1920×1080');

    // the heatmap shows 锦江区, whole and in the middle
    const admin = await login(server.app, 'admin');
    const districts = (await call(server.app, admin, { url: '/api/districts' })).json as {
      features: { properties: { adcode: string }; geometry: { coordinates: unknown } }[];
    };
    const jinjiang = districts.features.find((f) => f.properties.adcode === '510104')!;
    const coords = (JSON.stringify(jinjiang.geometry.coordinates).match(/-?\d+(\.\d+)?,-?\d+(\.\d+)?/g) ?? []).map((p) => p.split(',').map(Number));
    const bbox: BBox = [
      Math.min(...coords.map((c) => c[0]!)),
      Math.min(...coords.map((c) => c[1]!)),
      Math.max(...coords.map((c) => c[0]!)),
      Math.max(...coords.map((c) => c[1]!)),
    ];
    const heat = (await page.evaluate(() => (window as unknown as { __zhihuiHeatmap: { bounds: BBox } }).__zhihuiHeatmap))!;
    const [w, s, e, n] = heat.bounds;
    expect(w <= bbox[0] && s <= bbox[1] && e >= bbox[2] && n >= bbox[3], `map ${heat.bounds} holds 锦江区 ${bbox}`).toBe(true);
    // centred: the district's centre within 5 % of the view's span from the view's centre
    expect(Math.abs((w + e) / 2 - (bbox[0] + bbox[2]) / 2)).toBeLessThan(0.05 * (e - w));
    expect(Math.abs((s + n) / 2 - (bbox[1] + bbox[3]) / 2)).toBeLessThan(0.05 * (n - s));
    // fitted, not lost in a wide view: the district spans most of the panel one way or the other
    expect(Math.max((bbox[2] - bbox[0]) / (e - w), (bbox[3] - bbox[1]) / (n - s))).toBeGreaterThan(0.6);
    // no district name cut by the panel's edge
    const cut = await page.evaluate(() => {
      const box = document.querySelector('[data-testid="leader-heatmap"]')!.getBoundingClientRect();
      return [...document.querySelectorAll('[data-testid="leader-heatmap"] .map-label')]
        .filter((el) => getComputedStyle(el).visibility !== 'hidden' && getComputedStyle(el).display !== 'none')
        .map((el) => ({ text: el.textContent, r: el.getBoundingClientRect() }))
        .filter(({ r }) => r.left < box.left || r.right > box.right || r.top < box.top || r.bottom > box.bottom)
        .map(({ text }) => text);
    });
    expect(cut).toEqual([]);
    expect(await page.locator('[data-testid="leader-heatmap"] .map-label:has-text("锦江区")').isVisible()).toBe(true);

    // 24 hours of a monthly baseline, no complaints: too few to judge, no green −100 %
    const rows = page.locator('[data-testid="board-row"]');
    expect(await rows.count()).toBeGreaterThan(0);
    for (const row of await rows.all()) {
      expect(await row.getAttribute('data-verdict')).toBe('too-few');
      const change = (await row.locator('td').nth(3).textContent())!;
      expect(change).toContain('样本不足');
      expect(change).not.toMatch(/−?-?100%/);
    }
    await page.screenshot({ path: path.join(SHOTS, `leader-layout-1920x1080-${mode}.png`) });

    // the printed report: no 达标 是 for them either
    const href = (await page.getAttribute('a.print', 'href'))!;
    await page.goto(`${server.base}/${href}`);
    await page.waitForSelector('[data-testid="report-key-area"]', { timeout: 45_000 });
    const reportRows = await page.locator('[data-testid="report-key-area"]').allTextContents();
    expect(reportRows.length).toBeGreaterThan(0);
    for (const r of reportRows) {
      expect(r).toContain('样本不足');
      expect(r).not.toMatch(/是|-100%/);
    }
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('fits 3840×1080 too', { timeout: 240_000 }, async () => {
    const page = await server.browser.newPage({ viewport: { width: 3840, height: 1080 } });
    await logIn(page, 'leader');
    await loaded(page, 1);
    await page.waitForTimeout(400);
    await fitsTheScreen(page, '3840×1080');
    await page.screenshot({ path: path.join(SHOTS, `leader-layout-3840x1080-${mode}.png`) });
    await page.close();
  });

  it(
    'ranks every squad by name, in the order they are counted, shows average times with units, keeps the legend off the axes',
    { timeout: 240_000 },
    async () => {
      // a dispatched case, so the squads' average time to dispatch has a value
      const dispatcher = await login(server.app, 'dispatcher');
      const at = await keyAreaPoint(server.app, '春熙路·太古里');
      const made = await call(server.app, dispatcher, {
        url: '/api/incidents',
        body: { category: '0501', source: 'public', description: '领导视图排名测试', lon: at[0], lat: at[1], register: true },
      });
      expect(made.status, made.body).toBe(201);
      const [cert] = await freeOfficers(db.pool, { district: made.json.incident.districtAdcode, kind: 'officer', count: 1 });
      await db.pool.query(`UPDATE officers SET duty_status = 'available' WHERE id = $1`, [cert]);
      const sent = await call(server.app, dispatcher, { url: `/api/incidents/${made.json.incident.id}/dispatch`, body: { officerIds: [cert] } });
      expect(sent.status, sent.body).toBe(200);

      const admin = await login(server.app, 'admin');
      const name = `cityleader${process.pid}`;
      const user = await call(server.app, admin, {
        url: '/api/users',
        body: { login: name, password: 'Lantern-Civic-Orbit-93', displayName: '市领导', role: 'leader', districtAdcode: null },
      });
      expect(user.status, user.body).toBe(201);
      const squads = Number((await db.pool.query(`SELECT count(*) FROM squads`)).rows[0].count);
      expect(squads).toBeGreaterThanOrEqual(10);

      const page = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
      await logIn(page, name, 'Lantern-Civic-Orbit-93');
      await loaded(page, 5);
      await page.click('[data-testid="by-squad"]');
      await page.waitForFunction(
        (n) => ((window as unknown as { __zhihuiLeader?: { indicatorRows: number | null } }).__zhihuiLeader?.indicatorRows ?? 0) >= n,
        squads,
        { timeout: 30_000 },
      );
      const rowCount = await page.locator('[data-testid="indicator-row"]').count();
      await expect.poll(async () => (await chartFacts(page))['chart-ranking']?.bars, { timeout: 15_000 }).toBe(rowCount);
      await page.waitForTimeout(300);
      const facts = await chartFacts(page);
      const rank = facts['chart-ranking']!;
      // one name per bar
      expect(rank.labels).toHaveLength(rank.bars);
      // equal rates (no case closed): the squads of a district in counting order, 第一 < 第二 < 第三
      const ordinal = (label: string) => parseNumeral(/第([零一二三四五六七八九十百]+)/.exec(label)?.[1] ?? '');
      const byDistrict = new Map<string, number[]>();
      for (const l of rank.labels) {
        const district = l.split(' ')[0]!;
        byDistrict.set(district, [...(byDistrict.get(district) ?? []), ordinal(l)!]);
      }
      expect(
        [...byDistrict.values()].some((o) => o.length >= 3),
        JSON.stringify(rank.labels),
      ).toBe(true);
      for (const [district, order] of byDistrict) expect(order, district).toEqual([...order].sort((a, b) => a - b));
      // the table: squads of a district in counting order too
      const tableNames = await page.locator('[data-testid="indicator-row"] td.name').allTextContents();
      for (const d of byDistrict.keys()) {
        const mine = tableNames.filter((t) => t.startsWith(d) && /第.+中队$/.test(t));
        expect(mine, d).toEqual([...mine].sort(compareOrdinalNames));
      }
      // average times with a unit, never a bare 0′
      const times = await page
        .locator('[data-testid="indicator-row"] td[data-key^="avg"], [data-testid="indicators"] tr.total td[data-key^="avg"]')
        .allTextContents();
      expect(times.length).toBeGreaterThan(0);
      expect(times.some((t) => t !== '—')).toBe(true);
      for (const t of times) expect(t.trim()).toMatch(/^(—|<1 分钟|\d+ 分钟|\d+ 小时( \d+ 分)?)$/);
      // the trend's legend sits clear of its axes and plot
      const trend = facts['chart-trend']!;
      expect(trend.legend).not.toBeNull();
      for (const a of trend.axes) expect(intersects(trend.legend!, a), `legend ${JSON.stringify(trend.legend)} over axis ${JSON.stringify(a)}`).toBe(false);
      expect(intersects(trend.legend!, trend.grid!)).toBe(false);
      await fitsTheScreen(page, 'city leader by squad');
      await page.screenshot({ path: path.join(SHOTS, `leader-layout-squads-1920x1080-${mode}.png`) });
      await page.close();
    },
  );
});

// The console (wall, dark) and the officer's phone card (sunlight theme, light) draw Zhihui's own
// street basemap over the demo patch: roads with Chinese names rendered from our tiles and glyphs,
// the OpenStreetMap credit and the partial-coverage note visible, and not one request leaving the
// machine. Screenshots: /tmp/bm-console.png, /tmp/bm-phone.png.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoBasemap } from '../../server/basemap/demo.ts';
import { ensureClientBuild } from '../../server/http/client-static.ts';
import { testApp } from '../support/app.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/browser.ts';
import { call, login, type Session } from '../support/clients.ts';
import { openConsole } from '../support/console-page.ts';
import { testDatabase } from '../support/database.ts';
import { phoneOnDuty } from '../support/officer-page.ts';

const db = testDatabase();
/** 人民南路四段 at 玉林 */
const RENMIN_SOUTH: [number, number] = [104.0642, 30.632];
const PASSWORD = 'Phone-Basemap-Streets-9';
let app: FastifyInstance;
let base = '';
let browser: Browser;
let dispatcher: Session;

beforeAll(async () => {
  await ensureClientBuild(() => {});
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-basemap-e2e-'));
  // the demo city's basemap, through the pipeline, as the server's first start makes it
  await ensureDemoBasemap(dataDir);
  app = await testApp(db, { serveClient: true, config: { dataDir } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  dispatcher = await login(app, 'dispatcher');
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db.close();
});

/** Every URL the page asks for, and the basemap answers by kind. */
function recordRequests(page: Page): { urls: string[]; answers: { url: string; status: number }[] } {
  const rec = { urls: [] as string[], answers: [] as { url: string; status: number }[] };
  page.on('request', (r) => rec.urls.push(r.url()));
  page.on('response', (r) => {
    if (r.url().includes('/api/basemap/')) rec.answers.push({ url: r.url(), status: r.status() });
  });
  return rec;
}

function allLocal(urls: string[]): void {
  const away = urls.filter((u) => {
    if (u.startsWith('data:') || u.startsWith('blob:')) return false;
    const host = new URL(u).hostname;
    return host !== '127.0.0.1' && host !== 'localhost';
  });
  expect(away, 'requests that left the machine').toEqual([]);
}

/** Road names MapLibre drew as labels in view, read from the rendered symbols. */
function drawnRoadNames(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const map = (window as unknown as { __zhihuiMap: import('maplibre-gl').Map }).__zhihuiMap;
    return map.queryRenderedFeatures(undefined, { layers: ['bm-road-label'] }).map((f) => String(f.properties.name));
  });
}

describe('the street basemap in the browser', () => {
  it('the wall console draws roads and their Chinese names over the demo patch, credited, with nothing fetched from elsewhere', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await ctx.newPage();
    const rec = recordRequests(page);
    try {
      await openConsole(page, base, 'dispatcher');
      await page.evaluate(([lon, lat]) => {
        const map = (window as unknown as { __zhihuiMap: import('maplibre-gl').Map }).__zhihuiMap;
        map.jumpTo({ center: [lon!, lat!], zoom: 15 });
      }, RENMIN_SOUTH);
      await page.waitForFunction(
        () => {
          const map = (window as unknown as { __zhihuiMap: import('maplibre-gl').Map }).__zhihuiMap;
          return map.getLayer('bm-road-label') !== undefined && map.loaded() && map.queryRenderedFeatures(undefined, { layers: ['bm-road-label'] }).length > 0;
        },
        null,
        { timeout: 30_000 },
      );
      const names = await drawnRoadNames(page);
      expect(names.some((n) => n.startsWith('人民南路'))).toBe(true);
      expect(names.every((n) => /[\u4e00-\u9fff]/.test(n))).toBe(true);
      // our overlays stay on top of the streets
      const order = await page.evaluate(() => {
        const map = (window as unknown as { __zhihuiMap: import('maplibre-gl').Map }).__zhihuiMap;
        return map.getStyle().layers.map((l) => l.id);
      });
      const lastStreet = Math.max(...order.map((id, i) => (id.startsWith('bm-') ? i : -1)));
      const firstOverlay = order.findIndex((id) => id.startsWith('zh-') && id !== 'zh-background');
      expect(firstOverlay).toBeGreaterThan(lastStreet);
      // tiles and glyphs (0-255 and CJK ranges) came from our server
      const ok = rec.answers.filter((a) => a.status === 200 || a.status === 204);
      expect(ok.some((a) => a.url.includes('/api/basemap/tiles/'))).toBe(true);
      expect(ok.some((a) => /\/api\/basemap\/fonts\/.+\/(19968|2\d{4})-\d+\.pbf$/.test(a.url))).toBe(true);
      expect(rec.answers.filter((a) => a.status >= 400)).toEqual([]);
      const credit = page.locator('.maplibregl-ctrl-attrib');
      await expect.poll(() => credit.isVisible()).toBe(true);
      const text = await credit.innerText();
      expect(text).toContain('© OpenStreetMap contributors');
      expect(text).toContain('演示底图仅覆盖成都市南部局部');
      // no map error reached the dispatcher (a style MapLibre refuses says so in the error list)
      expect(await page.getByText('地图错误').count()).toBe(0);
      await page.waitForTimeout(300);
      await page.screenshot({ path: '/tmp/bm-console.png' });
      allLocal(rec.urls);
    } finally {
      await ctx.close();
    }
  });

  it("the officer's phone card draws the streets around the case, light in the sunlight theme, credited, all local", async () => {
    const admin = await login(app, 'admin');
    const officerId = (
      await db.pool.query<{ id: number }>(
        `
      SELECT o.id FROM officers o JOIN grid_cells g ON g.squad_id = o.squad_id
      WHERE ST_Covers(g.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) AND g.valid_to IS NULL AND o.kind = 'officer'
        AND o.duty_status <> 'busy' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.officer_id = o.id)
      ORDER BY o.id DESC LIMIT 1`,
        RENMIN_SOUTH,
      )
    ).rows[0]!.id;
    const loginName = `bm${officerId}-${process.pid}`;
    expect(
      (await call(app, admin, { url: '/api/users', body: { login: loginName, password: PASSWORD, displayName: '底图测试', role: 'officer', officerId } }))
        .status,
    ).toBe(201);

    const ctx = await browser.newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
      geolocation: { longitude: RENMIN_SOUTH[0] + 0.0012, latitude: RENMIN_SOUTH[1], accuracy: 8 },
      permissions: ['geolocation'],
    });
    await ctx.addInitScript(() => localStorage.setItem('zhihui.officer.theme', 'light'));
    const page = await ctx.newPage();
    const rec = recordRequests(page);
    try {
      await page.goto(`${base}/#/officer`);
      await page.fill('[data-testid="login-name"]', loginName);
      await page.fill('[data-testid="login-password"]', PASSWORD);
      await page.click('[data-testid="login-submit"]');
      await phoneOnDuty(page);
      const r = await call(app, dispatcher, {
        url: '/api/incidents',
        body: {
          category: '0507',
          source: 'public',
          description: '人民南路占道经营（底图测试）',
          lon: RENMIN_SOUTH[0],
          lat: RENMIN_SOUTH[1],
          address: '人民南路四段',
          register: true,
        },
      });
      expect(r.status).toBe(201);
      const id = (r.json.incident as { id: number }).id;
      expect((await call(app, dispatcher, { url: `/api/incidents/${id}/dispatch`, body: { officerIds: [officerId] } })).status).toBe(200);
      await page.waitForSelector('[data-testid="case-map"][data-ready="yes"]', { timeout: 30_000 });
      // tiles and glyphs drawn: wait until the map has nothing left to load
      await expect
        .poll(() => rec.answers.filter((a) => a.url.includes('/api/basemap/fonts/') && a.status === 200).length, { timeout: 20_000 })
        .toBeGreaterThan(1);
      await page.waitForTimeout(1500);
      expect(rec.answers.some((a) => a.url.includes('/api/basemap/style?theme=light') && a.status === 200)).toBe(true);
      expect(rec.answers.some((a) => a.url.includes('/api/basemap/tiles/') && a.status === 200)).toBe(true);
      expect(rec.answers.filter((a) => a.status >= 400)).toEqual([]);
      const credit = page.locator('[data-testid="case-map-credit"]');
      expect(await credit.isVisible()).toBe(true);
      expect(await credit.innerText()).toContain('© OpenStreetMap contributors');
      // above the sticky action button
      await page.locator('[data-testid="case-map"]').evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await page.waitForTimeout(300);
      await page.screenshot({ path: '/tmp/bm-phone.png' });
      await page.locator('[data-testid="case-map"]').screenshot({ path: '/tmp/bm-phone-map.png' });
      allLocal(rec.urls);
    } finally {
      await ctx.close();
    }
  });
});

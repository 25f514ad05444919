// A phoned-in complaint placed by what the caller says: the dispatcher types the intersection in the
// caller's order and form ("玉林东路和人民南路四段"), takes the first suggestion with Enter, and the point,
// the map and the address follow; the saved case carries its landmark, which the case panel shows.
// A place the gazetteer does not know says so and leaves the map click and lon/lat to fall back on.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { loadOsmIntersections } from '../../server/seed/osm-roads.ts';
import { consoleServerForFile, SHOTS } from '../support/browser.ts';
import { openConsole } from '../support/console-page.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
const mode = inject('databaseMode');
const server = consoleServerForFile(db);
let page: Page;

const JUNCTION = loadOsmIntersections().find((i) => i.name === '人民南路四段与玉林东路交叉口')!;

beforeAll(async () => {
  page = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await openConsole(page, server.base, 'dispatcher');
});

const mapCenter = (p: Page) =>
  p.evaluate(() => {
    const c = (window as unknown as { __zhihuiMap: { getCenter(): { lng: number; lat: number } } }).__zhihuiMap.getCenter();
    return [c.lng, c.lat];
  });

describe(`the new-case form's place search (${mode} database)`, () => {
  it('finds an intersection said in the other order, sets the point, flies there, and the case keeps its landmark', async () => {
    expect(JUNCTION).toBeDefined();
    await page.click('[data-testid="new-case"]');
    // the search box is the first thing in the form
    const firstField = await page.$eval('[data-testid="new-case-form"] form', (f) => f.querySelector('input, select, textarea')?.getAttribute('data-testid'));
    expect(firstField).toBe('nc-search');

    await page.fill('[data-testid="nc-search"]', '玉林东路和人民南路四段');
    const first = page.locator('[data-testid="nc-hit"]').first();
    await first.waitFor({ timeout: 10_000 });
    expect(await first.getAttribute('data-kind')).toBe('intersection');
    expect(await first.textContent()).toContain('人民南路四段与玉林东路交叉口');
    await page.screenshot({ path: path.join(SHOTS, `console-place-search-${mode}.png`) });
    await page.press('[data-testid="nc-search"]', 'Enter');

    // the point is the intersection's, the address takes its name, and the map flies there
    await page.waitForFunction(() => (document.querySelector('[data-testid="nc-lon"]') as HTMLInputElement | null)?.value !== '', null, { timeout: 5_000 });
    const lon = Number(await page.inputValue('[data-testid="nc-lon"]'));
    const lat = Number(await page.inputValue('[data-testid="nc-lat"]'));
    expect(Math.abs(lon - JUNCTION.coordinates[0])).toBeLessThan(0.0002);
    expect(Math.abs(lat - JUNCTION.coordinates[1])).toBeLessThan(0.0002);
    await page.waitForFunction(
      ([x, y]) => {
        const m = (window as unknown as { __zhihuiMap: { getCenter(): { lng: number; lat: number }; isMoving(): boolean } }).__zhihuiMap;
        const c = m.getCenter();
        return !m.isMoving() && Math.abs(c.lng - x!) < 0.01 && Math.abs(c.lat - y!) < 0.01;
      },
      JUNCTION.coordinates,
      { timeout: 10_000 },
    );
    expect(await mapCenter(page)).toHaveLength(2);
    // with a category the form previews the place: the landmark in words, then the areas
    await page.selectOption('[data-testid="nc-category"]', '0503');
    await page.waitForSelector('[data-testid="nc-place"]:has-text("区")', { timeout: 5_000 });
    expect(await page.textContent('[data-testid="nc-place-landmark"]')).toContain('人民南路四段与玉林东路交叉口');
    await page.fill('[data-testid="nc-description"]', '电话举报：玉林东路口占道经营');
    await page.click('[data-testid="nc-submit"]');

    // the saved case names its landmark in the case panel, and stores it
    const landmark = page.locator('[data-testid="case-detail"] [data-testid="case-place-landmark"]');
    await landmark.waitFor({ timeout: 10_000 });
    expect(await landmark.textContent()).toContain('人民南路四段与玉林东路交叉口');
    const code = (await page.getAttribute('[data-testid="case-code"]', 'data-code'))!;
    const stored = (await db.pool.query<{ landmark: { kind: string; name: string; meters: number } }>(`SELECT landmark FROM incidents WHERE code = $1`, [code]))
      .rows[0]!;
    expect(stored.landmark).toMatchObject({ kind: 'intersection', name: '人民南路四段与玉林东路交叉口' });
    expect(stored.landmark.meters).toBeLessThan(25);
    await page.screenshot({ path: path.join(SHOTS, `console-place-search-case-${mode}.png`) });
  });

  it('says when nothing is found, and leaves the map click and lon/lat to fall back on', async () => {
    await page.click('[data-testid="new-case"]');
    await page.fill('[data-testid="nc-search"]', '不存在的火星路');
    await page.waitForSelector('[data-testid="nc-no-hits"]', { timeout: 10_000 });
    expect(await page.textContent('[data-testid="nc-no-hits"]')).toContain('不存在的火星路');
    expect(await page.locator('[data-testid="nc-hit"]').count()).toBe(0);
    expect(await page.inputValue('[data-testid="nc-lon"]')).toBe('');
    expect(await page.isVisible('[data-testid="nc-pick"]')).toBe(true);
  });
});

import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ConsoleServer, consoleServer, SHOTS } from '../support/browser.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
let server: ConsoleServer;
let browser: Browser;
let base: string;

beforeAll(async () => {
  server = await consoleServer(db);
  ({ browser, base } = server);
});
afterAll(async () => {
  await server?.close();
  await db.close();
});

interface Hook {
  ready: boolean;
  layers: Record<string, number>;
  errors: string[];
}

describe(`the console in Chromium (${inject('databaseMode')} database)`, () => {
  it('renders districts, grid, key areas, illegal buildings, squads and officers offline, and looks right at 1920×1080', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const offsite: string[] = [];
    const consoleErrors: string[] = [];
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

    await page.goto(`${base}/`);
    await page.waitForFunction(() => (window as unknown as { __zhihui?: Hook }).__zhihui?.ready === true, null, { timeout: 90_000 });
    const hook = await page.evaluate(() => (window as unknown as { __zhihui: Hook }).__zhihui);
    expect(hook.errors).toEqual([]);
    expect(hook.layers.districts).toBe(5);
    expect(hook.layers.gridCells).toBeGreaterThan(500);
    expect(hook.layers.keyAreas).toBeGreaterThanOrEqual(6);
    expect(hook.layers.illegalBuildings).toBeGreaterThan(0);
    expect(hook.layers.squads).toBeGreaterThanOrEqual(10);
    expect(hook.layers.officers).toBeGreaterThan(50);
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
    await page.screenshot({ path: path.join(SHOTS, `console-1920x1080-${inject('databaseMode')}.png`) });
    expect(offsite).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });
});

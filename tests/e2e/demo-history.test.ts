// A demo city with a past (SEED_HISTORY_DAYS): on the first screen the leader's indicators, heatmap
// and key-area board show figures, and the dispatcher's queue has work waiting.
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { seedDemoHistory } from '../../server/seed/history.ts';
import { consoleServerForFile, SHOTS } from '../support/browser.ts';
import { openConsole } from '../support/console-page.ts';
import { TEST_PASSWORD } from '../support/constants.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
const mode = inject('databaseMode');
// the past first, then the server (hooks run in this order), as main.ts does
beforeAll(async () => {
  const r = await seedDemoHistory(db.pool, { days: 7 });
  expect(r.seeded).toBe(true);
}, 600_000);
const server = consoleServerForFile(db);

interface LeaderHook {
  loadedAt: number;
  heatTotal: number | null;
  board: { complaints: number; open: number }[] | null;
  indicatorRows: number | null;
  errors: Record<string, string>;
}

describe(`a demo city with history (${mode} database)`, () => {
  it('shows the leader figures on first sight and the dispatcher a queue with work', async () => {
    const page = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`${server.base}/`);
    await page.fill('[data-testid="login-name"]', 'leader');
    await page.fill('[data-testid="login-password"]', TEST_PASSWORD);
    await page.click('[data-testid="login-submit"]');
    await page.waitForURL(/#\/leader/, { timeout: 10_000 });
    // a week of the past (the default 24 h of one district may hold a handful at night)
    await page.click('[data-testid="period-7d"]');
    await page.waitForFunction(
      () => {
        const h = (window as unknown as { __zhihuiLeader?: LeaderHook }).__zhihuiLeader;
        return !!h && h.loadedAt > 0 && h.board !== null && h.indicatorRows !== null && (h.heatTotal ?? 0) > 0;
      },
      null,
      { timeout: 30_000 },
    );
    const hook = (await page.evaluate(() => (window as unknown as { __zhihuiLeader: LeaderHook }).__zhihuiLeader))!;
    expect(hook.errors).toEqual({});
    expect(hook.heatTotal).toBeGreaterThan(0);
    expect(hook.board!.reduce((n, r) => n + r.complaints + r.open, 0)).toBeGreaterThan(0);
    // the district's indicator row carries figures, not zeros and dashes only
    expect(await page.locator('[data-testid="indicator-row"]').first().textContent()).toMatch(/[1-9]/);
    await page.screenshot({ path: path.join(SHOTS, `demo-history-leader-${mode}.png`) });
    await page.close();

    const desk = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await openConsole(desk, server.base, 'dispatcher');
    await expect.poll(() => desk.locator('[data-testid="queue-row"]').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await desk.screenshot({ path: path.join(SHOTS, `demo-history-dispatcher-${mode}.png`) });
    await desk.close();
  }, 120_000);
});

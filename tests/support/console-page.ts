import type { Locator, Page } from 'playwright-core';
import type { ZhihuiHook } from '../../client/src/common/test-hook.ts';
import { TEST_PASSWORD } from './constants.ts';

/** What the wall console mirrors into `window.__zhihui` for browser tests: the client's own type. */
export type ConsoleHook = ZhihuiHook;

/** The console's test hook as it is now (plain values, copied out of the page). */
export const consoleHook = (page: Page): Promise<ConsoleHook> => page.evaluate(() => (window as unknown as { __zhihui: ConsoleHook }).__zhihui);

/**
 * Log in on the wall console and wait until the map is ready and the live feed is on. The map's
 * layers are behind the login, so `ready` (every layer loaded and drawn) comes after it.
 */
export async function openConsole(page: Page, base: string, user: string, query = ''): Promise<void> {
  await page.goto(`${base}/${query}`);
  await page.fill('[data-testid="login-name"]', user);
  await page.fill('[data-testid="login-password"]', TEST_PASSWORD);
  await page.click('[data-testid="login-submit"]');
  await page.waitForFunction(
    () => {
      const h = (window as unknown as { __zhihui: { live: string; ready: boolean } }).__zhihui;
      return h.live === 'live' && h.ready;
    },
    null,
    { timeout: 90_000 },
  );
}

/**
 * The queue draws only the rows in view, and a file's earlier tests leave their open cases in it:
 * find cases the way a dispatcher does, by typing into the queue's search box.
 */
export async function searchQueue(page: Page, text: string): Promise<void> {
  await page.fill('[data-testid="filter-search"]', text);
}

export function queueRow(page: Page, code: string): Locator {
  return page.locator(`[data-testid="queue-row"][data-code="${code}"]`);
}

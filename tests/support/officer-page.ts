import type { Page } from 'playwright-core';

/**
 * Puts the officer's phone on duty unless it already is (available or busy). Until the phone has its
 * first answer from the server the duty toggle carries no state (data-duty=""): reading it then and
 * tapping only on "off_duty" left a slow phone off duty, never sharing its position.
 */
export async function phoneOnDuty(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="duty-toggle"]:not([data-duty=""])', { timeout: 30_000 });
  if ((await page.getAttribute('[data-testid="duty-toggle"]', 'data-duty')) === 'off_duty') await page.click('[data-testid="duty-on"]');
  await page.waitForSelector('[data-testid="duty-toggle"]:not([data-duty="off_duty"])');
}

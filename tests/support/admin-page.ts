// Driving the administration screens in Chromium: logging in, and the GIS import screen's upload,
// check-again and commit, waiting on what the screen mirrors into window.__zhihuiGis.
import type { Page } from 'playwright-core';
import { TEST_PASSWORD } from './constants.ts';

/** What the screen mirrors into `window.__zhihuiGis` (client/src/admin/GisScreen.svelte). */
export interface GisHook {
  layers: string[] | null;
  importId: number | null;
  state: string | null;
  versionId: number | null;
  counts: Record<string, number> | null;
  problemTotal: number | null;
  problemsShown: number;
  mapFeatures: number | null;
  mapRendered: number | null;
  mapError: string | null;
  imports: number;
  busy: string | null;
  /** uploads answered so far (a preview or a refusal) */
  uploads: number;
  error: string | null;
}
export const hook = async (page: Page): Promise<GisHook> => (await page.evaluate(() => (window as unknown as { __zhihuiGis?: GisHook }).__zhihuiGis ?? null))!;

export async function logIn(page: Page, user: string, password = TEST_PASSWORD): Promise<void> {
  await page.waitForSelector('[data-testid="login-form"]', { timeout: 20_000 });
  await page.fill('[data-testid="login-name"]', user);
  await page.fill('[data-testid="login-password"]', password);
  await page.click('[data-testid="login-submit"]');
}

/** Do what sends a file (upload, check again) and wait until the server answered: a preview or a refusal. */
export async function answered(page: Page, act: () => Promise<void>): Promise<GisHook> {
  const before = (await hook(page)).uploads;
  await act();
  await page.waitForFunction(
    (was) => {
      const h = (window as unknown as { __zhihuiGis?: GisHook }).__zhihuiGis;
      return !!h && h.busy === null && h.uploads > was;
    },
    before,
    { timeout: 120_000 },
  );
  return hook(page);
}

/** Upload the file with the form as it is set. */
export const upload = (page: Page, file: string) =>
  answered(page, async () => {
    await page.setInputFiles('[data-testid="gis-file"]', file);
    await page.click('[data-testid="gis-upload"]');
  });

/** 重新检查 with one target's mapping changed ('' = not mapped). */
export const recheck = (page: Page, target: string, field: string) =>
  answered(page, async () => {
    await page.selectOption(`[data-testid="gis-mapping-select"][data-target="${target}"]`, field);
    await page.click('[data-testid="gis-recheck"]');
  });

export async function commit(page: Page): Promise<{ confirm: string; hook: GisHook }> {
  await page.click('[data-testid="gis-step-commit"]');
  const confirm = (await page.textContent('[data-testid="gis-confirm-text"]')) ?? '';
  await page.click('[data-testid="gis-confirm-yes"]');
  await page.waitForFunction(() => (window as unknown as { __zhihuiGis?: GisHook }).__zhihuiGis?.state === 'committed', null, { timeout: 120_000 });
  return { confirm, hook: await hook(page) };
}

// The administrator's 底图数据导入 screen in Chromium (/#/admin/gis): a logged-out administrator gets the
// login form there; a file the server refuses shows its message; the second city's district (GCJ-02
// GeoJSON) is previewed and committed; its grid (GBK Shapefile, Gauss-Krüger zone 39) shows every planted
// defect on its row with its kind, renders on the map, and is committed. A dispatcher is turned away.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROBLEM_KINDS, type ProblemKind } from '#shared/gis/import-workflow.ts';
import { consoleServerForFile, SHOTS } from '../support/browser.ts';
import { commit, type GisHook, hook, logIn, recheck, upload } from '../support/admin-page.ts';
import { testDatabase } from '../support/database.ts';
import { ADCODE, buildSecondCity, type SecondCity } from '../support/second-city.ts';
import { GIS_LAYER_NAMES } from '#shared/gis/layers.ts';

const db = testDatabase();
const mode = inject('databaseMode');
const server = consoleServerForFile(db);
let dir: string;
let city: SecondCity;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'zhihui-admin-gis-'));
  city = await buildSecondCity(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Move the problem list a page on (or back) and wait until it shows that page. */
async function turnPage(page: Page, which: 'next' | 'prev'): Promise<boolean> {
  const button = page.locator(`[data-testid="gis-problems-${which}"]`);
  if (!(await button.isEnabled())) return false;
  const range = await page.textContent('[data-testid="gis-problems-range"]');
  await button.click();
  await page.waitForFunction((r) => document.querySelector('[data-testid="gis-problems-range"]')?.textContent !== r, range);
  return true;
}

/** Every problem row on every page of the list (row, kind and the text shown); the list is left on its first page. */
async function allProblemRows(page: Page): Promise<{ n: string; kind: string; text: string }[]> {
  const rows: { n: string; kind: string; text: string }[] = [];
  do {
    rows.push(
      ...(await page.$$eval('[data-testid="gis-problem-row"]', (els) =>
        els.map((e) => ({ n: e.getAttribute('data-n') ?? '', kind: e.getAttribute('data-kind') ?? '', text: e.textContent ?? '' })),
      )),
    );
  } while (await turnPage(page, 'next'));
  while (await turnPage(page, 'prev'));
  return rows;
}

const mapZoom = (page: Page) => page.evaluate(() => (window as unknown as { __zhihuiMap: { getZoom(): number } }).__zhihuiMap.getZoom());

describe(`the administrator's GIS import screen (${mode} database)`, () => {
  it('imports the second city: district (GCJ-02) then grid, with its planted defects listed and mapped', { timeout: 300_000 }, async () => {
    const page = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    // logged out on /#/admin/gis: the login form, then the screen itself
    await page.goto(`${server.base}/#/admin/gis`);
    await logIn(page, 'admin');
    await page.waitForFunction((n) => (window as unknown as { __zhihuiGis?: GisHook }).__zhihuiGis?.layers?.length === n, GIS_LAYER_NAMES.length, {
      timeout: 20_000,
    });
    expect(page.url()).toContain('#/admin/gis');

    // a file the server refuses: its message, as it said it
    await page.selectOption('[data-testid="gis-layer"]', 'grid_cells');
    await page.selectOption('[data-testid="gis-coords"]', 'gcj02');
    const refused = await upload(page, city.files.district);
    expect(refused.error).toMatch(/缺少必填字段/);
    expect(await page.textContent('[data-testid="gis-error"]')).toContain(refused.error);
    expect(refused.importId).toBeNull();

    // the district, GCJ-02 (DataV): one added; committed after the confirmation says so
    await page.selectOption('[data-testid="gis-layer"]', 'districts');
    const district = await upload(page, city.files.district);
    expect(district.error).toBeNull();
    expect(district.counts).toMatchObject({ rows: 1, add: 1, skip: 0 });
    expect(await page.getAttribute('[data-testid="gis-count-add"]', 'data-value')).toBe('1');
    expect(await page.textContent('[data-testid="gis-reading-crs"]')).toMatch(/gcj02/);
    const d = await commit(page);
    expect(d.confirm).toContain('将新增 1、修改 0、关闭 0 个行政区');
    expect(d.hook.versionId).toBeGreaterThan(0);
    expect(await page.textContent('[data-testid="gis-state"]')).toMatch(/已提交.*committed/);

    // the grid: a GBK Shapefile whose .prj says zone 39; no shift this time
    await page.selectOption('[data-testid="gis-layer"]', 'grid_cells');
    await page.selectOption('[data-testid="gis-coords"]', 'wgs84');
    const first = await upload(page, city.files.grid);
    expect(first.error).toBeNull();
    expect(await page.inputValue('[data-testid="gis-mapping-select"][data-target="street_name"]')).toBe('街道');
    // the mapping edited and checked again: a new preview read with it; the one it replaces is discarded
    const unmapped = await recheck(page, 'street_name', '');
    expect(unmapped.error).toBeNull();
    expect(unmapped.importId).not.toBe(first.importId);
    expect(await page.inputValue('[data-testid="gis-mapping-select"][data-target="street_name"]')).toBe('');
    const grid = await recheck(page, 'street_name', '街道');
    expect(grid.importId).not.toBe(unmapped.importId);
    await expect
      .poll(() =>
        page.locator('[data-testid="gis-import-row"][data-state="discarded"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-id')))),
      )
      .toEqual([unmapped.importId, first.importId]);
    expect(grid.error).toBeNull();
    expect(grid.state).toBe('previewed');
    expect(grid.counts).toMatchObject({ rows: city.grid.rows, change: 0, keep: 0, remove: 0 });
    expect(grid.counts!.skip).toBeGreaterThanOrEqual(city.grid.defects.length);
    expect(await page.textContent('[data-testid="gis-reading-encoding"]')).toMatch(/GBK.*\.cpg/);
    expect(await page.textContent('[data-testid="gis-reading-crs"]')).toMatch(/Zone_39|4527/);
    expect(await page.inputValue('[data-testid="gis-mapping-select"][data-target="code"]')).toBe('网格编码');

    // every planted defect on its row, with its kind's label
    const rows = await allProblemRows(page);
    expect(rows.length).toBe(grid.problemTotal);
    for (const defect of city.grid.defects) {
      const shown = rows.find((r) => r.n === String(defect.row) && r.kind === defect.kind);
      expect(shown, `${defect.kind} on row ${defect.row} (${defect.detail})`).toBeDefined();
      expect(shown!.text).toContain(PROBLEM_KINDS[defect.kind as ProblemKind].zh);
    }
    for (const kind of new Set(city.grid.defects.map((x) => x.kind))) {
      expect(await page.locator(`[data-testid="gis-problem-kind"][data-kind="${kind}"]`).getAttribute('data-severity')).toBe('error');
    }

    // the map draws the staged cells and the problems' places
    await page.waitForFunction(
      () => {
        const h = (window as unknown as { __zhihuiGis?: GisHook }).__zhihuiGis;
        return !!h && (h.mapFeatures ?? 0) > 0 && (h.mapRendered ?? 0) > 0;
      },
      null,
      { timeout: 30_000 },
    );
    const drawn = await hook(page);
    expect(drawn.mapFeatures).toBeGreaterThanOrEqual(city.grid.rows - 1);
    expect(drawn.mapError).toBeNull();
    // a located problem is flown to
    const overlapRow = city.grid.defects.find((x) => x.kind === 'overlap')!.row;
    const overlap = page.locator(`[data-testid="gis-problem-row"][data-n="${overlapRow}"][data-kind="overlap"]`).first();
    expect(await overlap.getAttribute('data-located')).toBe('true');
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(SHOTS, 'admin-gis-preview.png') });
    const zoomBefore = await mapZoom(page);
    await overlap.click();
    await expect.poll(() => mapZoom(page), { timeout: 5_000 }).toBeGreaterThan(zoomBefore + 0.5);
    await page.waitForTimeout(1_000);
    await page.screenshot({ path: path.join(SHOTS, 'admin-gis-problem.png') });

    // commit: the confirmation says what happens; the state and the version follow
    const g = await commit(page);
    expect(g.confirm).toContain(`将新增 ${grid.counts!.add}、修改 0、关闭 0 个网格`);
    expect(g.hook.versionId).toBeGreaterThan(d.hook.versionId!);
    expect(await page.textContent('[data-testid="gis-state"]')).toMatch(/已提交.*committed/);
    expect(await page.textContent('[data-testid="gis-version"]')).toContain(String(g.hook.versionId));
    await expect.poll(() => page.locator('[data-testid="gis-import-row"][data-state="committed"]').count(), { timeout: 10_000 }).toBe(2);
    await page.locator('[data-testid="gis-imports"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'admin-gis-committed.png') });

    const stored = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM grid_cells WHERE district_adcode = $1 AND valid_to IS NULL`, [ADCODE]);
    expect(stored.rows[0]!.n).toBe(grid.counts!.add);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('tells a dispatcher, a leader or an officer who opens /#/admin/gis that it is for administrators', async () => {
    for (const user of ['dispatcher', 'leader', 'officer']) {
      const page = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(`${server.base}/#/admin/gis`);
      await logIn(page, user);
      await page.waitForSelector('[data-testid="admin-only"]', { timeout: 20_000 });
      expect(await page.textContent('[data-testid="admin-only"]')).toMatch(/需要管理员权限.*administrators only/);
      expect(await page.locator('[data-testid="gis-upload-form"]').count()).toBe(0);
      expect(page.url(), user).toContain('#/admin/gis');
      if (user === 'dispatcher') await page.screenshot({ path: path.join(SHOTS, 'admin-gis-dispatcher.png') });
      expect(pageErrors, user).toEqual([]);
      await page.close();
    }
  });
});

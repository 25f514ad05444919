// 地图编辑 in Chromium (/#/admin/gis/edit): the administrator draws a key area by clicking its corners on the
// map (terra-draw polygon mode, closed by clicking the first corner), names it, checks it (the same checks as
// an imported file: the preview says one to add, no problems) and commits it; the other key areas stay. Then
// clicks it, drags a corner out, and the check says one to change. On the grid: picks a cell, draws a line
// across it, gets the two parts with new codes from the server, checks (add 2, remove 1) and commits.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { consoleServerForFile, SHOTS } from '../support/browser.ts';
import { logIn } from '../support/admin-page.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
const mode = inject('databaseMode');
const server = consoleServerForFile(db);

/** What EditScreen mirrors into `window.__zhihuiEdit`. */
interface EditHook {
  ready: boolean;
  layer: string;
  mode: string;
  drawn: number;
  existing: number;
  editing: string | null;
  importId: number | null;
  state: string | null;
  versionId: number | null;
  counts: Record<string, number> | null;
  problemKinds: string[];
  busy: string | null;
  uploads: number;
  error: string | null;
  note: string | null;
  gridPicked: string[];
  gridMode: string;
  proposal: { codes: string[]; retire: string[] } | null;
  asking: boolean;
}
const hook = async (page: Page): Promise<EditHook> => (await page.evaluate(() => (window as unknown as { __zhihuiEdit?: EditHook }).__zhihuiEdit ?? null))!;
const until = (page: Page, test: string, arg?: unknown) =>
  page.waitForFunction(new Function('arg', `const h = window.__zhihuiEdit; return !!h && (${test});`) as (arg: unknown) => boolean, arg, {
    timeout: 60_000,
  });

async function keyAreaNames(): Promise<string[]> {
  return (await db.pool.query<{ name: string }>(`SELECT name FROM key_areas ORDER BY id`)).rows.map((r) => r.name);
}

describe(`the map editor (${mode} database)`, () => {
  it('draws a key area on the map, checks it like an import and commits it', { timeout: 180_000 }, async () => {
    const page = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    await page.goto(`${server.base}/#/admin/gis/edit`);
    await logIn(page, 'admin');
    await until(page, 'h.ready && h.existing > 0');
    const before = await keyAreaNames();
    const shown = (await hook(page)).existing;

    // a square of about 400 m inside the first district, where no key area is drawn
    const r = await db.pool.query<{ x: number; y: number }>(
      `SELECT ST_X(p) AS x, ST_Y(p) AS y FROM (SELECT ST_PointOnSurface(boundary) AS p FROM districts ORDER BY adcode LIMIT 1) s`,
    );
    const { x, y } = r.rows[0]!;
    await page.evaluate(
      ([lon, lat]) =>
        new Promise<void>((resolve) => {
          const m = (window as unknown as { __zhihuiMap: import('maplibre-gl').Map }).__zhihuiMap;
          m.once('idle', () => resolve());
          m.jumpTo({ center: [lon!, lat!], zoom: 16 });
        }),
      [x, y],
    );
    const half = 0.002;
    const corners = [
      [x - half, y - half],
      [x + half, y - half],
      [x + half, y + half],
      [x - half, y + half],
    ];
    const pixels = await page.evaluate((cs) => {
      const m = (window as unknown as { __zhihuiMap: import('maplibre-gl').Map }).__zhihuiMap;
      const box = m.getCanvas().getBoundingClientRect();
      return cs.map(([lon, lat]) => {
        const p = m.project([lon!, lat!]);
        return [box.left + p.x, box.top + p.y];
      });
    }, corners);

    await page.click('[data-testid="edit-draw"]');
    await until(page, "h.mode === 'polygon'");
    for (const [px, py] of [...pixels, pixels[0]!]) {
      await page.mouse.move(px!, py!);
      await page.mouse.click(px!, py!);
      await page.waitForTimeout(250);
    }
    // closed: terra-draw holds one polygon, selected for its corners to be dragged
    await until(page, "h.drawn === 1 && h.mode === 'select'");

    await page.fill('[data-testid="edit-field-name"]', '地图绘制测试区');
    await page.selectOption('[data-testid="edit-field-kind"]', 'nightlife');
    const uploads = (await hook(page)).uploads;
    await page.click('[data-testid="edit-check"]');
    await until(page, 'h.busy === null && h.uploads > arg', uploads);
    const checked = await hook(page);
    expect(checked.error).toBeNull();
    expect(checked.state).toBe('previewed');
    expect(checked.counts).toMatchObject({ rows: 1, add: 1, change: 0, skip: 0 });
    expect(checked.problemKinds).toEqual([]);
    expect(await page.getAttribute('[data-testid="gis-count-add"]', 'data-value')).toBe('1');
    // nothing written by the check
    expect(await keyAreaNames()).toEqual(before);
    await page.screenshot({ path: path.join(SHOTS, 'admin-edit-checked.png') });

    await page.click('[data-testid="gis-step-commit"]');
    expect(await page.textContent('[data-testid="gis-confirm-text"]')).toContain('新增 1');
    await page.click('[data-testid="gis-confirm-yes"]');
    await until(page, "h.state === 'committed'");
    expect((await hook(page)).versionId).toBeGreaterThan(0);
    expect(await keyAreaNames()).toEqual([...before, '地图绘制测试区']);
    const stored = await db.pool.query<{ kind: string; level: string; m2: number }>(
      `SELECT kind, level, ST_Area(geom::geography) AS m2 FROM key_areas WHERE name = '地图绘制测试区'`,
    );
    expect(stored.rows[0]).toMatchObject({ kind: 'nightlife', level: 'district' });
    // about 0.004° × 0.004°: the square as clicked, not a sliver
    expect(stored.rows[0]!.m2).toBeGreaterThan(100_000);
    // the committed area is among the layer's features again, the drawing cleared
    await until(page, 'h.drawn === 0 && h.existing === arg', shown + 1);
    await page.screenshot({ path: path.join(SHOTS, 'admin-edit-committed.png') });

    // reshaped: the area clicked goes into the drawing with its attributes; a corner dragged out is one change
    const [cx, cy] = [(pixels[0]![0]! + pixels[2]![0]!) / 2, (pixels[0]![1]! + pixels[2]![1]!) / 2];
    await page.mouse.click(cx, cy);
    await until(page, "h.editing === 'reshape' && h.drawn === 1 && h.mode === 'select'");
    expect(await page.inputValue('[data-testid="edit-field-name"]')).toBe('地图绘制测试区');
    // where the north-east corner is now (the panel above the map changed height since the clicks)
    const [nx, ny] = await page.evaluate(([lon, lat]) => {
      const m = (window as unknown as { __zhihuiMap: import('maplibre-gl').Map }).__zhihuiMap;
      const box = m.getCanvas().getBoundingClientRect();
      const p = m.project([lon!, lat!]);
      return [box.left + p.x, box.top + p.y];
    }, corners[2]!);
    await page.mouse.move(nx!, ny!);
    await page.mouse.down();
    await page.mouse.move(nx! + 80, ny! - 60, { steps: 12 });
    await page.mouse.up();
    const again = (await hook(page)).uploads;
    await page.click('[data-testid="edit-check"]');
    await until(page, 'h.busy === null && h.uploads > arg', again);
    const reshaped = await hook(page);
    expect(reshaped.error).toBeNull();
    expect(reshaped.counts).toMatchObject({ rows: 1, add: 0, change: 1, skip: 0 });
    await page.screenshot({ path: path.join(SHOTS, 'admin-edit-reshaped.png') });
    await page.click('[data-testid="gis-step-commit"]');
    await page.click('[data-testid="gis-confirm-yes"]');
    await until(page, "h.state === 'committed'");
    // the corner moved out (east and north), the opposite one stayed: a reshape, not a move
    const grown = await db.pool.query<{ m2: number; x0: number; y0: number; x1: number; y1: number }>(
      `SELECT ST_Area(geom::geography) AS m2, ST_XMin(geom) AS x0, ST_YMin(geom) AS y0, ST_XMax(geom) AS x1, ST_YMax(geom) AS y1
       FROM key_areas WHERE name = '地图绘制测试区'`,
    );
    const g = grown.rows[0]!;
    expect(g.m2).toBeGreaterThan(stored.rows[0]!.m2);
    expect(Math.abs(g.x0 - (x - half))).toBeLessThan(1e-5);
    expect(Math.abs(g.y0 - (y - half))).toBeLessThan(1e-5);
    expect(g.x1).toBeGreaterThan(x + half + 1e-4);
    expect(g.y1).toBeGreaterThan(y + half + 1e-4);
    expect(await keyAreaNames()).toEqual([...before, '地图绘制测试区']);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('splits a grid cell along a line drawn across it, checks it as add 2 remove 1 and commits it', { timeout: 180_000 }, async () => {
    const page = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.base}/#/admin/gis/edit`);
    await logIn(page, 'admin');
    await until(page, 'h.ready');
    await page.selectOption('[data-testid="edit-layer"]', 'grid_cells');
    await until(page, "h.layer === 'grid_cells'");

    // a whole 100 m square of the demo grid
    const r = await db.pool.query<{ id: number; code: string; x0: number; x1: number; y0: number; y1: number }>(
      `SELECT id, code::text AS code, ST_XMin(geom) AS x0, ST_XMax(geom) AS x1, ST_YMin(geom) AS y0, ST_YMax(geom) AS y1
       FROM grid_cells WHERE valid_to IS NULL AND version_id IS NULL AND ST_NPoints(geom) = 5 AND area_m2 > 9000 ORDER BY code LIMIT 1`,
    );
    const cell = r.rows[0]!;
    const xm = (cell.x0 + cell.x1) / 2;
    const ym = (cell.y0 + cell.y1) / 2;
    await page.evaluate(
      ([lon, lat]) =>
        new Promise<void>((resolve) => {
          const m = (window as unknown as { __zhihuiMap: import('maplibre-gl').Map }).__zhihuiMap;
          m.once('idle', () => resolve());
          m.jumpTo({ center: [lon!, lat!], zoom: 17 });
        }),
      [xm, ym],
    );
    await until(page, 'h.existing > 0');
    const toPixels = (points: number[][]) =>
      page.evaluate((ps) => {
        const m = (window as unknown as { __zhihuiMap: import('maplibre-gl').Map }).__zhihuiMap;
        const box = m.getCanvas().getBoundingClientRect();
        return ps.map(([lon, lat]) => {
          const p = m.project([lon!, lat!]);
          return [box.left + p.x, box.top + p.y];
        });
      }, points);
    // let the cells be drawn before clicking one
    await page.waitForTimeout(500);
    const [centre] = await toPixels([[xm + (cell.x1 - cell.x0) / 4, ym]]);
    await page.mouse.click(centre![0]!, centre![1]!);
    await until(page, 'h.gridPicked.length === 1 && h.gridPicked[0] === arg', cell.code);

    await page.click('[data-testid="edit-grid-split"]');
    await until(page, "h.mode === 'linestring'");
    const ends = await toPixels([
      [xm, cell.y1 + 0.0003],
      [xm, cell.y0 - 0.0003],
    ]);
    for (const [px, py] of ends) {
      await page.mouse.move(px!, py!);
      await page.mouse.click(px!, py!);
      await page.waitForTimeout(250);
    }
    await until(page, '!h.asking && (h.proposal !== null || h.note !== null)');
    const proposed = await hook(page);
    expect(proposed.note).toBeNull();
    expect(proposed.proposal!.retire).toEqual([cell.code]);
    expect(proposed.proposal!.codes).toHaveLength(2);
    for (const c of proposed.proposal!.codes) expect(c.slice(0, 12)).toBe(cell.code.slice(0, 12));
    await page.screenshot({ path: path.join(SHOTS, 'admin-edit-grid-split.png') });

    const uploads = proposed.uploads;
    await page.click('[data-testid="edit-check"]');
    await until(page, 'h.busy === null && h.uploads > arg', uploads);
    const checked = await hook(page);
    expect(checked.error).toBeNull();
    expect(checked.counts).toMatchObject({ rows: 2, add: 2, change: 0, skip: 0, remove: 1 });
    expect(checked.problemKinds).toEqual([]);
    await page.click('[data-testid="gis-step-commit"]');
    await page.click('[data-testid="gis-confirm-yes"]');
    await until(page, "h.state === 'committed'");
    const closed = await db.pool.query<{ valid_to: Date | null }>(`SELECT valid_to FROM grid_cells WHERE id = $1`, [cell.id]);
    expect(closed.rows[0]!.valid_to).not.toBeNull();
    const added = await db.pool.query<{ code: string }>(
      `SELECT code::text AS code FROM grid_cells WHERE code = ANY($1::bpchar[]) AND valid_to IS NULL ORDER BY code`,
      [proposed.proposal!.codes],
    );
    expect(added.rows.map((x) => x.code)).toEqual([...proposed.proposal!.codes].sort());
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});

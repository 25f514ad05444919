// 存量违建巡查 on the officer's phone (390×844, touch): a stock building of the officer's squad whose
// cycle has run out is a patrol task with its footprint on the map; the officer takes a photo, taps
// 无变化, and the task is gone, recorded with the photo.
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { consoleServerForFile, SHOTS } from '../support/browser.ts';
import { call, login, TINY_PNG } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
const mode = inject('databaseMode');
const server = consoleServerForFile(db);
const PASSWORD = 'Patrol-Footprint-Lantern-57';
let loginName: string;
let code: string;
let buildingId: number;
let at: [number, number];

beforeAll(async () => {
  const admin = await login(server.app, 'admin');
  // a cell of 锦江区 with a squad, and an officer of that squad without a phone account yet
  const cell = (
    await db.pool.query<{ id: number; squadId: number; lon: number; lat: number; officerId: number }>(`
      SELECT g.id, g.squad_id AS "squadId", ST_X(ST_PointOnSurface(g.geom)) AS lon, ST_Y(ST_PointOnSurface(g.geom)) AS lat,
             (SELECT o.id FROM officers o WHERE o.squad_id = g.squad_id AND NOT EXISTS (SELECT 1 FROM users u WHERE u.officer_id = o.id) ORDER BY o.id LIMIT 1) AS "officerId"
      FROM grid_cells g WHERE g.district_adcode = '510104' AND g.squad_id IS NOT NULL AND g.valid_to IS NULL
      ORDER BY g.id LIMIT 1`)
  ).rows[0]!;
  at = [cell.lon, cell.lat];
  code = `XJ-${process.pid}`;
  const d = 0.00012;
  const keyArea = (await db.pool.query<{ id: number }>(`SELECT id FROM key_areas ORDER BY id LIMIT 1`)).rows[0]!.id;
  // a key-area stock building last inspected 40 days ago: 10 days past its 30-day cycle
  buildingId = (
    await db.pool.query<{ id: number }>(
      `
      INSERT INTO illegal_buildings (code, geom, area_m2, floors, kind, stage, party, use, district_adcode, discovered_on, last_inspected_on, grid_cell_id, key_area_ids)
      VALUES ($1, ST_Multi(ST_MakeEnvelope($2::float8 - $4::float8, $3::float8 - $4::float8 / 2, $2::float8 + $4::float8, $3::float8 + $4::float8 / 2, 4326)),
              612, 2, 'stock', 'filed', '王某某', '仓储', '510104', (now() AT TIME ZONE 'Asia/Shanghai')::date - 400,
              (now() AT TIME ZONE 'Asia/Shanghai')::date - 40, $5, ARRAY[$6::int])
      RETURNING id`,
      [code, cell.lon, cell.lat, d, cell.id, keyArea],
    )
  ).rows[0]!.id;
  const swept = await call(server.app, admin, { url: '/api/buildings/inspections/sweep', body: {} });
  expect(swept.status, swept.body).toBe(200);
  loginName = `patrol${cell.officerId}-${process.pid}`;
  const made = await call(server.app, admin, {
    url: '/api/users',
    body: { login: loginName, password: PASSWORD, displayName: '巡查测试', role: 'officer', officerId: cell.officerId },
  });
  expect(made.status, made.body).toBe(201);
});

describe(`patrol tasks on the officer's phone (${mode} database)`, () => {
  it('shows the due building with its footprint; a photo and 无变化 record it and the task goes', async () => {
    const ctx = await server.browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
      geolocation: { longitude: at[0], latitude: at[1], accuracy: 8 },
      permissions: ['geolocation'],
    });
    const page = await ctx.newPage();
    await page.goto(`${server.base}/#/officer`);
    await page.fill('[data-testid="login-name"]', loginName);
    await page.fill('[data-testid="login-password"]', PASSWORD);
    await page.click('[data-testid="login-submit"]');
    const task = page.locator(`[data-testid="patrol-task"][data-code="${code}"]`);
    await task.waitFor({ timeout: 30_000 });
    // the squad may have older tasks (the demo's buildings): open this one
    await task.locator('button.head').tap();
    await task.locator('[data-testid="footprint-map"][data-ready="yes"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => task.textContent()).toContain('存量');
    expect(await task.textContent()).toContain('612 m²');
    expect(await task.textContent()).toContain('王某某');
    expect(await task.textContent()).toMatch(/超期 10 天/);
    await task.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: path.join(SHOTS, `officer-inspection-390x844-task-${mode}.png`) });

    // no photo yet: the result buttons wait for one
    expect(await task.locator('[data-testid="patrol-unchanged"]').isDisabled()).toBe(true);
    await task.locator('[data-testid="patrol-photo"]').setInputFiles({ name: 'site.png', mimeType: 'image/png', buffer: TINY_PNG });
    const button = task.locator('[data-testid="patrol-unchanged"]');
    await expect.poll(() => button.isEnabled()).toBe(true);
    // thumb-sized, inside the screen
    const box = (await button.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(56);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(SHOTS, `officer-inspection-390x844-photo-${mode}.png`) });
    // in sunlight (the light theme) too
    await page.tap('[data-testid="theme-toggle"]');
    await task.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: path.join(SHOTS, `officer-inspection-390x844-light-${mode}.png`) });
    await page.tap('[data-testid="theme-toggle"]');
    await button.tap();
    await task.waitFor({ state: 'detached', timeout: 10_000 });
    await page.locator('[data-testid="patrol-done"]').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await page.screenshot({ path: path.join(SHOTS, `officer-inspection-390x844-done-${mode}.png`) });

    const row = (
      await db.pool.query(
        `SELECT i.state, i.result, cardinality(i.evidence_ids) AS photos, b.last_inspected_on = (now() AT TIME ZONE 'Asia/Shanghai')::date AS today
         FROM building_inspections i JOIN illegal_buildings b ON b.id = i.building_id WHERE i.building_id = $1`,
        [buildingId],
      )
    ).rows;
    expect(row).toEqual([{ state: 'done', result: 'unchanged', photos: 1, today: true }]);
    await ctx.close();
  });
});

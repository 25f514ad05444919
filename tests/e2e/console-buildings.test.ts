// 违法建设 on the wall console's map: footprints by stage, the legend's stage / stock-new / overdue
// filter deciding what is drawn, and a clicked footprint's record with its due time and the desk
// step (责令整改) taken from the panel.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { consoleServerForFile, SHOTS } from '../support/browser.ts';
import { openConsole } from '../support/console-page.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
const server = consoleServerForFile(db);
const mode = inject('databaseMode');

type Drawn = { code: string; stage: string; kind: string; overdue: boolean };
/** The buildings MapLibre draws now (the fill layer), as the filter leaves them. */
const drawn = (page: Page): Promise<Drawn[]> =>
  page.evaluate(() => {
    const m = (window as unknown as { __zhihuiMap: import('maplibre-gl').Map }).__zhihuiMap;
    return m.queryRenderedFeatures(undefined, { layers: ['zh-buildings-fill'] }).map((f) => ({
      code: String(f.properties.code),
      stage: String(f.properties.stage),
      kind: String(f.properties.kind),
      overdue: f.properties.overdue === true || f.properties.overdue === 'true',
    }));
  });

const settle = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const m = (window as unknown as { __zhihuiMap: import('maplibre-gl').Map }).__zhihuiMap;
        if (m.loaded()) m.once('idle', () => resolve());
        else m.once('idle', () => resolve());
        m.triggerRepaint();
      }),
  );

describe(`illegal buildings on the console map (${mode} database)`, () => {
  it('filters footprints by stage, kind and overdue, and takes a desk step from a footprint’s record', { timeout: 180_000 }, async () => {
    // a filed building past its step's due time: the demo register has some; made so if not
    const b = (
      await db.pool.query<{ id: number; code: string; lon: number; lat: number }>(
        `UPDATE illegal_buildings SET stage = 'filed', filed_on = discovered_on, stage_due = now() - interval '2 days'
         WHERE id = (SELECT id FROM illegal_buildings WHERE district_adcode = '510104' AND kind = 'stock' ORDER BY area_m2 DESC LIMIT 1)
         RETURNING id, code, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat`,
      )
    ).rows[0]!;
    const page = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await openConsole(page, server.base, 'supervisor');
    await page.evaluate(
      ([lon, lat]) =>
        new Promise<void>((resolve) => {
          const m = (window as unknown as { __zhihuiMap: import('maplibre-gl').Map }).__zhihuiMap;
          m.once('idle', () => resolve());
          m.jumpTo({ center: [lon!, lat!], zoom: 17 });
        }),
      [b.lon, b.lat],
    );
    const all = await drawn(page);
    expect(all.map((d) => d.code)).toContain(b.code);
    if (await page.locator('[data-testid="legend-open"]').isVisible()) await page.click('[data-testid="legend-open"]');

    await page.click('[data-testid="building-overdue-only"]');
    await settle(page);
    const overdue = await drawn(page);
    expect(overdue.map((d) => d.code)).toContain(b.code);
    expect(overdue.every((d) => d.overdue)).toBe(true);
    await page.click('[data-testid="building-overdue-only"]');

    await page.click('[data-testid="building-stage-filed"]');
    await settle(page);
    const noFiled = await drawn(page);
    expect(noFiled.map((d) => d.code)).not.toContain(b.code);
    expect(noFiled.some((d) => d.stage === 'filed')).toBe(false);
    await page.click('[data-testid="building-stage-filed"]');

    await page.click('[data-testid="building-kind-new"]');
    await settle(page);
    expect((await drawn(page)).every((d) => d.kind === 'new')).toBe(true);
    await page.click('[data-testid="building-kind-all"]');
    await settle(page);
    expect((await drawn(page)).map((d) => d.code)).toContain(b.code);

    // click the footprint: its record, overdue, with the steps a supervisor may take
    const px = await page.evaluate(
      ([lon, lat]) => {
        const m = (window as unknown as { __zhihuiMap: import('maplibre-gl').Map }).__zhihuiMap;
        const box = m.getCanvas().getBoundingClientRect();
        const p = m.project([lon!, lat!]);
        return [box.left + p.x, box.top + p.y];
      },
      [b.lon, b.lat],
    );
    await page.mouse.click(px[0]!, px[1]!);
    await page.waitForSelector('[data-testid="building-record"] [data-testid="building-due"].overdue', { timeout: 10_000 });
    await page.screenshot({ path: path.join(SHOTS, `console-building-record-${mode}.png`) });
    await page.click('[data-testid="building-step-order"]');
    await page.click('[data-testid="building-step-submit"]');
    await page.waitForSelector('[data-testid="building-record"] [data-testid="building-due"]:not(.overdue)', { timeout: 10_000 });
    await page.waitForSelector('[data-testid="building-log"] :text("责令整改")');
    const row = (await db.pool.query(`SELECT stage, rectify_by IS NOT NULL AS has_deadline FROM illegal_buildings WHERE id = $1`, [b.id])).rows[0];
    expect(row).toEqual({ stage: 'ordered', has_deadline: true });
    await page.screenshot({ path: path.join(SHOTS, `console-building-ordered-${mode}.png`) });
    await page.close();
  });
});

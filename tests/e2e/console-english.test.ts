// The console's English-first mode (EN on the language switch), in Chromium at 1920×1080: every
// bilingual label is drawn by the Bi component, so in EN the English is the main text and the Chinese
// the small one beside it; no label is left as "中文 <span class="en">English</span>", which EN could
// only brighten. Chinese-only (中) shows no English in the labels. The page is as full as a shift
// makes it: header, a case open with its recommendations, the squad board and a 督办 toast.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { consoleServerForFile, SHOTS } from '../support/browser.ts';
import { call, login, type Session } from '../support/clients.ts';
import { openConsole, queueRow, searchQueue } from '../support/console-page.ts';
import { testDatabase } from '../support/database.ts';
import { east, keyAreaPoint, responsibleOfficers } from '../support/fixtures.ts';

const db = testDatabase();
const mode = inject('databaseMode');
const server = consoleServerForFile(db);
let page: Page;
let dispatcher: Session;
let incident: { id: number; code: string; category: { nameEn: string } };

/** Label elements by name: each a selector for the main text of Bi labels (there may be several). */
const LABELS = {
  'header title': 'header h1 .bi > .main',
  'header counts': '[data-testid="stat-open-cases"] .bi > .main, [data-testid="stat-on-duty"] .bi > .main',
  'case title': '[data-testid="case-detail"] h2 .bi > .main',
  'case state': '[data-testid="case-state"] .bi > .main',
  'case field names': '[data-testid="case-detail"] dt .bi > .main',
  'recommendations heading': '[data-testid="recommendations"] h3 .bi > .main',
  'send buttons': '[data-testid="dispatch-one"] .bi > .main, [data-testid="dispatch-selected"] .bi > .main',
  'step buttons': '[data-testid="step-actions"] button .bi > .main',
  'record heading': '[data-testid="timeline"] h3 .bi > .main',
  'board title': '[data-testid="squad-board"] h2 .bi > .main',
  'board totals': '[data-testid="board-district"] .chip .bi > .main',
  'toast title': '[data-testid="toast"] .bi > .main',
  'status bar': '[data-testid="toggle-board"] .bi > .main, [data-testid="toggle-queue"] .bi > .main, [data-testid="status-bar"] .zoom .bi > .main',
};

const CJK = /[\u3400-\u9fff]/;
const LATIN = /[A-Za-z]/;

/** The visible elements a selector finds: their rendered text and lang attribute. */
const visible = (p: Page, sel: string) =>
  p.$$eval(sel, (els) =>
    els.filter((el) => el.getClientRects().length > 0).map((el) => ({ text: (el as HTMLElement).innerText.trim(), lang: el.getAttribute('lang') })),
  );

async function setLang(p: Page, lang: 'bi' | 'en' | 'zh'): Promise<void> {
  const toggle = p.locator('[data-testid="toggle-lang"]');
  for (let i = 0; i < 3 && (await toggle.getAttribute('data-lang')) !== lang; i++) await toggle.click();
  expect(await toggle.getAttribute('data-lang')).toBe(lang);
}

beforeAll(async () => {
  dispatcher = await login(server.app, 'dispatcher');
  const spot = await keyAreaPoint(server.app, '锦里');
  // officers of the responsible squad, free and with a fresh fix beside the case: the panel recommends them
  const ids = await responsibleOfficers(db.pool, spot, 2);
  expect(ids).toHaveLength(2);
  for (const [i, id] of ids.entries()) {
    const at = east(spot, 40 + 30 * i);
    await db.pool.query(`UPDATE officers SET duty_status = 'available', position = ST_SetSRID(ST_MakePoint($2, $3), 4326), position_at = now() WHERE id = $1`, [
      id,
      at[0],
      at[1],
    ]);
  }
  const r = await call(server.app, dispatcher, {
    url: '/api/incidents',
    body: { category: '0504', source: 'dispatcher', description: '英文模式测试：占道经营', lon: spot[0], lat: spot[1], register: true },
  });
  expect(r.status, r.body).toBe(201);
  incident = r.json.incident as typeof incident;

  page = await server.browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await openConsole(page, server.base, 'dispatcher');
});

describe(`the console's English-first and Chinese-only modes (${mode} database)`, () => {
  it('draws every bilingual label with English as its main text in EN mode, the Chinese small beside it', async () => {
    await setLang(page, 'en');
    await page.click('[data-testid="toggle-board"]');
    await page.waitForSelector('[data-testid="board-district"]', { timeout: 20_000 });
    await searchQueue(page, incident.code);
    await queueRow(page, incident.code).click();
    await page.waitForSelector(`[data-testid="case-detail"] [data-testid="case-code"][data-code="${incident.code}"]`);
    await page.waitForSelector('[data-testid="recommendations"] [data-testid="dispatch-one"]', { timeout: 20_000 });
    // a 督办 from a supervisor elsewhere: the wall raises a toast
    const supervisor = await login(server.app, 'supervisor');
    const esc = await call(server.app, supervisor, { url: `/api/incidents/${incident.id}/escalate`, body: { reason: '群众多次投诉' } });
    expect(esc.status, esc.body).toBe(200);
    await page.waitForSelector('[data-testid="toast"]', { timeout: 10_000 });
    await page.waitForSelector('[data-testid="case-escalated"]', { timeout: 10_000 });

    // nothing bilingual is left as raw 中文 + .en: each goes through Bi
    const rawEnglish = await page.$$eval('.en', (els) => els.filter((el) => el.getClientRects().length > 0).map((el) => el.outerHTML.slice(0, 120)));
    expect(rawEnglish).toEqual([]);

    for (const [name, sel] of Object.entries(LABELS)) {
      const found = await visible(page, sel);
      expect(found.length, name).toBeGreaterThan(0);
      for (const f of found) {
        expect(f.lang, `${name}: ${f.text}`).toBe('en');
        expect(f.text, name).toMatch(LATIN);
        expect(f.text, name).not.toMatch(CJK);
      }
    }
    expect((await visible(page, LABELS['header title']))[0]!.text).toBe('Zhihui Command');
    expect((await visible(page, LABELS['case title']))[0]!.text).toBe(incident.category.nameEn);
    expect((await visible(page, LABELS['board title']))[0]!.text).toBe('Squads');
    expect((await visible(page, LABELS['toast title'])).map((f) => f.text)).toContain('escalated');
    expect((await visible(page, LABELS['record heading']))[0]!.text).toBe('Record');
    // the Chinese stays beside the English, smaller
    const title = await page.$eval('header h1 .bi', (el) => {
      const main = el.querySelector('.main')!;
      const sub = el.querySelector('.sub')!;
      return {
        sub: sub.textContent,
        lang: sub.getAttribute('lang'),
        smaller: parseFloat(getComputedStyle(sub).fontSize) < parseFloat(getComputedStyle(main).fontSize),
      };
    });
    expect(title).toEqual({ sub: '智慧城管 · 指挥调度', lang: 'zh-CN', smaller: true });
    // titles and aria labels follow the mode as well
    expect(await page.getAttribute('[data-testid="toggle-board"]', 'title')).toMatch(/^Squad board/);
    expect(await page.getAttribute('[data-testid="case-close"]', 'aria-label')).toMatch(/^Close/);
    await page.screenshot({ path: path.join(SHOTS, `console-english-1920x1080-${mode}.png`) });
  }, 150_000);

  it('shows no English in the labels in Chinese-only mode, only in data', async () => {
    await setLang(page, 'zh');
    expect(await page.$$eval('.bi .sub', (els) => els.filter((el) => el.getClientRects().length > 0).length)).toBe(0);
    // the same places, whole: labels and numbers only (the case title is its category's Chinese name)
    const places = [
      'header h1',
      '[data-testid="stat-open-cases"]',
      '[data-testid="case-detail"] h2',
      '[data-testid="case-state"]',
      '[data-testid="case-detail"] dt',
      '[data-testid="recommendations"] h3',
      '[data-testid="dispatch-one"]',
      '[data-testid="dispatch-selected"]',
      '[data-testid="step-actions"] button',
      '[data-testid="timeline"] h3',
      '[data-testid="squad-board"] h2',
      '[data-testid="board-district"] .chip',
      '[data-testid="toast"] .title',
      '[data-testid="toggle-board"]',
      '[data-testid="toggle-queue"]',
      '[data-testid="status-bar"] .zoom',
    ];
    for (const sel of places) {
      const found = await visible(page, sel);
      expect(found.length, sel).toBeGreaterThan(0);
      for (const f of found) expect(f.text, sel).not.toMatch(LATIN);
    }
    expect((await visible(page, 'header h1'))[0]!.text).toBe('智慧城管 · 指挥调度');
    expect(await page.getAttribute('[data-testid="toggle-board"]', 'title')).toBe('队伍看板');
    await page.screenshot({ path: path.join(SHOTS, `console-chinese-only-1920x1080-${mode}.png`) });
    await setLang(page, 'bi');
  }, 60_000);
});

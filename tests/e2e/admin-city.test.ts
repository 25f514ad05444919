// From an empty database to a working city, through the browser: `npm start` with SEED_DEMO=false on a
// database with nothing in it, the first administrator made with the user CLI, then in the
// administration screens: the second city's district, grid, key areas and illegal buildings imported and committed, a squad (a base
// outside the district refused first, then given the district's streets), two officers (one with an expired certificate, flagged), an
// officer login and a district dispatcher; the change log shows each step. Then the new officer goes on
// duty, the new dispatcher reports a case in the new city: it is located to the imported cell,
// recommended the new officer (not the expired one) and dispatched, and the dispatcher's wall shows it.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chinaToday } from '#shared/workforce.ts';
import { ensureClientBuild } from '../../server/http/client-static.ts';
import { commit, type GisHook, logIn, upload } from '../support/admin-page.ts';
import { CHROMIUM, CHROMIUM_ARGS, SHOTS } from '../support/browser.ts';
import { emptyDatabaseEnv } from '../support/empty-database.ts';
import { strongPassword } from '../support/fixtures.ts';
import { ADCODE, buildSecondCity, DISTRICT_NAME, type SecondCity } from '../support/second-city.ts';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';

const mode = inject('databaseMode');
const cleanups: (() => Promise<void>)[] = [];
let env: Record<string, string>;
let server: ServerProcess;
let browser: Browser;
let city: SecondCity;
const BOSS = 'boss';
const BOSS_PASSWORD = strongPassword();

/** `npm run user -- …` as an operator types it on the server's shell. */
function userCli(args: string[], extra: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/users/cli.ts', ...args], { env: { ...process.env, ...env, ...extra } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'zhihui-admin-city-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  city = await buildSecondCity(dir);
  env = { ...(await emptyDatabaseEnv(mode, cleanups, 'admincity')), SEED_DEMO: 'false', LOG_LEVEL: 'warn' };
  await ensureClientBuild(() => {});
  const made = await userCli(['create', BOSS, '--role', 'admin', '--name', '东城区城管局管理员'], { ZHIHUI_NEW_PASSWORD: BOSS_PASSWORD });
  expect(made.code, made.output).toBe(0);
  server = await startServerProcess(env);
  cleanups.push(async () => void (await server.stop()));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  cleanups.push(() => browser.close());
}, 600_000);
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function api<T = any>(token: string | null, url: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${server.base}${url}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json().catch(() => null)) as T };
}
const tokenOf = async (login: string, password: string) => {
  const r = await api<{ token: string }>(null, '/api/auth/login', { login, password });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json.token;
};
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `admin-city-${name}.png`) });
const day = (offset: number) => new Date(Date.parse(`${chinaToday()}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);

async function tab(page: Page, name: string, ready: string) {
  await page.click(`[data-testid="admin-tab-${name}"]`);
  await page.waitForSelector(ready, { timeout: 20_000 });
}

describe(`a new city from an empty ${mode} database, through the administration screens`, () => {
  it('imports, staffs and dispatches its first case', { timeout: 600_000 }, async () => {
    // nothing in it: no demo city, but the shipped category catalogue for its first case
    expect(server.output()).toContain('category catalogue installed');
    expect(server.output()).not.toContain('demo city seeded');
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    await page.goto(`${server.base}/#/admin/gis`);
    await logIn(page, BOSS, BOSS_PASSWORD);
    await page.waitForFunction(() => ((window as unknown as { __zhihuiGis?: GisHook }).__zhihuiGis?.layers?.length ?? 0) > 0, null, { timeout: 30_000 });

    // the district (GCJ-02 GeoJSON), then the grid (GBK Shapefile, Gauss-Krüger): rows with planted defects are skipped
    await page.selectOption('[data-testid="gis-layer"]', 'districts');
    await page.selectOption('[data-testid="gis-coords"]', 'gcj02');
    expect((await upload(page, city.files.district)).counts).toMatchObject({ rows: 1, add: 1 });
    await commit(page);
    await page.selectOption('[data-testid="gis-layer"]', 'grid_cells');
    await page.selectOption('[data-testid="gis-coords"]', 'wgs84');
    const grid = await upload(page, city.files.grid);
    expect(grid.error).toBeNull();
    // every clean row but an overlap's partner (tests/integration/gis-import.test.ts checks which)
    const c = grid.counts as { rows: number; add: number; skip: number };
    expect(c.add).toBe(c.rows - c.skip);
    expect(c.add).toBeGreaterThanOrEqual(city.grid.clean.length - 1);
    await commit(page);
    // key areas (GCJ-02 GeoJSON) and the illegal-building register (GBK CSV with WKT): every clean row
    await page.selectOption('[data-testid="gis-layer"]', 'key_areas');
    await page.selectOption('[data-testid="gis-coords"]', 'gcj02');
    const areas = await upload(page, city.files.keyAreas);
    expect(areas.counts).toMatchObject({ rows: city.keyAreas.rows, add: city.keyAreas.clean.length, skip: city.keyAreas.defects.length });
    await commit(page);
    await page.selectOption('[data-testid="gis-layer"]', 'illegal_buildings');
    await page.selectOption('[data-testid="gis-coords"]', 'wgs84');
    const buildings = await upload(page, city.files.illegalBuildings);
    expect(buildings.counts).toMatchObject({
      rows: city.illegalBuildings.rows,
      add: city.illegalBuildings.clean.length,
      skip: city.illegalBuildings.defects.length,
    });
    await commit(page);
    await shot(page, 'gis');

    // a squad: a base in Chengdu is refused with the server's words, then its base in 东城区
    const probe = city.grid.probes[0]!;
    const squadName = '东城区城管执法队东华门中队';
    await tab(page, 'squads', '[data-testid="squad-form"]');
    await page.fill('[data-testid="squad-name"]', squadName);
    await page.selectOption('[data-testid="squad-district"]', ADCODE);
    await page.fill('[data-testid="squad-lon"]', '104.0657');
    await page.fill('[data-testid="squad-lat"]', '30.6595');
    await page.click('[data-testid="squad-save"]');
    expect(await page.textContent('[data-testid="squad-error"]', { timeout: 10_000 })).toMatch(/outside district 110101/);
    await page.fill('[data-testid="squad-lon"]', String(probe.lon));
    await page.fill('[data-testid="squad-lat"]', String(probe.lat));
    await page.fill('[data-testid="squad-phone"]', '010-6512 0000');
    await page.click('[data-testid="squad-save"]');
    await page.waitForSelector(`[data-testid="squad-row"][data-name="${squadName}"]`, { timeout: 10_000 });
    // it answers for every street of the district (属地责任)
    await page.click(`[data-testid="squad-row"][data-name="${squadName}"] [data-testid="squad-edit"]`);
    await page.waitForSelector('[data-testid="squad-street"]', { timeout: 10_000 });
    for (const box of await page.$$('[data-testid="squad-street"]')) await box.check();
    await page.click('[data-testid="squad-streets-save"]');
    expect(await page.textContent('[data-testid="squad-streets-saved"]', { timeout: 10_000 })).toContain(`负责 ${c.add} 个网格`);
    await expect
      .poll(() => page.$$eval('[data-testid="squad-street-owner"]', (els) => els.map((e) => e.textContent)), { timeout: 10_000 })
      .toEqual(expect.arrayContaining([squadName]));
    expect(await page.$$eval('[data-testid="squad-street-owner"]', (els) => els.every((e) => e.textContent === els[0]!.textContent))).toBe(true);
    await shot(page, 'squads');

    // two officers: one certified until 2 years on, one whose certificate ran out yesterday
    await tab(page, 'officers', '[data-testid="officer-form"]');
    const addOfficer = async (name: string, cert: string, expires: string) => {
      await page.fill('[data-testid="officer-name"]', name);
      await page.selectOption('[data-testid="officer-squad"]', { label: squadName });
      await page.selectOption('[data-testid="officer-kind"]', 'officer');
      await page.fill('[data-testid="officer-cert"]', cert);
      await page.fill('[data-testid="officer-expires"]', expires);
      await page.check('[data-testid="officer-equipment"][data-item="执法记录仪"]');
      await page.click('[data-testid="officer-save"]');
      await page.waitForSelector(`[data-testid="officer-row"][data-name="${name}"]`, { timeout: 10_000 });
    };
    await addOfficer('李明', 'J110101001', day(730));
    await addOfficer('王强', 'J110101002', day(-1));
    expect(await page.getAttribute('[data-testid="officer-row"][data-name="王强"]', 'data-certificate')).toBe('expired');
    expect(await page.getAttribute('[data-testid="officer-row"][data-name="李明"]', 'data-certificate')).toBe('valid');
    expect(await page.textContent('[data-testid="cert-warning"]')).toMatch(/1 人已过期/);
    await shot(page, 'officers');

    // an officer login for 李明 and a dispatcher for the district
    const officerPassword = strongPassword();
    const dispatcherPassword = strongPassword();
    await tab(page, 'users', '[data-testid="user-form"]');
    const addUser = async (login: string, name: string, role: string, password: string, officer?: string) => {
      await page.fill('[data-testid="user-login"]', login);
      await page.fill('[data-testid="user-name"]', name);
      await page.fill('[data-testid="user-password"]', password);
      await page.selectOption('[data-testid="user-role"]', role);
      await page.selectOption('[data-testid="user-district"]', ADCODE);
      if (officer) await page.selectOption('[data-testid="user-officer"]', { label: `${officer} · ${squadName}` });
      await page.click('[data-testid="user-save"]');
      await page.waitForSelector(`[data-testid="user-row"][data-login="${login}"]`, { timeout: 10_000 });
    };
    await addUser('liming', '李明', 'officer', officerPassword, '李明');
    await addUser('dc-dispatch', '东城区指挥中心调度员', 'dispatcher', dispatcherPassword);
    await shot(page, 'users');

    // the change log: who did each, newest first
    await tab(page, 'audit', '[data-testid="audit-row"]');
    const actions = await page.$$eval('[data-testid="audit-row"]', (els) => els.map((e) => e.getAttribute('data-action')));
    expect(actions.slice(0, 10)).toEqual([
      'user.create',
      'user.create',
      'officer.create',
      'officer.create',
      'squad.assign_cells',
      'squad.create',
      ...Array(4).fill('gis.version_committed'),
    ]);
    expect(await page.textContent('[data-testid="audit-table"]')).toContain('东城区城管局管理员');
    await shot(page, 'audit');

    // 李明 goes on duty near the cell; the district dispatcher reports a case there
    const officer = await tokenOf('liming', officerPassword);
    expect((await api(officer, '/api/officers/me/duty', { status: 'available' })).status).toBe(200);
    expect((await api(officer, '/api/officers/me/position', { lon: probe.lon, lat: probe.lat, accuracy: 8 })).status).toBe(202);
    const dispatcher = await tokenOf('dc-dispatch', dispatcherPassword);
    const intake = await api(dispatcher, '/api/incidents', {
      category: '0501',
      source: 'dispatcher',
      description: `${DISTRICT_NAME}东华门大街无照游商`,
      lon: probe.lon,
      lat: probe.lat,
      register: true,
    });
    expect(intake.status, JSON.stringify(intake.json)).toBe(201);
    const incident = intake.json.incident;
    expect(incident).toMatchObject({ gridCode: probe.code, districtAdcode: ADCODE });
    const rec = await api<{ name: string; certified: boolean; officerId: number; responsibleSquad: boolean }[]>(
      dispatcher,
      `/api/incidents/${incident.id}/recommendations`,
    );
    expect(rec.status).toBe(200);
    expect(rec.json[0]).toMatchObject({ name: '李明', certified: true, responsibleSquad: true });
    expect(rec.json.map((r) => r.name)).not.toContain('王强');
    const sent = await api(dispatcher, `/api/incidents/${incident.id}/dispatch`, { officerIds: [rec.json[0]!.officerId] });
    expect(sent.status, JSON.stringify(sent.json)).toBe(200);

    // the dispatcher's wall: the case in the queue, dispatched
    const wall = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    wall.on('pageerror', (e) => pageErrors.push(e.message));
    await wall.goto(`${server.base}/#/`);
    await logIn(wall, 'dc-dispatch', dispatcherPassword);
    await wall.waitForSelector(`[data-testid="queue-row"][data-code="${incident.code}"][data-state="dispatched"]`, { timeout: 30_000 });
    // the wall opens on the new city, names its start view for it and does not call its data a demo
    expect(await wall.textContent('[data-testid="view-home"]')).toMatch(/城市中心/);
    expect(await wall.textContent('[data-testid="attribution"]')).not.toMatch(/演示/);
    const centre = await wall.evaluate(() => (window as unknown as { __zhihuiMap: { getCenter(): { lng: number; lat: number } } }).__zhihuiMap.getCenter());
    expect(Math.abs(centre.lng - probe.lon)).toBeLessThan(0.1);
    expect(Math.abs(centre.lat - probe.lat)).toBeLessThan(0.1);
    await wall.waitForTimeout(1_500);
    await wall.screenshot({ path: path.join(SHOTS, 'admin-city-console.png') });
    expect(pageErrors).toEqual([]);
  });
});

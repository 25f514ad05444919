import { afterAll, describe, expect, inject, it } from 'vitest';
import { TEST_PASSWORD } from '../support/constants.ts';
import { emptyDatabaseEnv } from '../support/empty-database.ts';
import { startServerProcess } from '../support/server-process.ts';

/**
 * `npm start` as a newcomer runs it: a database with nothing in it, a first start that migrates,
 * seeds and serves the console, then a restart that finds everything in place and seeds nothing.
 */
const mode = inject('databaseMode');
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A server just started may still answer 503 (busy: event loop delay) for a moment; a client waits and retries. */
async function patiently(request: () => Promise<Response>): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const res = await request();
    if (res.status !== 503 || attempt === 5) return res;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function snapshot(base: string) {
  const health = await (await patiently(() => fetch(`${base}/api/health`))).json();
  const login = await patiently(() =>
    fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'dispatcher', password: TEST_PASSWORD }),
    }),
  );
  expect(login.status).toBe(200);
  const headers = { authorization: `Bearer ${(await login.json()).token}` };
  const districts = await (await fetch(`${base}/api/districts`, { headers })).json();
  const officers = await (await fetch(`${base}/api/officers`, { headers })).json();
  const keyAreas = await (await fetch(`${base}/api/key-areas?all=true`, { headers })).json();
  return {
    health,
    gridCells: districts.features.reduce((n: number, f: { properties: { gridCellCount: number } }) => n + f.properties.gridCellCount, 0),
    officers: officers.features.length,
    keyAreas: keyAreas.features.length,
  };
}

describe(`npm start on an empty ${mode} database`, () => {
  it('comes up on the demo city, and a restart keeps it without seeding again', async () => {
    const env: Record<string, string> = { ...(await emptyDatabaseEnv(mode, cleanups, 'start')), SEED_DEMO: 'true', ZHIHUI_DEMO_PASSWORD: TEST_PASSWORD };
    if (mode === 'embedded') env.DATABASE_URL = '';

    const first = await startServerProcess(env);
    let firstState;
    try {
      expect(first.output()).toContain('demo city seeded');
      expect(first.output()).toContain('Demo users');
      // the demo city's street basemap, through the pipeline, into this DATA_DIR
      expect(first.output()).toMatch(/demo basemap built in \d+\.\d s: \d+ tiles/);
      firstState = await snapshot(first.base);
      expect(firstState.health.database.mode).toBe(mode);
      expect(firstState.health.demo.seeded).toBe(true);
      expect(firstState.gridCells).toBeGreaterThan(40_000);
      const page = await fetch(`${first.base}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app"');
    } finally {
      expect(await first.stop()).toBe(0);
    }

    const second = await startServerProcess(env);
    try {
      expect(second.output()).toContain('demo city already present');
      expect(second.output()).not.toContain('Demo users');
      expect(second.output()).not.toContain('demo basemap built');
      expect(await snapshot(second.base)).toEqual(firstState);
    } finally {
      expect(await second.stop()).toBe(0);
    }
    console.log(`[start] ${mode}: first start ${(first.readyMs / 1000).toFixed(1)} s, restart ${(second.readyMs / 1000).toFixed(1)} s`);
  }, 600_000);
});

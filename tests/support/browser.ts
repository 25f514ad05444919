import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { Database } from '../../server/db/database.ts';
import { ensureClientBuild } from '../../server/http/client-static.ts';
import { testApp } from './app.ts';

/** Debian's Chromium, driven by playwright-core; never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
export const SHOTS = path.resolve('test-results');

export interface ConsoleServer {
  app: FastifyInstance;
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

/** The built console served by the app on a loopback port, and a headless Chromium to look at it. */
export async function consoleServer(db: Database): Promise<ConsoleServer> {
  await ensureClientBuild(() => {});
  const app = await testApp(db, { serveClient: true });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  fs.mkdirSync(SHOTS, { recursive: true });
  return {
    app,
    base,
    browser,
    async close() {
      await browser.close();
      await app.close();
    },
  };
}

/**
 * The file's console server, started before its tests and closed with the file's database after
 * them. Its fields are there once `beforeAll` has run (inside tests and later hooks).
 */
export function consoleServerForFile(db: Database): ConsoleServer {
  const server = {} as ConsoleServer;
  beforeAll(async () => {
    Object.assign(server, await consoleServer(db));
  });
  afterAll(async () => {
    await server.close?.();
    await db.close();
  });
  return server;
}

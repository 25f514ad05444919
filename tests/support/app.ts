import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type AppConfig, buildApp } from '../../server/app.ts';
import type { Database } from '../../server/db/database.ts';

/** The app on the run's database, with its files in a temporary DATA_DIR. */
export async function testApp(db: Database, opts: { config?: Partial<AppConfig>; serveClient?: boolean; clocks?: boolean } = {}): Promise<FastifyInstance> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-app-'));
  const app = await buildApp({
    db,
    config: { mapStyleUrl: null, rateLimitPerMinute: 100_000, loginPerMinute: 1_000, logLevel: 'error', dataDir, ...opts.config },
    serveClient: opts.serveClient,
    clocks: opts.clocks ?? false,
    // TEST_LOG=1 shows the server's log (5xx details) while a test runs.
    logger: Boolean(process.env.TEST_LOG),
  });
  app.addHook('onClose', async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  return app;
}

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
  await app.ready();
  await pastStartupStall(app);
  return app;
}

/**
 * Getting ready compiles every route's schemas in one synchronous stretch: seconds on a busy machine
 * (files run in parallel), which the load guard (@fastify/under-pressure, 2 s of event-loop delay)
 * reads at its next sample and answers the first requests with 503, as a server just started may.
 * A client of a real server waits and retries (see start-restart); here, wait for that sample.
 */
async function pastStartupStall(app: FastifyInstance): Promise<void> {
  const guard = app as FastifyInstance & { memoryUsage?: () => object; isUnderPressure?: () => boolean };
  if (!guard.memoryUsage || !guard.isUnderPressure) return;
  const sample = () => JSON.stringify(guard.memoryUsage!());
  const deadline = Date.now() + 30_000;
  const first = sample();
  // the guard samples once a second: wait for a sample taken after the stall
  while (sample() === first && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  while (guard.isUnderPressure() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

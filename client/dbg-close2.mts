import pg from 'pg';
import { chromium } from 'playwright-core';
import { buildApp } from '/work/main/server/app.ts';
async function main() {
const url = 'postgres://postgres@127.0.0.1:5433/zhihui_ui';
const pool = new pg.Pool({ connectionString: url, max: 8 });
const db = { pool, mode: 'external' as const, url, close: () => pool.end() };
const app = await buildApp({ db, config: { mapStyleUrl: null, rateLimitPerMinute: 100000, loginPerMinute: 1000, logLevel: 'error', dataDir: '/tmp/zhihui-ui/dbg/data' } as any, serveClient: true, clocks: false, logger: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const port = (app.server.address() as any).port;
let t = Date.now();
console.log('browser closed', Date.now() - t); t = Date.now();
await app.close();
console.log('app closed', Date.now() - t); t = Date.now();
await db.close();
console.log('db closed', Date.now() - t);

}
main();

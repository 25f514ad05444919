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
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
await page.goto(`http://127.0.0.1:${port}/`);
await page.waitForFunction(() => (window as any).__zhihui?.ready === true, null, { timeout: 90000 });
console.log('ready');
let t = Date.now();
await page.close();
await browser.close();
console.log('browser closed', Date.now() - t); t = Date.now();
await app.close();
console.log('app closed', Date.now() - t); t = Date.now();
await db.close();
console.log('db closed', Date.now() - t);

}
main();

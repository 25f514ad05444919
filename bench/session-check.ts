// What the session check costs every request: the same small route with no login (GET /api/config,
// the baseline), with a login checked against the session row each time (cache off), and with the
// in-process cache (under a second) the server runs with.
//   npm run bench -- session-check
//   DATABASE_URL=postgres://… npm run bench -- session-check
import { buildApp } from '../server/app.ts';
import { benchDatabase, benchToken, fmt, measure } from './support.ts';

const N = Number(process.env.BENCH_N ?? 2000);
const db = await benchDatabase();
const config = { mapStyleUrl: null, rateLimitPerMinute: 10_000_000, loginPerMinute: 1000, logLevel: 'warn', dataDir: db.dataDir };
const cached = await buildApp({ db, config, clocks: false, logger: false });
const uncached = await buildApp({ db, config: { ...config, auth: { cacheMs: 0 } }, clocks: false, logger: false });
const token = await benchToken(db, cached, 'dispatcher');
const headers = { authorization: `Bearer ${token}` };
console.log(`session check on the ${db.mode} database, ${N} requests each, one at a time (inject)`);
const base = await measure(N, () => cached.inject({ method: 'GET', url: '/api/config' }));
const everyTime = await measure(N, () => uncached.inject({ method: 'GET', url: '/api/auth/me', headers }));
const withCache = await measure(N, () => cached.inject({ method: 'GET', url: '/api/auth/me', headers }));
console.log(`baseline  GET /api/config (public)            ${fmt(base)}`);
console.log(`login     GET /api/auth/me, row read each time ${fmt(everyTime)}  ×${(everyTime.p50 / base.p50).toFixed(1)} p50`);
console.log(`login     GET /api/auth/me, cached < 750 ms    ${fmt(withCache)}  ×${(withCache.p50 / base.p50).toFixed(1)} p50`);
await cached.close();
await uncached.close();
await db.close();

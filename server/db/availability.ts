import type pg from 'pg';

// SQLSTATEs of a server that is going away or not taking connections (class 08 connection exceptions,
// 57P01–03 shutdown / crash / cannot connect now, 53300 too many connections, 55000 e.g. "database is
// not currently accepting connections").
const UNAVAILABLE_STATES = new Set(['08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53300', '55000']);
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);
const UNAVAILABLE_TEXT =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Client was closed and is not queryable|terminating connection/i;

/** The database is away (restarting, failing over, unreachable): the request may succeed if retried. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (UNAVAILABLE_STATES.has(e.code) || UNAVAILABLE_ERRNOS.has(e.code))) return true;
  // node's AggregateError when every address refused (localhost as ::1 and 127.0.0.1)
  if (Array.isArray(e.errors) && e.errors.some(isDatabaseUnavailable)) return true;
  return typeof e.message === 'string' && UNAVAILABLE_TEXT.test(e.message);
}

/**
 * A connection PostgreSQL drops (a restart, a failover, an administrator) raises 'error' on its client;
 * pg-pool listens only while the client is idle, so one checked out (a transaction) would take the
 * process down. Every client gets a listener for its whole life; the
 * query in flight fails on its own and the pool drops the broken client when it is released.
 */
export function guardPool(pool: pg.Pool, log: (msg: string) => void): void {
  if ((pool as { zhihuiGuarded?: boolean }).zhihuiGuarded) return;
  (pool as { zhihuiGuarded?: boolean }).zhihuiGuarded = true;
  // an idle client dropped by the server: pg-pool removes it and re-emits the error on the pool
  pool.on('error', (err) => log(`idle PostgreSQL connection lost: ${err.message}`));
  pool.on('connect', (client) => {
    client.on('error', (err) => log(`PostgreSQL connection lost: ${err.message}`));
  });
}

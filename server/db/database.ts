import pg from 'pg';
import { guardPool, isDatabaseUnavailable } from './availability.ts';
import { type DatabaseMode, type Dialect, dialectFor } from './dialect.ts';
import { startEmbeddedPostgis } from './embedded.ts';

export type { DatabaseMode } from './dialect.ts';

export interface Database {
  pool: pg.Pool;
  /**
   * Where the leader's and indicator reads go: a streaming replica (DATABASE_READ_URL), else `pool`
   * itself. A Database put together by hand (tests, bench) may leave it out, meaning `pool`.
   */
  readPool?: pg.Pool;
  mode: DatabaseMode;
  /** What this database can do that the other cannot (dialect.ts): dialectFor(mode). */
  dialect: Dialect;
  /** Connection string (for the embedded database, its loopback address). */
  url: string;
  close(): Promise<void>;
}

// PostgreSQL bigint/numeric come back as strings by default; our ids and counts fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
// Dates stay 'YYYY-MM-DD' strings: they are calendar days in Asia/Shanghai, not instants.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export interface OpenOptions {
  databaseUrl: string | null;
  /** A streaming replica of databaseUrl for the heavy reads (DATABASE_READ_URL). */
  readUrl?: string | null;
  dataDir: string;
  /** Pool size for an external database (and for the replica's). */
  maxConnections?: number;
  /** Fixed loopback port for the embedded server (0 = any free port). */
  embeddedPort?: number;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.readUrl && !opts.databaseUrl) throw new Error('a read replica needs DATABASE_URL: the embedded database has none');
  if (opts.databaseUrl) {
    // a request waits at most 5 s for a connection: then it is told the database is unavailable (503)
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.maxConnections ?? 10, connectionTimeoutMillis: 5_000 });
    pool.on('error', (err) => console.error('idle PostgreSQL client error:', err.message));
    guardPool(pool, (msg) => console.error(msg));
    const readPool = opts.readUrl ? replicaPool(pool, opts.readUrl, opts.maxConnections ?? 10) : pool;
    const close = async () => {
      await pool.end();
      if (readPool !== pool) await readPool.end();
    };
    return { pool, readPool, mode: 'external', dialect: dialectFor('external'), url: opts.databaseUrl, close };
  }
  const embedded = await startEmbeddedPostgis(opts.dataDir, opts.embeddedPort ?? 0);
  const pool = embeddedPool(embedded.url);
  return {
    pool,
    readPool: pool,
    mode: 'embedded',
    dialect: dialectFor('embedded'),
    url: embedded.url,
    async close() {
      await pool.end();
      await embedded.stop();
    },
  };
}

const replicas = new WeakMap<pg.Pool, pg.Pool>();

function replicaPool(primary: pg.Pool, url: string, max: number): pg.Pool {
  // a shorter wait than the primary's 5 s: a read that cannot reach the replica still has the primary
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 2_000 });
  guardPool(pool, (msg) => console.error(`read replica: ${msg}`));
  replicas.set(primary, pool);
  return pool;
}

/** The streaming replica opened with this primary pool, for the readiness check; null without DATABASE_READ_URL. */
export function replicaOf(primary: pg.Pool): pg.Pool | null {
  return replicas.get(primary) ?? null;
}

/** Runs a read on the pool it should use now. */
export type Reads = <T>(fn: (db: pg.Pool) => Promise<T>) => Promise<T>;
export interface ReadLog {
  warn(msg: string): void;
  info(msg: string): void;
}

/** While the replica is away, one read per this interval tries it again; the others go straight to the primary. */
const REPLICA_RETRY_MS = 10_000;
const readers = new WeakMap<pg.Pool, Reads>();

/**
 * The leader's and indicator reads: on the replica while it answers. When it is unavailable (refused,
 * timed out, restarting) they run again on the primary, so a leader's screen keeps working; a
 * statement the replica cancels for a recovery conflict (40001) too. One state per replica, so an
 * outage is logged once, whichever screen meets it first.
 */
export function replicaReads(primary: pg.Pool, replica: pg.Pool, log: ReadLog): Reads {
  if (replica === primary) return (fn) => fn(primary);
  const known = readers.get(replica);
  if (known) return known;
  let downSince: number | null = null;
  let retryAt = 0;
  const reads: Reads = async (fn) => {
    const probe = downSince !== null;
    if (probe) {
      if (Date.now() < retryAt) return fn(primary);
      retryAt = Date.now() + REPLICA_RETRY_MS;
    }
    try {
      const result = await fn(replica);
      if (probe && downSince !== null) {
        log.info(`read replica answers again after ${Math.round((Date.now() - downSince) / 1000)} s: leader and indicator reads are back on it`);
        downSince = null;
      }
      return result;
    } catch (err) {
      if ((err as { code?: string }).code === '40001') return fn(primary);
      if (!isDatabaseUnavailable(err)) throw err;
      if (downSince === null) {
        downSince = Date.now();
        log.warn(
          `read replica unavailable (${(err as Error).message || (err as { code?: string }).code}): leader and indicator reads go to the primary until it answers`,
        );
      }
      retryAt = Date.now() + REPLICA_RETRY_MS;
      return fn(primary);
    }
  };
  readers.set(replica, reads);
  return reads;
}

/** A pool for the embedded server: one connection, kept across SQL errors. */
export function embeddedPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on('error', (err) => console.error('idle embedded client error:', err.message));
  if (dialectFor('embedded').singleSession) {
    // statements a previous connection prepared by name are still in the session, and a new client
    // preparing the same name would fail: start each clean (the pool queues this before the
    // client's first query)
    pool.on('connect', (client) => {
      client.query('DEALLOCATE ALL').catch((err: Error) => console.error('embedded DEALLOCATE ALL:', err.message));
    });
  }
  keepClientsAfterSqlErrors(pool);
  return pool;
}

/**
 * pg-pool closes a client whenever a query fails, even for a plain SQL error (a constraint, a
 * bad value). Against the embedded server that costs a reconnect, and the reconnect can reach the
 * one-connection server before it has noticed the old socket closing, so the next query fails too.
 * Here a client goes back to the pool after a SQL error; a broken connection is still dropped
 * (pg marks it unqueryable, and the pool checks that on release).
 */
function keepClientsAfterSqlErrors(pool: pg.Pool): void {
  const query = async (...args: unknown[]) => {
    const client = await pool.connect();
    try {
      return await (client.query as (...a: unknown[]) => Promise<unknown>)(...args);
    } finally {
      client.release();
    }
  };
  (pool as unknown as { query: typeof query }).query = query;
}

import pg from 'pg';
import { guardPool } from './availability.ts';
import { startEmbeddedPostgis } from './embedded.ts';

export type DatabaseMode = 'embedded' | 'external';

export interface Database {
  pool: pg.Pool;
  mode: DatabaseMode;
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
  dataDir: string;
  /** Pool size for an external database. */
  maxConnections?: number;
  /** Fixed loopback port for the embedded server (0 = any free port). */
  embeddedPort?: number;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) {
    // a request waits at most 5 s for a connection: then it is told the database is unavailable (503)
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.maxConnections ?? 10, connectionTimeoutMillis: 5_000 });
    pool.on('error', (err) => console.error('idle PostgreSQL client error:', err.message));
    guardPool(pool, (msg) => console.error(msg));
    return { pool, mode: 'external', url: opts.databaseUrl, close: () => pool.end() };
  }
  const embedded = await startEmbeddedPostgis(opts.dataDir, opts.embeddedPort ?? 0);
  const pool = embeddedPool(embedded.url);
  return {
    pool,
    mode: 'embedded',
    url: embedded.url,
    async close() {
      await pool.end();
      await embedded.stop();
    },
  };
}

/** A pool for the embedded server: one connection, kept across SQL errors. */
export function embeddedPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on('error', (err) => console.error('idle embedded client error:', err.message));
  // PGlite is one session whatever the socket: statements a previous connection prepared by name
  // are still there, and a new client preparing the same name would fail. Start each clean; the
  // pool queues this before the first query of the client.
  pool.on('connect', (client) => {
    client.query('DEALLOCATE ALL').catch((err: Error) => console.error('embedded DEALLOCATE ALL:', err.message));
  });
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

import pg from 'pg';
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
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.maxConnections ?? 10 });
    pool.on('error', (err) => console.error('idle PostgreSQL client error:', err.message));
    return { pool, mode: 'external', url: opts.databaseUrl, close: () => pool.end() };
  }
  const embedded = await startEmbeddedPostgis(opts.dataDir, opts.embeddedPort ?? 0);
  const pool = new pg.Pool({ connectionString: embedded.url, max: 1 });
  pool.on('error', (err) => console.error('idle embedded client error:', err.message));
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

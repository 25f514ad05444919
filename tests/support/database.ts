import pg from 'pg';
import { inject } from 'vitest';
import { type Database, embeddedPool } from '../../server/db/database.ts';

/**
 * The run's database (see tests/setup/database.ts). The embedded server serves one connection at a
 * time, so a file holds at most one pool at a time and ends it in afterAll.
 */
export function testDatabase(): Database {
  const url = inject('databaseUrl');
  const mode = inject('databaseMode');
  const pool = mode === 'embedded' ? embeddedPool(url) : new pg.Pool({ connectionString: url, max: 8 });
  return { pool, mode, url, close: () => pool.end() };
}

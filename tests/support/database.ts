import { inject } from 'vitest';
import type { Database } from '../../server/db/database.ts';
import pg from 'pg';
import '../../server/db/database.ts';

/**
 * The run's database (see tests/setup/database.ts). The embedded server admits one connection,
 * so a file holds at most one pool at a time and ends it in afterAll.
 */
export function testDatabase(): Database {
  const url = inject('databaseUrl');
  const mode = inject('databaseMode');
  const pool = new pg.Pool({ connectionString: url, max: mode === 'embedded' ? 1 : 4 });
  return { pool, mode, url, close: () => pool.end() };
}

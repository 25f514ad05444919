import type pg from 'pg';

/**
 * Runs `fn` in one transaction on one client. Inside, use only that client: the embedded database
 * has a single connection, so asking the pool for another would wait forever.
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

export type Queryable = Pick<pg.PoolClient, 'query'>;

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
    if (!committed.delete(client)) await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Transactions whose last statement carried their COMMIT (see `commitWith`). */
const committed = new WeakSet<object>();

/**
 * Sends `sql` (no parameters: values inlined with escapeLiteral) and the COMMIT of the transaction
 * `client` is in as one simple-protocol message, so nothing the statement locks is held while this
 * process turns around between its answer and the COMMIT (an event-loop pause would hold it that much
 * longer). The statement must be the transaction's last; `withTransaction` then sends no COMMIT.
 */
export async function commitWith<R extends pg.QueryResultRow>(client: pg.PoolClient, sql: string): Promise<R[]> {
  const results = (await client.query(`${sql};\nCOMMIT`)) as unknown as pg.QueryResult<R>[];
  committed.add(client);
  return results[0]!.rows;
}

export type Queryable = Pick<pg.PoolClient, 'query'>;

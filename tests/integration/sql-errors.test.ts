import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
afterAll(() => db.close());

/**
 * Refused statements are everyday traffic (a duplicate, a constraint, a bad value from a client),
 * so the database must answer normally after any number of them. PGlite 0.5.8 failed both checks
 * below: each error leaked stack until, after about 1,900, every statement failed with "stack
 * depth limit exceeded"; and an error in the extended protocol was answered with two
 * ReadyForQuery, which made `pg` hand the next statement's completion to nobody and crash
 * the process ("unexpected commandComplete message").
 */
describe(`SQL errors on the ${inject('databaseMode')} database`, () => {
  it('answers normally after 2,500 refused statements, simple and with parameters', async () => {
    // one connection throughout: pg-pool replaces a client after each failed pool.query on PostgreSQL,
    // and 2,500 reconnects would measure the login, not the database
    const client = await db.pool.connect();
    let refused = 0;
    try {
      for (let i = 0; i < 2_500; i++) {
        const statement = i % 2 ? client.query('SELECT 1 / $1::int', [0]) : client.query('SELECT 1 / 0');
        await statement.catch((err: { code?: string }) => {
          expect(err.code).toBe('22012');
          refused++;
        });
      }
      expect((await client.query('SELECT 40 + $1::int AS answer', [2])).rows[0].answer).toBe(42);
    } finally {
      client.release();
    }
    expect(refused).toBe(2_500);
    expect((await db.pool.query('SELECT 40 + $1::int AS answer', [2])).rows[0].answer).toBe(42);
  });

  it('ends a refused statement with parameters with one ReadyForQuery, so the next statement gets its own answer', async () => {
    const client = await db.pool.connect();
    const readies: string[] = [];
    const errors: Error[] = [];
    const connection = (client as unknown as { connection: NodeJS.EventEmitter }).connection;
    const onReady = (msg: { status: string }) => readies.push(msg.status);
    const onError = (err: Error) => errors.push(err);
    connection.on('readyForQuery', onReady);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      await client.query('CREATE TEMP TABLE once (id int PRIMARY KEY)');
      await client.query('INSERT INTO once VALUES ($1)', [1]);
      readies.length = 0;
      await expect(client.query('INSERT INTO once VALUES ($1)', [1])).rejects.toThrow(/duplicate key/);
      const rollback = await client.query('ROLLBACK');
      expect(rollback.command).toBe('ROLLBACK');
      // the failed transaction's E, then the ROLLBACK's I: nothing in between
      expect(readies).toEqual(['E', 'I']);
      expect((await client.query('SELECT 7 AS seven')).rows).toEqual([{ seven: 7 }]);
      expect(errors).toEqual([]);
    } finally {
      connection.off('readyForQuery', onReady);
      client.off('error', onError);
      client.release();
    }
  });
});

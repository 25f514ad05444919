import type pg from 'pg';

/**
 * A pool over one client inside one open transaction, whose clock can be set: the services and
 * clocks run unchanged on it (their own transactions become savepoints), and every app_now() of
 * the workflow's SQL (migrations/018_app_clock.sql) answers the time set last. The demo history
 * (server/seed/history.ts) runs 90 days of cases through the real services this way, in one
 * transaction, in well under the time the same steps take one commit each.
 */
export class ClockedTransaction {
  private depth = 0;
  private at = new Date();

  constructor(private readonly client: pg.PoolClient) {}

  /** Moves the clock: the next transaction a service begins runs at `at`. */
  set(at: Date): void {
    this.at = at;
  }

  now(): Date {
    return new Date(this.at);
  }

  /** What the services take for a pool: connect() hands out the one client, BEGIN / COMMIT / ROLLBACK are savepoints. */
  get pool(): pg.Pool {
    const client = this.client;
    const query = (text: unknown, values?: unknown) => {
      if (typeof text === 'string') {
        const verb = text.trim().toUpperCase();
        // one round trip: the savepoint and its time (an ISO string, nothing a caller wrote)
        if (verb === 'BEGIN') return client.query(`SAVEPOINT clocked_${++this.depth}; SELECT set_config('zhihui.clock', '${this.at.toISOString()}', true)`);
        if (verb === 'COMMIT') return client.query(`RELEASE SAVEPOINT clocked_${this.depth--}`);
        if (verb === 'ROLLBACK') {
          const name = `clocked_${this.depth--}`;
          return client.query(`ROLLBACK TO SAVEPOINT ${name}`).then(() => client.query(`RELEASE SAVEPOINT ${name}`));
        }
      }
      return (client.query as (t: unknown, v?: unknown) => Promise<unknown>)(text, values);
    };
    const wrapped = { query, release: () => {} };
    return { connect: async () => wrapped, query } as unknown as pg.Pool;
  }
}

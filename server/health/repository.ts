import type pg from 'pg';
import { replicaOf } from '../db/database.ts';
import { type MigrationStatus, migrationStatus } from '../db/migrate.ts';

/** What readiness reads: versions, migrations, the demo seed, and the read replica's position against the primary's. */
export class HealthRepository {
  /** the read replica (DATABASE_READ_URL), if there is one */
  readonly replica: pg.Pool | null;

  constructor(private readonly pool: pg.Pool) {
    this.replica = replicaOf(pool);
  }

  async versions(seedName: string): Promise<{ pg: string; postgis: string; seeded: boolean }> {
    const res = await this.pool.query<{ pg: string; postgis: string; seeded: boolean }>(
      `
      SELECT current_setting('server_version') AS pg, postgis_lib_version() AS postgis,
             EXISTS (SELECT 1 FROM seed_runs WHERE name = $1) AS seeded`,
      [seedName],
    );
    return res.rows[0]!;
  }

  migrations(): Promise<MigrationStatus> {
    return migrationStatus(this.pool);
  }

  /** The primary's current WAL position. */
  async walHead(): Promise<string> {
    return (await this.pool.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`)).rows[0]!.lsn;
  }

  /** How far `replica` has replayed behind WAL position `head`: bytes, and seconds since its last replayed transaction. */
  async replayBehind(replica: pg.Pool, head: string): Promise<{ bytes: number | null; seconds: number | null }> {
    return (
      await replica.query<{ bytes: number | null; seconds: number | null }>(
        `
      SELECT greatest(pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn()), 0)::float8 AS bytes,
             round(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 3)::float8 AS seconds`,
        [head],
      )
    ).rows[0]!;
  }
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type pg from 'pg';
import { Type } from 'typebox';
import { type DatabaseMode, replicaOf } from '../db/database.ts';
import { migrationStatus } from '../db/migrate.ts';
import { DEMO_SEED_NAME } from '../seed/demo-city.ts';

const Health = Type.Object({
  status: Type.Literal('ok'),
  database: Type.Object({ mode: Type.Union([Type.Literal('embedded'), Type.Literal('external')]), postgres: Type.String(), postgis: Type.String() }),
  migrations: Type.Object({ applied: Type.Integer(), pending: Type.Integer(), latest: Type.Union([Type.String(), Type.Null()]) }),
  demo: Type.Object({ seeded: Type.Boolean() }),
  replica: Type.Optional(Type.Object({
    status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
    lagSeconds: Type.Union([Type.Number(), Type.Null()]),
    lagBytes: Type.Union([Type.Number(), Type.Null()]),
  }, {
    description: 'DATABASE_READ_URL only. Lag against the primary\'s WAL position: 0 when everything is replayed, else bytes behind and '
      + 'seconds since the last transaction replayed (null: unknown, or not a standby). Down does not make the server unready: '
      + 'the leader\'s and indicator reads then go to the primary.',
  })),
});

type ReplicaStatus = { status: 'up' | 'down'; lagSeconds: number | null; lagBytes: number | null };

/** The primary's WAL position first, then how far the replica has replayed: it can only look further behind than it is, never ahead. */
async function replicaStatus(primary: pg.Pool, replica: pg.Pool): Promise<ReplicaStatus> {
  const head = (await primary.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`)).rows[0]!.lsn;
  try {
    const r = (await replica.query<{ bytes: number | null; seconds: number | null }>(`
      SELECT greatest(pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn()), 0)::float8 AS bytes,
             round(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 3)::float8 AS seconds`, [head])).rows[0]!;
    // on an idle primary the last replayed transaction may be old: caught up is 0 s, not its age
    const lagSeconds = r.bytes === null ? null : r.bytes === 0 ? 0 : r.seconds === null ? null : Math.max(0, r.seconds);
    return { status: 'up', lagSeconds, lagBytes: r.bytes };
  } catch {
    return { status: 'down', lagSeconds: null, lagBytes: null };
  }
}

export const healthRoutes: FastifyPluginAsyncTypebox<{ pool: pg.Pool; mode: DatabaseMode }> = async (app, { pool, mode }) => {
  const started = Date.now();
  const replica = replicaOf(pool);
  app.get('/api/health/live', {
    config: { public: 'liveness: the process answers, whatever the database does', rateLimit: false },
    schema: {
      tags: ['system'], summary: 'Liveness: the server process is up (no database access); readiness is GET /api/health',
      response: { 200: Type.Object({ status: Type.Literal('ok'), uptimeSeconds: Type.Integer() }) },
    },
  }, async () => ({ status: 'ok' as const, uptimeSeconds: Math.floor((Date.now() - started) / 1000) }));

  app.get('/api/health', {
    config: { public: 'liveness, for balancers and the console\'s status bar', rateLimit: false },
    schema: {
      tags: ['system'], summary: 'Readiness: database mode, versions, migration state and the read replica; 503 with Retry-After while the database is away',
      response: { 200: Health, 503: Type.Ref('ErrorResponse') },
    },
  }, async () => {
    const v = await pool.query<{ pg: string; postgis: string; seeded: boolean }>(`
      SELECT current_setting('server_version') AS pg, postgis_lib_version() AS postgis,
             EXISTS (SELECT 1 FROM seed_runs WHERE name = $1) AS seeded`, [DEMO_SEED_NAME]);
    const m = await migrationStatus(pool);
    const row = v.rows[0]!;
    return {
      status: 'ok' as const,
      database: { mode, postgres: row.pg, postgis: row.postgis },
      migrations: { applied: m.applied.length, pending: m.pending.length, latest: m.latest },
      demo: { seeded: row.seeded },
      ...(replica ? { replica: await replicaStatus(pool, replica) } : {}),
    };
  });
};

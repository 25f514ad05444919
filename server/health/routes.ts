import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type pg from 'pg';
import { Type } from 'typebox';
import type { DatabaseMode } from '../db/database.ts';
import { migrationStatus } from '../db/migrate.ts';
import { DEMO_SEED_NAME } from '../seed/demo-city.ts';

const Health = Type.Object({
  status: Type.Literal('ok'),
  database: Type.Object({ mode: Type.Union([Type.Literal('embedded'), Type.Literal('external')]), postgres: Type.String(), postgis: Type.String() }),
  migrations: Type.Object({ applied: Type.Integer(), pending: Type.Integer(), latest: Type.Union([Type.String(), Type.Null()]) }),
  demo: Type.Object({ seeded: Type.Boolean() }),
});

export const healthRoutes: FastifyPluginAsyncTypebox<{ pool: pg.Pool; mode: DatabaseMode }> = async (app, { pool, mode }) => {
  const started = Date.now();
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
      tags: ['system'], summary: 'Readiness: database mode, versions and migration state; 503 with Retry-After while the database is away',
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
    };
  });
};

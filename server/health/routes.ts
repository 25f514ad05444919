import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { HealthService } from './service.ts';

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

export const healthRoutes: FastifyPluginAsyncTypebox<{ health: HealthService }> = async (app, { health }) => {
  app.get('/api/health/live', {
    config: { public: 'liveness: the process answers, whatever the database does', rateLimit: false },
    schema: {
      tags: ['system'], summary: 'Liveness: the server process is up (no database access); readiness is GET /api/health',
      response: { 200: Type.Object({ status: Type.Literal('ok'), uptimeSeconds: Type.Integer() }) },
    },
  }, async () => ({ status: 'ok' as const, uptimeSeconds: health.uptimeSeconds() }));

  app.get('/api/health', {
    config: { public: 'liveness, for balancers and the console\'s status bar', rateLimit: false },
    schema: {
      tags: ['system'], summary: 'Readiness: database mode, versions, migration state and the read replica; 503 with Retry-After while the database is away',
      response: { 200: Health, 503: Type.Ref('ErrorResponse') },
    },
  }, () => health.readiness());
};

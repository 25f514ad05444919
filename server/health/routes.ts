import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Health } from '#shared/system-schemas.ts';
import type { HealthService } from './service.ts';

export const healthRoutes: FastifyPluginAsyncTypebox<{ health: HealthService }> = async (app, { health }) => {
  app.get(
    '/api/health/live',
    {
      config: { public: 'liveness: the process answers, whatever the database does', rateLimit: false },
      schema: {
        tags: ['system'],
        summary: 'Liveness: the server process is up (no database access); readiness is GET /api/health',
        description:
          'Answers 200 while the process runs, without touching the database, so a supervisor restarts the process only when it hangs, not when PostgreSQL is away.',
        response: { 200: Type.Object({ status: Type.Literal('ok'), uptimeSeconds: Type.Integer() }) },
      },
    },
    async () => ({ status: 'ok' as const, uptimeSeconds: health.uptimeSeconds() }),
  );

  app.get(
    '/api/health',
    {
      config: { public: "liveness, for balancers and the console's status bar", rateLimit: false },
      schema: {
        tags: ['system'],
        summary: 'Readiness: database mode, versions, migration state and the read replica; 503 with Retry-After while the database is away',
        description:
          'Asks the database on every call, so a balancer can take an instance out of rotation while its database is unreachable and put it back when it answers again.',
        response: { 200: Health, 503: Type.Ref('ErrorResponse') },
      },
    },
    () => health.readiness(),
  );
};

import crypto from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';

const same = (a: string, b: string) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** GET /metrics for Prometheus, with the scrape token of METRICS_TOKEN (no token configured: no endpoint). */
export const metricsRoutes: FastifyPluginAsync<{ registry: Registry; token: string }> = async (app, { registry, token }) => {
  app.get(
    '/metrics',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['system'],
        summary: 'Prometheus metrics (Authorization: Bearer METRICS_TOKEN)',
        description:
          'Registered only when METRICS_TOKEN is set: HTTP latency by route, pool clients, event-log appends and delivery lag, clock lag and live sockets.',
        response: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
    async (req, reply) => {
      const sent = req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : '';
      if (!same(sent, token)) throw app.httpErrors.unauthorized('send Authorization: Bearer <METRICS_TOKEN>');
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  );
};

import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import sensible from '@fastify/sensible';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import underPressure from '@fastify/under-pressure';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import { GeoRepository } from './geo/repository.ts';
import { geoRoutes } from './geo/routes.ts';
import { healthRoutes } from './health/routes.ts';
import { clientConfigRoutes } from './http/client-config-routes.ts';
import { registerClientStatic } from './http/client-static.ts';
import { registerErrorHandler } from './http/errors.ts';
import { ErrorResponse } from './http/schemas.ts';
import { WorkforceRepository } from './workforce/repository.ts';
import { workforceRoutes } from './workforce/routes.ts';

export interface AppOptions {
  db: Database;
  config: Pick<Config, 'mapStyleUrl' | 'rateLimitPerMinute' | 'logLevel'>;
  /** Serve the built console from dist/client (off for API-only tests). */
  serveClient?: boolean;
  logger?: boolean;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger === false ? false : { level: opts.config.logLevel },
    // Unknown query fields are refused with a 400 rather than silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Standard plugins first, then the app's own pieces, then routes (the fastify/demo order).
  const basemap = opts.config.mapStyleUrl ? ['https:'] : [];
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // MapLibre runs its workers from blob: URLs and decodes tiles/images into blob:/data: URLs.
        workerSrc: ["'self'", 'blob:'],
        childSrc: ["'self'", 'blob:'],
        imgSrc: ["'self'", 'data:', 'blob:', ...basemap],
        styleSrc: ["'self'", "'unsafe-inline'"],
        connectSrc: ["'self'", 'ws:', 'wss:', ...basemap],
        fontSrc: ["'self'", 'data:'],
        upgradeInsecureRequests: null,
      },
    },
  });
  await app.register(sensible);
  await app.register(rateLimit, { max: opts.config.rateLimitPerMinute, timeWindow: '1 minute' });
  await app.register(underPressure, { maxEventLoopDelay: 2_000, retryAfter: 10, exposeStatusRoute: false });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Zhihui 指挥 API', description: 'City-management enforcement command and dispatch', version: '0.1.0' },
      tags: [{ name: 'map', description: 'map layers (GeoJSON, WGS84)' }, { name: 'system' }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.addSchema(ErrorResponse);
  registerErrorHandler(app);

  const { pool, mode } = opts.db;
  await app.register(healthRoutes, { pool, mode });
  await app.register(clientConfigRoutes, { mapStyleUrl: opts.config.mapStyleUrl });
  await app.register(geoRoutes, { repo: new GeoRepository(pool) });
  await app.register(workforceRoutes, { repo: new WorkforceRepository(pool) });
  if (opts.serveClient) await registerClientStatic(app);
  return app;
}

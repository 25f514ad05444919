import { randomUUID } from 'node:crypto';
import path from 'node:path';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import sensible from '@fastify/sensible';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import underPressure from '@fastify/under-pressure';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import pg from 'pg';
import type { Server } from 'socket.io';
import { authPlugin } from './auth/plugin.ts';
import { BasemapArchive } from './basemap/archive-reader.ts';
import { basemapRoutes } from './basemap/routes.ts';
import { BasemapService } from './basemap/service.ts';
import { authRoutes } from './auth/routes.ts';
import { refreshDailySums } from './indicators/rollup/repository.ts';
import { addEventLogMonths } from './events/repository.ts';
import { ClockWatcher } from './clocks/watcher.ts';
import type { Config } from './config.ts';
import { guardPool } from './db/availability.ts';
import { createMetrics } from './metrics/metrics.ts';
import { metricsRoutes } from './metrics/routes.ts';
import type { Database } from './db/database.ts';
import { confirmDialect } from './db/dialect.ts';
import { registerApiDocs } from './docs/openapi.ts';
import { EventBus } from './events/bus.ts';
import { eventRoutes } from './events/routes.ts';
import { EventService } from './events/service.ts';
import { EvidenceRepository } from './evidence/repository.ts';
import { buildingEvidenceRoutes, evidenceRoutes } from './evidence/routes.ts';
import { EvidenceService } from './evidence/service.ts';
import { EvidenceStore } from './evidence/storage.ts';
import { GeoRepository } from './geo/repository.ts';
import { geocodeRoutes } from './geocode/routes.ts';
import { GeocodeService } from './geocode/service.ts';
import { gisRoutes } from './gis/routes.ts';
import { AuditRepository } from './audit/repository.ts';
import { auditRoutes } from './audit/routes.ts';
import { AuditService } from './audit/service.ts';
import { RosterRepository } from './roster/repository.ts';
import { rosterRoutes } from './roster/routes.ts';
import { RosterService } from './roster/service.ts';
import { GisService } from './gis/service.ts';
import { geoRoutes } from './geo/routes.ts';
import { HealthRepository } from './health/repository.ts';
import { healthRoutes } from './health/routes.ts';
import { holidayRoutes } from './holidays/routes.ts';
import { HolidayService } from './holidays/service.ts';
import { HealthService } from './health/service.ts';
import { InspectionRepository } from './buildings/inspections/repository.ts';
import { inspectionRoutes } from './buildings/inspections/routes.ts';
import { InspectionService } from './buildings/inspections/service.ts';
import { clientConfigRoutes } from './http/client-config-routes.ts';
import { registerClientStatic } from './http/client-static.ts';
import { registerErrorHandler } from './http/errors.ts';
import { frameworkError, registerInputGuards } from './http/input-guards.ts';
import { ErrorResponse } from './http/schemas.ts';
import { buildingProgressRoutes } from './buildings/progress/routes.ts';
import { BuildingProgressService } from './buildings/progress/service.ts';
import { caseRoutes } from './cases/routes.ts';
import { buildingRoutes } from './buildings/routes.ts';
import { BuildingService } from './buildings/service.ts';
import { categoryRoutes, categoryVersionRoutes } from './categories/routes.ts';
import { CategoryService, CategoryVersionService } from './categories/service.ts';
import { indicatorRoutes } from './indicators/routes.ts';
import { IndicatorService } from './indicators/service.ts';
import { leaderRoutes } from './leader/routes.ts';
import { LeaderService } from './leader/service.ts';
import { CaseService } from './cases/service.ts';
import { PgRelay, channels } from './live/relay.ts';
import { LiveService } from './live/service.ts';
import { attachLive } from './live/socket.ts';
import { TileRepository } from './tiles/repository.ts';
import { tileRoutes } from './tiles/routes.ts';
import { UserRepository } from './users/repository.ts';
import { userRoutes } from './users/routes.ts';
import { UserService } from './users/service.ts';
import type { AuthSettings } from './auth/service.ts';
import { PositionService } from './workforce/positions.ts';
import { WorkforceRepository } from './workforce/repository.ts';
import { workforceRoutes } from './workforce/routes.ts';
import { WorkforceService } from './workforce/service.ts';

export type AppConfig = Pick<Config, 'mapStyleUrl' | 'rateLimitPerMinute' | 'logLevel' | 'dataDir'> &
  Partial<
    Pick<
      Config,
      | 'loginPerMinute'
      | 'acceptTimeoutSeconds'
      | 'clockIntervalMs'
      | 'cluster'
      | 'publicMapLayers'
      | 'allowedOrigins'
      | 'metricsToken'
      | 'gisImportMaxBytes'
      | 'positionRetentionDays'
    >
  > & {
    auth?: Partial<AuthSettings>;
  };

export interface AppOptions {
  db: Database;
  config: AppConfig;
  /** Serve the built console from dist/client (off for API-only tests). */
  serveClient?: boolean;
  /** Run the overdue / acceptance clocks (tests drive them by hand). */
  clocks?: boolean;
  logger?: boolean;
}

export interface Zhihui {
  bus: EventBus;
  /** LISTEN/NOTIFY between instances (external PostgreSQL only) */
  relay: PgRelay | null;
  cases: CaseService;
  positions: PositionService;
  clocks: ClockWatcher;
  io: Server;
}

declare module 'fastify' {
  interface FastifyInstance {
    zhihui: Zhihui;
  }
}

function requestId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:@/+=-]{1,128}$/.test(given) ? given : randomUUID();
}

/**
 * pino's options: readable lines (pino-pretty) on a terminal, JSON lines when stdout is piped to a
 * collector or a file.
 */
export function loggerOptions(level: string, tty = process.stdout.isTTY === true): { level: string; transport?: { target: string; options: object } } {
  if (!tty) return { level };
  return { level, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } };
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger === false ? false : loggerOptions(opts.config.logLevel),
    // One line per request at info buried the start-up messages (1,500 lines in 7 minutes of a demo):
    // requests are logged by the onResponse hook below, at debug.
    logController: new LogController({ disableRequestLogging: true }),
    // Validation (bodies without type coercion), JSON parsing and text checks: server/http/input-guards.ts
    frameworkErrors: frameworkError,
    // every log line of a request carries its id (reqId); a balancer's X-Request-Id is kept when it looks like one
    requestIdHeader: false,
    genReqId: requestId,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    // server errors stay visible at the default level; the rest is there at LOG_LEVEL=debug
    const level = reply.statusCode >= 500 ? 'warn' : 'debug';
    req.log[level]({ method: req.method, url: req.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

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
  await registerApiDocs(app);
  app.addSchema(ErrorResponse);
  registerErrorHandler(app);
  registerInputGuards(app);

  const { pool } = opts.db;
  guardPool(pool, (msg) => app.log.warn(msg));
  // what this database can do (db/dialect.ts), with what varies between server builds asked of it now
  // that the migrations have run
  const dialect = await confirmDialect(pool, opts.db.dialect);
  const users = new UserRepository(pool);
  await app.register(authPlugin, { pool, users, settings: opts.config.auth });
  // The bus reads the log on its own connection: under load a pooled one would queue behind the
  // requests, and every live event with it. On a single-session database it would queue all the same.
  const busPool = dialect.singleSession ? pool : new pg.Pool({ connectionString: opts.db.url, max: 1, connectionTimeoutMillis: 5_000 });
  if (busPool !== pool) guardPool(busPool, (msg) => app.log.warn(msg));
  const bus = new EventBus(busPool, { log: app.log });
  // Where other instances (or scripts) may write, a NOTIFY from any of them wakes the bus.
  const relay = dialect.sharedByInstances ? new PgRelay(opts.db.url, pool, app.log) : null;
  relay?.on(channels.events, () => bus.wake());
  relay?.onReconnect(() => bus.wake());
  const cases = new CaseService(pool, bus);
  const workforceRepo = new WorkforceRepository(pool);
  const workforce = new WorkforceService(pool, workforceRepo, bus);
  const positions = new PositionService(workforceRepo);
  const publicMap = opts.config.publicMapLayers ?? false;
  const metrics = createMetrics({ pool, bus, positions });
  metrics.hook(app);
  if (opts.config.metricsToken) await app.register(metricsRoutes, { registry: metrics.registry, token: opts.config.metricsToken });

  await app.register(healthRoutes, { health: new HealthService(new HealthRepository(pool), dialect.mode) });
  const geoRepo = new GeoRepository(pool);
  const basemapArchive = new BasemapArchive(opts.config.dataDir);
  const basemapService = new BasemapService(basemapArchive);
  await app.register(clientConfigRoutes, { mapStyleUrl: opts.config.mapStyleUrl, publicMapLayers: publicMap, geo: geoRepo, basemap: basemapService });
  await app.register(authRoutes, { loginPerMinute: opts.config.loginPerMinute ?? 10 });
  await app.register(userRoutes, { users: new UserService(pool, users, app.auth) });
  await app.register(rosterRoutes, { roster: new RosterService(pool, new RosterRepository(pool), bus) });
  await app.register(auditRoutes, { audit: new AuditService(new AuditRepository(pool)) });
  await app.register(holidayRoutes, { holidays: new HolidayService(pool, relay, app.log) });
  await app.register(geoRoutes, { repo: geoRepo, publicMap });
  await app.register(geocodeRoutes, { geocode: new GeocodeService(pool) });
  await app.register(tileRoutes, { repo: new TileRepository(pool, dialect), publicMap });
  await app.register(basemapRoutes, { basemap: basemapService, publicMap });
  await app.register(workforceRoutes, { workforce, positions, publicMap });
  await app.register(caseRoutes, { cases });
  await app.register(buildingRoutes, { buildings: new BuildingService(pool, bus, cases) });
  await app.register(categoryRoutes, { categories: new CategoryService(pool) });
  await app.register(categoryVersionRoutes, { versions: new CategoryVersionService(pool) });
  const evidenceStore = new EvidenceStore(path.join(opts.config.dataDir, 'evidence'));
  const evidence = new EvidenceService(pool, new EvidenceRepository(pool), evidenceStore, cases, bus);
  await app.register(evidenceRoutes, { evidence });
  await app.register(buildingEvidenceRoutes, { evidence });
  const inspections = new InspectionService(pool, new InspectionRepository(pool), cases, bus);
  await app.register(inspectionRoutes, { inspections });
  await app.register(gisRoutes, { gis: new GisService(pool, bus), dataDir: opts.config.dataDir, maxBytes: opts.config.gisImportMaxBytes });
  await app.register(eventRoutes, { events: new EventService(pool) });
  const readPool = opts.db.readPool ?? pool;
  const buildingProgress = new BuildingProgressService(pool, readPool, app.log);
  await app.register(indicatorRoutes, { indicators: new IndicatorService(pool, readPool, app.log, dialect), progress: buildingProgress });
  await app.register(leaderRoutes, { leader: new LeaderService(pool, readPool, app.log) });
  await app.register(buildingProgressRoutes, { progress: buildingProgress });
  if (opts.serveClient) await registerClientStatic(app);

  const io = attachLive(app, {
    live: new LiveService(pool, workforce),
    bus,
    positions,
    relay: opts.config.cluster ? relay : null,
    allowedOrigins: opts.config.allowedOrigins ?? [],
  });
  metrics.attachIo(io);
  const clocks = new ClockWatcher(
    pool,
    bus,
    { intervalMs: opts.config.clockIntervalMs ?? 15_000, acceptTimeoutSeconds: opts.config.acceptTimeoutSeconds ?? 900 },
    app.log,
  );
  // the bus starts at the log's head before anything can commit (requests, clocks)
  app.addHook('onReady', async () => {
    await bus.start();
    await relay?.start();
  });
  // 存量违建巡查: the cycle comes due by the day, so a sweep every ten minutes is plenty
  clocks.addSweep('building inspections', 10 * 60_000, () => inspections.sweep());
  // 考核指标: the day sums catch up with the cases' facts; until then a changed day is read from the facts
  clocks.addSweep('indicator day sums', 30_000, async () => {
    await refreshDailySums(pool, { daysPerStep: 7, maxSteps: 1 });
    return [];
  });
  clocks.addSweep('event log months', 6 * 3_600_000, async () => {
    await addEventLogMonths(pool);
    return [];
  });
  // position history by policy (migration 025): the coming days' tables made, the expired ones dropped
  const retentionDays = opts.config.positionRetentionDays ?? 90;
  clocks.addSweep('position history', 60 * 60_000, async () => {
    await positions.retain(retentionDays);
    return [];
  });
  metrics.attachClocks(clocks);
  if (opts.clocks !== false) app.addHook('onReady', async () => clocks.start());
  app.addHook('onClose', async () => {
    basemapArchive.close();
    positions.stop();
    await clocks.stop();
    bus.stop();
    await relay?.stop();
    if (busPool !== pool) await busPool.end();
  });
  app.decorate('zhihui', { bus, relay, cases, positions, clocks, io });
  return app;
}

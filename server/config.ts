import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  /** External PostgreSQL + PostGIS; when absent an embedded PGlite is started. */
  databaseUrl: string | null;
  /** A streaming replica of DATABASE_URL for the leader's and indicator reads; null = they read the primary. */
  databaseReadUrl: string | null;
  dataDir: string;
  /** Seed the demo city on an empty database. */
  seedDemo: boolean;
  /** Days of past cases the demo city is given on its first start (0 = none), through the real case services. */
  seedHistoryDays: number;
  /** SIMULATE=autopilot: the simulator also dispatches and drives officers (never the one a human holds). */
  simulateAutopilot: boolean;
  /** A fixed demo password for development and tests; never honoured in production. */
  demoPassword: string | null;
  mapStyleUrl: string | null;
  /** Loopback port of the embedded database (0 = any free port), for psql while it runs. */
  embeddedPort: number;
  rateLimitPerMinute: number;
  loginPerMinute: number;
  /** A dispatch not accepted within this many seconds returns to the dispatcher's queue. */
  acceptTimeoutSeconds: number;
  clockIntervalMs: number;
  /** Plausible cases and moving officers, for demonstrations. */
  simulate: boolean;
  /** Several server instances share one external database: carry live events between them. */
  cluster: boolean;
  logLevel: string;
  production: boolean;
  /** Map layers (districts, grid, key areas, buildings, squad bases, tiles) answer without a login. */
  publicMapLayers: boolean;
  /** Bearer token Prometheus sends to GET /metrics; unset = no metrics endpoint. */
  metricsToken: string | null;
  /** on SIGTERM: how long in-flight requests, transactions and clocks may take before the process exits anyway */
  shutdownTimeoutMs: number;
  /** Browser origins besides the server's own that may open the live socket (a separate wall-screen host). */
  allowedOrigins: string[];
  /** Largest GIS upload (a layer for import), bytes. */
  gisImportMaxBytes: number;
  /** Days of officers' position history kept (whole UTC days; older day tables are dropped by the hourly sweep). */
  positionRetentionDays: number;
}

function flag(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new Error(`expected a boolean (true/false), got "${value}"`);
}

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number 0–65535, got "${value}"`);
  return n;
}

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, got "${value}"`);
  return n;
}

function whole(value: string | undefined, fallback: number, name: string, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`${name} must be a whole number 0–${max}, got "${value}"`);
  return n;
}

function postgresUrl(value: string | undefined, name: string): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be a connection URL like postgres://user:pass@replica-host:5432/zhihui`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new Error(`${name} must be a postgres:// URL, got ${url.protocol}//…`);
  return value;
}

function origins(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
    .map((o) => {
      let url: URL;
      try {
        url = new URL(o);
      } catch {
        throw new Error(`ALLOWED_ORIGINS: "${o}" is not an origin like https://wall.example.gov.cn:8443`);
      }
      if (url.origin !== o.replace(/\/$/, '')) throw new Error(`ALLOWED_ORIGINS: "${o}" must be an origin only (scheme, host, port), e.g. ${url.origin}`);
      return url.origin;
    });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const demoPassword = env.ZHIHUI_DEMO_PASSWORD || null;
  if (production && demoPassword) {
    throw new Error('ZHIHUI_DEMO_PASSWORD is refused when NODE_ENV=production: production never gets a fixed password');
  }
  if (flag(env.CLUSTER, false) && !env.DATABASE_URL) throw new Error('CLUSTER=true needs DATABASE_URL: the embedded database serves one instance');
  if (env.DATABASE_READ_URL && !env.DATABASE_URL) {
    throw new Error('DATABASE_READ_URL needs DATABASE_URL: it names a streaming replica of that PostgreSQL, and the embedded database has none');
  }
  if (demoPassword && demoPassword.length < 8) throw new Error('ZHIHUI_DEMO_PASSWORD must be at least 8 characters');
  return {
    port: port(env.PORT, 3000, 'PORT'),
    host: env.HOST || '127.0.0.1',
    databaseUrl: env.DATABASE_URL || null,
    databaseReadUrl: postgresUrl(env.DATABASE_READ_URL, 'DATABASE_READ_URL'),
    dataDir: path.resolve(env.DATA_DIR || './data'),
    seedDemo: flag(env.SEED_DEMO, true),
    demoPassword,
    mapStyleUrl: env.MAP_STYLE_URL || null,
    embeddedPort: port(env.EMBEDDED_PG_PORT, 0, 'EMBEDDED_PG_PORT'),
    rateLimitPerMinute: positive(env.RATE_LIMIT_PER_MINUTE, 1200, 'RATE_LIMIT_PER_MINUTE'),
    loginPerMinute: positive(env.LOGIN_RATE_LIMIT_PER_MINUTE, 10, 'LOGIN_RATE_LIMIT_PER_MINUTE'),
    acceptTimeoutSeconds: positive(env.DISPATCH_ACCEPT_TIMEOUT_SECONDS, 900, 'DISPATCH_ACCEPT_TIMEOUT_SECONDS'),
    clockIntervalMs: positive(env.CLOCK_INTERVAL_MS, 15_000, 'CLOCK_INTERVAL_MS'),
    simulate: env.SIMULATE === 'autopilot' || flag(env.SIMULATE, false),
    simulateAutopilot: env.SIMULATE === 'autopilot' || flag(env.SIMULATE_AUTOPILOT, false),
    // the embedded database runs the history about 1.3 s a day (bench/first-start.ts): 90 days there
    // would keep the README's first start over two minutes, so it gets the month a leader reads first
    seedHistoryDays: whole(env.SEED_HISTORY_DAYS, env.DATABASE_URL ? 90 : 30, 'SEED_HISTORY_DAYS', 366),
    cluster: flag(env.CLUSTER, false),
    logLevel: env.LOG_LEVEL || 'info',
    production,
    publicMapLayers: flag(env.PUBLIC_MAP_LAYERS, false),
    allowedOrigins: origins(env.ALLOWED_ORIGINS),
    metricsToken: env.METRICS_TOKEN || null,
    shutdownTimeoutMs: positive(env.SHUTDOWN_TIMEOUT_MS, 10_000, 'SHUTDOWN_TIMEOUT_MS'),
    gisImportMaxBytes: positive(env.GIS_IMPORT_MAX_MB, 512, 'GIS_IMPORT_MAX_MB') * 1024 * 1024,
    positionRetentionDays: positive(env.ZHIHUI_POSITION_RETENTION_DAYS, 90, 'ZHIHUI_POSITION_RETENTION_DAYS'),
  };
}

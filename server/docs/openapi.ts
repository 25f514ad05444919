import swagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { type RouteAccess, TOKEN_COOKIE } from '../auth/plugin.ts';
import { ERROR_CODES } from '../http/error-codes.ts';
import { registerAsyncApi } from './asyncapi.ts';
import { API_CONTACT } from './contact.ts';
import { operationId } from './operation-id.ts';

type Schema = Record<string, unknown>;
type Security = Record<string, string[]>[];

/**
 * The API document at /docs/json (and its UI at /docs): OpenAPI 3.1, whose schemas are JSON Schema
 * 2020-12 like the TypeBox schemas the routes validate with. Every operation gets here, in one place, its
 * `operationId` (operation-id.ts), the security its login check really takes (from the auth plugin's
 * `x-access`) and the error answers every route can give (ErrorResponse), so route files only say
 * what is particular to them. `npm run lint:api` holds the document to Spectral's and Redocly's rules.
 */
export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, OPTIONS);
  await app.register(swaggerUi, { routePrefix: '/docs' });
  registerAsyncApi(app);
}

const BEARER = { bearer: [] };
const COOKIE = { cookie: [] };

const OPTIONS: FastifyDynamicSwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'Zhihui 指挥 API',
      description:
        'City-management enforcement command and dispatch. Every error answers an ErrorResponse: branch on its `code`, show its `message`. ' +
        'Live updates come over socket.io on the same origin: their AsyncAPI 3.0 document is /docs/asyncapi.json.',
      version: '0.2.0',
      license: { name: 'MIT', identifier: 'MIT' },
      contact: API_CONTACT,
    },
    // the API is served by the same origin as the console (and this document)
    servers: [{ url: '/', description: 'the server that serves this document' }],
    tags: [
      { name: 'cases', description: 'the case loop (案件): intake, every step, its events and photos' },
      {
        name: 'buildings',
        description:
          '违法建设治理: the illegal-building register as a workflow, its stage steps, the cases joined to it, patrol inspections (巡查) and their photos',
      },
      { name: 'dispatch', description: 'whom to send: recommendations and the squad board' },
      { name: 'live', description: 'officers in the field: their own record, position and duty; the event log for catching up' },
      { name: 'map', description: 'map layers: GeoJSON (WGS84) and vector tiles' },
      { name: 'leader', description: "the leader's view: heatmap, key areas, escalations, trends" },
      { name: 'auth', description: 'login, sessions and users' },
      {
        name: 'gis',
        description:
          "the city's geography (城市底图数据): import, check, preview and commit districts and the unit grid as versions; the cell in force at an instant",
      },
      { name: 'admin', description: 'administration (系统管理): squads, officers and their certificates, the holiday calendar, the change log' },
      { name: 'system', description: "health, the console's configuration, indicators (考核指标) and metrics" },
    ],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'the token from POST /api/auth/login' },
        cookie: {
          type: 'apiKey',
          in: 'cookie',
          name: TOKEN_COOKIE,
          description: 'the same token, set HTTP-only by POST /api/auth/login (the console uses it)',
        },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, for Prometheus' },
      },
    },
  },
  // shared schemas keep their $id as their name (#/components/schemas/ErrorResponse)
  refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  transform: ({ schema, url, route }) => ({ schema: describeOperation(route, url, (schema ?? {}) as Schema) as never, url }),
  transformObject: (document) => withUsedSchemesOnly(toJsonSchema2020('openapiObject' in document ? document.openapiObject : document.swaggerObject)) as never,
};

const Err = (description: string) => ({ $ref: 'ErrorResponse', description });
const codes = (...names: (keyof typeof ERROR_CODES)[]) => names.map((n) => `\`${n}\``).join(', ');

/** The error answers any route can give (server/http): those a route declares itself win. */
const COMMON_ERRORS = {
  400: Err(`the request is invalid; \`message\` names the field and what to do (${codes('VALIDATION_FAILED', 'MALFORMED_REQUEST', 'BAD_REQUEST')})`),
  401: Err(`no valid login: no token, a token that is not ours, a session that has ended (at login: a wrong login or password) (${codes('UNAUTHENTICATED')})`),
  403: Err(`your role or district may not do this (${codes('FORBIDDEN', 'STEP_NOT_ALLOWED')})`),
  429: Err(`too many requests; wait for Retry-After (${codes('RATE_LIMITED')})`),
  500: Err(`a fault of the server, logged with the request id (${codes('INTERNAL_ERROR')})`),
  503: Err(`the database is unavailable or the server overloaded; retry after Retry-After (${codes('DATABASE_UNAVAILABLE', 'UNAVAILABLE')})`),
} as const;

const DESCRIPTIONS: Record<string, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  ...Object.fromEntries(Object.entries(COMMON_ERRORS).map(([status, r]) => [status, r.description])),
  404: `no such record that you can see (${codes('NOT_FOUND')})`,
  409: `clashes with the current state (${codes('CONFLICT', 'STEP_NOT_ALLOWED')})`,
  413: `too large (${codes('PAYLOAD_TOO_LARGE')})`,
  415: `not a media type this route takes (${codes('UNSUPPORTED_MEDIA_TYPE')})`,
  422: `understood, but the rules refuse it (${codes('UNPROCESSABLE')})`,
};

/** Routes outside /api with a login of their own. */
const OWN_SECURITY: Record<string, Security> = { '/metrics': [{ metricsToken: [] }] };

function describeOperation(route: RouteOptions, url: string, schema: Schema): Schema {
  const method = [route.method].flat()[0]!;
  // written by the auth plugin on every /api route
  const access = schema['x-access'] as Pick<RouteAccess, 'public'> | undefined;
  const api = url.startsWith('/api/');
  const guarded = api && !route.config?.public && !access?.public;
  // config.public: no login at all; requires(…, { public: true }): a login only narrows what is seen
  const security: Security | undefined = !api ? OWN_SECURITY[url] : guarded ? [BEARER, COOKIE] : route.config?.public ? [] : [{}, BEARER, COOKIE];
  const common = api
    ? {
        400: COMMON_ERRORS[400],
        ...(guarded ? { 401: COMMON_ERRORS[401], 403: COMMON_ERRORS[403] } : {}),
        429: COMMON_ERRORS[429],
        500: COMMON_ERRORS[500],
        503: COMMON_ERRORS[503],
      }
    : {};
  const responses: Record<string, Schema> = { ...common };
  for (const [status, response] of Object.entries((schema.response ?? {}) as Record<string, Schema>)) {
    responses[status] = response.description || !DESCRIPTIONS[status] ? response : { ...response, description: DESCRIPTIONS[status] };
  }
  return {
    ...schema,
    operationId: schema.operationId ?? operationId(method, route.url ?? url),
    ...(security ? { security } : {}),
    response: responses,
  };
}

/** The metrics scheme is there only when METRICS_TOKEN (and so GET /metrics) is. */
function withUsedSchemesOnly<T>(doc: T): T {
  const d = doc as { paths?: Record<string, Record<string, { security?: Security }>>; components?: { securitySchemes?: Record<string, unknown> } };
  const schemes = d.components?.securitySchemes;
  if (!schemes) return doc;
  const used = new Set(
    Object.values(d.paths ?? {})
      .flatMap((item) => Object.values(item))
      .flatMap((op) => op.security ?? [])
      .flatMap((s) => Object.keys(s)),
  );
  for (const name of Object.keys(schemes)) if (!used.has(name)) delete schemes[name];
  return doc;
}

/**
 * TypeBox writes a tuple as draft-07 does (`items: [..]`, `additionalItems`), which ajv validates; JSON
 * Schema 2020-12 says `prefixItems`. A closed tuple of one type ([lon, lat]) reads best, for linters
 * and client generators alike, as an array of exactly n of that type.
 */
function toJsonSchema2020<T>(value: T): T {
  if (Array.isArray(value)) return value.map(toJsonSchema2020) as T;
  if (!value || typeof value !== 'object') return value;
  const out: Schema = {};
  for (const [k, v] of Object.entries(value)) out[k] = toJsonSchema2020(v);
  if (out.type === 'array' && Array.isArray(out.items)) {
    const members = out.items as Schema[];
    const closed = out.additionalItems === false;
    delete out.additionalItems;
    if (closed) out.maxItems ??= members.length;
    if (closed && members.every((m) => JSON.stringify(m) === JSON.stringify(members[0]))) {
      out.items = members[0] ?? {};
    } else {
      out.prefixItems = members;
      // past the prefix: nothing when closed (`{ not: {} }` is `false`, which some linters cannot read)
      out.items = closed ? { not: {} } : {};
    }
  }
  return out as T;
}

import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { codedError, type ErrorCode, errorCode } from './error-codes.ts';
import { errorBody } from './errors.ts';

/**
 * What every route gets before its own code runs, so a hostile or broken client is answered 4xx with a
 * message that names the field, and nothing it sends reaches the database in a form PostgreSQL refuses
 * (a 500) or silently changes (stored other than byte-exact):
 *
 * - JSON bodies are parsed here: not UTF-8, not JSON, or with a `__proto__` / `constructor` key → 400;
 * - bodies are validated without type coercion (`lon: null` is not 0); params, query and headers are
 *   text on the wire and keep ajv's coercion, but a number must come out finite ("1e400" is refused);
 * - a /api route without a querystring schema refuses query parameters, like the routes that have one;
 * - no text anywhere (params, query, body, the headers a route declares, and object keys) may hold a NUL
 *   character or an unpaired UTF-16 surrogate: PostgreSQL refuses the first in text and jsonb, and the
 *   second is stored as U+FFFD in text and refused in jsonb;
 * - a URL the router cannot read (not UTF-8, a path segment over 100 characters) is answered briefly
 *   (`frameworkError`, passed to Fastify's `frameworkErrors` option).
 *
 * Ids and numbers are bounded by their columns in the schemas themselves (shared/id-schemas.ts).
 */
export function registerInputGuards(app: FastifyInstance): void {
  registerValidators(app);
  registerJsonParser(app);
  app.addHook('onRoute', closeQueryString);
  app.addHook('preValidation', async (req: FastifyRequest) => {
    const problem =
      textProblem('params', req.params) ??
      queryEncodingProblem(req.raw.url ?? '') ??
      textProblem('querystring', req.query) ??
      textProblem('body', req.body) ??
      textProblem('headers', declaredHeaders(req));
    if (problem) throw invalid(problem);
  });
}

// text the schema cannot see (NUL, surrogates) is refused like a schema error; a body that is not JSON is unreadable
const invalid = (message: string) => codedError(400, 'VALIDATION_FAILED', message);
const malformed = (message: string) => codedError(400, 'MALFORMED_REQUEST', message);

/**
 * Fastify's own answers for a URL it cannot route (the `frameworkErrors` option): short, and saying
 * what to fix, instead of the whole URL echoed back.
 */
export function frameworkError(error: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const answer = (statusCode: number, code: ErrorCode, message: string) => void reply.code(statusCode).send(errorBody(statusCode, code, message));
  if (error.code === 'FST_ERR_BAD_URL') {
    return answer(
      400,
      'MALFORMED_REQUEST',
      'the URL is not valid: a percent-escape in its path is not UTF-8 text (e.g. %FF, or an encoded lone surrogate %ED%A0%80); percent-encode the path as UTF-8',
    );
  }
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return answer(414, 'URI_TOO_LONG', 'a segment of the URL path is longer than 100 characters; no id, code or name in a path is that long');
  }
  const status = error.statusCode ?? 400;
  return answer(status, errorCode(error, status), error.message);
}

// ---------------------------------------------------------------------------------------------------
// Validation: two ajv instances with the options Fastify's own compiler uses, bodies without coercion.

const AJV_OPTIONS: Options = {
  // Unknown fields are refused with a 400 rather than silently dropped (schemas say additionalProperties: false).
  removeAdditional: false,
  useDefaults: true,
  // as @fastify/ajv-compiler: a schema with an $id may be compiled again for another route
  addUsedSchema: false,
  // one error is enough to say what to fix, and allErrors opens a denial of service
  allErrors: false,
};

function registerValidators(app: FastifyInstance): void {
  const body = addFormats(new Ajv({ ...AJV_OPTIONS, coerceTypes: false }));
  // params, querystring and headers arrive as text: "12" is 12, "true" is true, one value is a one-item array
  const text = addFormats(new Ajv({ ...AJV_OPTIONS, coerceTypes: 'array' }));
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? body : text;
    // shared schemas (app.addSchema) resolve by $id, as with Fastify's default compiler
    for (const shared of Object.values(app.getSchemas()) as { $id?: string }[]) {
      if (shared.$id && !ajv.getSchema(shared.$id)) ajv.addSchema(shared);
    }
    const id = (schema as { $id?: string }).$id;
    const validate = (id ? ajv.getSchema(id) : undefined) ?? ajv.compile(schema as object);
    return httpPart === 'body' ? validate : finiteAfterCoercion(validate);
  });
}

/**
 * ajv coerces the text "1e400" to Infinity and then skips minimum / maximum (they only look at finite
 * numbers), so a coerced value is checked again here.
 */
function finiteAfterCoercion(validate: ValidateFunction): ValidateFunction {
  const checked = ((data: unknown) => {
    if (!validate(data)) {
      checked.errors = validate.errors;
      return false;
    }
    const at = nonFinite(data);
    checked.errors =
      at === null
        ? null
        : [
            {
              instancePath: at,
              schemaPath: '#',
              keyword: 'type',
              params: {},
              message: 'must be a finite number; this one is too large or too small to be one',
            },
          ];
    return at === null;
  }) as ValidateFunction;
  return checked;
}

function nonFinite(data: unknown): string | null {
  if (data === null || typeof data !== 'object') return null;
  for (const [k, v] of Object.entries(data)) {
    for (const [i, x] of (Array.isArray(v) ? v : [v]).entries()) {
      if (typeof x === 'number' && !Number.isFinite(x)) return Array.isArray(v) ? `/${k}/${i}` : `/${k}`;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// JSON bodies.

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor']);

function registerJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, raw, done) => {
    const buf = raw as Buffer;
    if (buf.length === 0) return done(malformed('the body is empty but Content-Type is application/json: send a JSON object, or no Content-Type'), undefined);
    let text: string;
    try {
      text = UTF8.decode(buf);
    } catch {
      return done(malformed('the body is not valid UTF-8: send JSON text encoded as UTF-8'), undefined);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return done(malformed(`the body is not valid JSON (${(err as Error).message}); send a JSON object`), undefined);
    }
    const key = forbiddenKey(value);
    if (key) {
      return done(malformed(`${key.where} has the key "${key.key}": keys "__proto__" and "constructor" are not allowed in a JSON body; remove it`), undefined);
    }
    done(null, value);
  });
}

/** The first `__proto__` or `constructor` key anywhere in a parsed JSON value (walked without recursion). */
function forbiddenKey(value: unknown): { where: string; key: string } | null {
  const stack: [unknown, string][] = [[value, 'body']];
  while (stack.length) {
    const [v, where] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${where}.${i}`]);
      continue;
    }
    for (const k of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(k)) return { where, key: k };
      stack.push([(v as Record<string, unknown>)[k], `${where}.${k}`]);
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Query parameters a route does not declare.

function closeQueryString(route: RouteOptions): void {
  if (!route.url.startsWith('/api/')) return;
  const schema = (route.schema ??= {}) as Record<string, unknown>;
  schema.querystring ??= { type: 'object', properties: {}, additionalProperties: false };
}

// ---------------------------------------------------------------------------------------------------
// Text: NUL characters and unpaired surrogates.

/**
 * A query value whose percent-escapes are not UTF-8 (%FF, an encoded lone surrogate %ED%A0%80): the
 * query parser would quietly turn it into U+FFFD and a free-text parameter would store that.
 */
export function queryEncodingProblem(url: string): string | null {
  const q = url.indexOf('?');
  if (q < 0) return null;
  for (const pair of url.slice(q + 1).split('&')) {
    const [key = '', value = ''] = pair.split('=', 2);
    for (const [part, text] of [
      ['name', key],
      ['value', value],
    ] as const) {
      try {
        decodeURIComponent(text.replace(/\+/g, ' '));
      } catch {
        const name = (() => {
          try {
            return decodeURIComponent(key);
          } catch {
            return 'a parameter';
          }
        })();
        return `querystring/${name} ${part === 'name' ? 'name' : ''} is not UTF-8 text (a percent-escape such as %FF or an encoded lone surrogate %ED%A0%80); percent-encode it as UTF-8`.replace(
          '  ',
          ' ',
        );
      }
    }
  }
  return null;
}

const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** What is wrong with the text in `value` (strings and object keys, at any depth), or null. */
export function textProblem(part: string, value: unknown): string | null {
  const stack: [unknown, string][] = [[value, part]];
  while (stack.length) {
    const [v, where] = stack.pop()!;
    if (typeof v === 'string') {
      const p = stringProblem(v);
      if (p) return `${where} ${p}`;
      continue;
    }
    if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${where}.${i}`]);
      continue;
    }
    for (const k of Object.keys(v)) {
      const p = stringProblem(k);
      if (p) return `${where} has a key that ${p}`;
      stack.push([(v as Record<string, unknown>)[k], `${where}.${k}`]);
    }
  }
  return null;
}

function stringProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'contains a NUL character (\\u0000); remove it';
  if (!isWellFormed(s)) return 'contains an unpaired UTF-16 surrogate (half of a character, e.g. \\ud800); send well-formed Unicode text';
  return null;
}

/** The headers the route's schema names (Idempotency-Key…): those reach the database. */
function declaredHeaders(req: FastifyRequest): Record<string, unknown> | undefined {
  const schema = req.routeOptions.schema?.headers as { properties?: Record<string, unknown> } | undefined;
  if (!schema?.properties) return undefined;
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(schema.properties)) {
    const v = req.headers[name.toLowerCase()];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

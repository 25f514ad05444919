// A hostile client, driven by the OpenAPI document: every route, every path / query / header / body
// field, sent out-of-range numbers, wrong types, NUL characters, unpaired surrogates, 1 MB strings,
// unknown and __proto__ keys. Every answer must be a 4xx with a JSON `message` (a GET still valid after
// the corruption may answer 2xx), never a 5xx, and no row of any table may change. A new route is walked
// without editing this file.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testApp } from '../support/app.ts';
import { login, type Session } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';

type Schema = Record<string, any>;
type Loc = 'path' | 'query' | 'header' | 'body';

interface Operation {
  method: string;
  path: string;
  name: string;
  params: { in: Exclude<Loc, 'body'>; name: string; required: boolean; schema: Schema }[];
  body: Schema | null;
  role: string;
  /** answers without a login (x-access.public, or no access record at all) */
  open: boolean;
  validate: Record<Loc, ValidateFunction | null>;
}

/** A request as sent: path values and query pairs already percent-encoded, the body as JSON text (or bytes). */
interface Shape {
  path: Record<string, string>;
  query: [string, string][];
  headers: Record<string, string>;
  body: string | Buffer | null;
}

interface Probe {
  label: string;
  shape: Shape;
  /** must be refused whatever the schema says (NUL, surrogates, __proto__, not JSON…) */
  forced: boolean;
  /** a path parameter set to an id no row can have (past int4): sent to writes too, even when valid */
  unknownId: boolean;
  /** the field corrupted, which a 400 must name */
  field: string | null;
}

const db = testDatabase();
let app: FastifyInstance;
const sessions = new Map<string, Session>();
const ROLES = ['admin', 'dispatcher', 'supervisor', 'leader', 'officer'];

beforeAll(async () => {
  app = await testApp(db);
  // once per role: the server throttles logins and keeps sessions
  for (const role of ROLES) sessions.set(role, await login(app, role));
});
afterAll(async () => {
  await app.close();
  await db.close();
});

// ---------------------------------------------------------------------------------------------------
// The server's view of a request, to tell a corruption that is still valid from one that is not.

const ajvOptions = { strict: false, removeAdditional: false, useDefaults: true, allErrors: false } as const;
const ajvBody = addFormats(new Ajv({ ...ajvOptions, coerceTypes: false }));
const ajvText = addFormats(new Ajv({ ...ajvOptions, coerceTypes: 'array' }));

function operations(doc: Schema): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<Schema>(doc.paths)) {
    for (const [method, op] of Object.entries<Schema>(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      // the document keeps a parameter's description and example beside its schema
      const params = (op.parameters ?? []).map((p: Schema) => ({
        in: p.in,
        name: p.name,
        required: Boolean(p.required),
        schema: { ...p.schema, ...(p.example !== undefined ? { examples: [p.example] } : {}), description: p.description ?? p.schema?.description },
      }));
      const body = op.requestBody?.content?.['application/json']?.schema ?? null;
      const access = op['x-access'] as { roles?: string[]; public?: boolean } | undefined;
      const roles = access?.roles?.length ? access.roles : ['admin'];
      const part = (loc: Exclude<Loc, 'body'>) => {
        const ps = params.filter((p: { in: string }) => p.in === loc);
        // query and path are closed: a parameter the route does not declare is refused
        return ajvText.compile({
          type: 'object',
          additionalProperties: loc === 'header',
          properties: Object.fromEntries(ps.map((p: { name: string; schema: Schema }) => [p.name, p.schema])),
          required: ps.filter((p: { required: boolean }) => p.required).map((p: { name: string }) => p.name),
        });
      };
      ops.push({
        method: method.toUpperCase(),
        path,
        name: `${method.toUpperCase()} ${path}`,
        params,
        body,
        role: roles.includes('admin') ? 'admin' : roles[0]!,
        open: !access || access.public === true,
        validate: { path: part('path'), query: part('query'), header: part('header'), body: body ? ajvBody.compile(body) : null },
      });
    }
  }
  return ops;
}

/** Whether the server would find `shape` valid for `op`, or null when it cannot even be read (bad URL, not JSON). */
function schemaValid(op: Operation, shape: Shape): boolean | null {
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return null;
    }
  };
  const path: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(shape.path)) {
    const d = decode(v);
    if (d === null) return null;
    path[k] = d;
  }
  const pairs = new Map<string, unknown>();
  for (const [k, v] of shape.query) {
    const key = decode(k) ?? k;
    const value = decode(v) ?? v; // the query parser keeps what it cannot decode as it came
    pairs.set(key, pairs.has(key) ? [pairs.get(key), value].flat() : value);
  }
  const query = Object.fromEntries(pairs); // own keys, __proto__ and constructor included
  if (!op.validate.path!(structuredClone(path)) || !op.validate.query!(structuredClone(query)) || !op.validate.header!(structuredClone(shape.headers)))
    return false;
  if (op.validate.body && shape.body !== null) {
    if (Buffer.isBuffer(shape.body)) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(shape.body);
    } catch {
      return null;
    }
    if (!op.validate.body(parsed)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------
// A valid request to start from, one field corrupted at a time.

const today = () => new Date().toISOString().slice(0, 10);
const PATTERN_SAMPLES = ['0501', '510104', 'hostile_probe', 'abc', 'x', '0', 'A-1', '000000000000000'];

function sample(s: Schema, name = ''): unknown {
  if (!s || typeof s !== 'object') return null;
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if (s.example !== undefined) return s.example;
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  for (const k of ['anyOf', 'oneOf']) {
    if (Array.isArray(s[k])) return sample(s[k].find((x: Schema) => x.type !== 'null') ?? s[k][0], name);
  }
  if (Array.isArray(s.allOf)) return Object.assign({}, ...s.allOf.map((x: Schema) => sample(x, name)));
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'string': {
      if (s.format === 'date-time') return new Date(Date.now() - 60_000).toISOString();
      if (s.format === 'date') return today();
      const fits = (c: string) => c.length >= (s.minLength ?? 0) && c.length <= (s.maxLength ?? Infinity) && (!s.pattern || new RegExp(s.pattern, 'u').test(c));
      // a period bound described in words (ISO 8601): a week ago to now
      if (!s.pattern && /ISO 8601/.test(s.description ?? ''))
        return name === 'to' ? new Date().toISOString() : new Date(Date.now() - 7 * 86_400_000).toISOString();
      return PATTERN_SAMPLES.find(fits) ?? 'x'.repeat(Math.max(1, s.minLength ?? 1));
    }
    case 'integer':
    case 'number': {
      let v = s.minimum ?? (s.exclusiveMinimum !== undefined ? Math.floor(s.exclusiveMinimum) + 1 : 1);
      if (s.maximum !== undefined) v = Math.min(v, s.maximum);
      return v;
    }
    case 'boolean':
      return false;
    case 'array':
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sample(s.items ?? {}, name));
    case 'object':
    default: {
      const out: Record<string, unknown> = {};
      for (const k of s.required ?? []) out[k] = sample(s.properties?.[k] ?? {}, k);
      for (const k of Object.keys(s.properties ?? {})) {
        if (Object.keys(out).length >= (s.minProperties ?? 0)) break;
        out[k] ??= sample(s.properties[k], k);
      }
      return out;
    }
  }
}

/** Body fields to corrupt: every property at any depth (3 levels), and the first item of every array. */
function bodyFields(s: Schema, at: (string | number)[] = [], depth = 0): { at: (string | number)[]; schema: Schema }[] {
  if (!s || depth > 3) return [];
  const alt = s.anyOf?.find((x: Schema) => x.type !== 'null') ?? s.oneOf?.find((x: Schema) => x.type !== 'null') ?? s;
  const out: { at: (string | number)[]; schema: Schema }[] = [];
  if (at.length) out.push({ at, schema: alt });
  for (const [k, v] of Object.entries<Schema>(alt.properties ?? {})) out.push(...bodyFields(v, [...at, k], depth + 1));
  if (alt.type === 'array' && alt.items) out.push(...bodyFields(alt.items, [...at, 0], depth + 1));
  return out;
}

/** Raw JSON text spliced into a body where this marker stands (numbers JSON.stringify cannot write, deep nesting). */
class Raw {
  constructor(readonly text: string) {}
}
const DEEP = 10_000;
const MEGA = 'a'.repeat(1_000_000);
/**
 * Path, query and headers are capped by Node's HTTP parser (16 KB for the request line and headers,
 * answered 431 before Fastify sees them): there a "long string" is as long as an HTTP request can carry.
 */
const URL_LONG = 'a'.repeat(15_000);

/** The corruptions: a label, the value (a JS value, or Raw JSON text), and whether it must be refused whatever the schema. */
const VALUES: [string, unknown, boolean][] = [
  ['2^31', 2 ** 31, false],
  ['2^63', 2 ** 63, false],
  ['1e20', 1e20, false],
  ['1e308', 1e308, false],
  ['-1', -1, false],
  ['1.5', 1.5, false],
  ['0', 0, false],
  ['1e400 (Infinity)', new Raw('1e400'), false],
  ['-1e400', new Raw('-1e400'), false],
  ['string', 'abc', false],
  ['numeric string', '12', false],
  ['empty string', '', false],
  ['object', { a: 1 }, false],
  ['array', [1, 2], false],
  ['empty array', [], false],
  ['null', null, false],
  ['boolean', true, false],
  ['NUL', 'a\u0000b', true],
  ['lone high surrogate', '\ud800x', true],
  ['lone low surrogate', 'x\udc00', true],
  ['1 MB string (15 KB in a URL or header)', MEGA, false],
  [`${DEEP}-deep array`, new Raw(`${'['.repeat(DEEP)}${']'.repeat(DEEP)}`), false],
];

function bodyText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_k, v) => {
    if (v instanceof Raw) {
      raws.push(v.text);
      return `\u0001RAW${raws.length - 1}\u0001`;
    }
    return v;
  });
  return text.replace(/"\\u0001RAW(\d+)\\u0001"/g, (_m, i) => raws[Number(i)]!);
}

function setAt(target: Record<string, any>, at: (string | number)[], value: unknown): void {
  let cur: any = target;
  for (let i = 0; i < at.length - 1; i++) {
    const k = at[i]!;
    if (cur[k] === undefined || cur[k] === null || typeof cur[k] !== 'object') cur[k] = typeof at[i + 1] === 'number' ? [] : {};
    cur = cur[k];
  }
  cur[at[at.length - 1]!] = value;
}

/** A value as it can travel in a path segment, a query value or a header: percent-encoded text. */
function asText(value: unknown): string[] {
  if (value === MEGA) return [URL_LONG];
  if (value instanceof Raw) return value.text.length > 100 ? [] : [value.text];
  if (value === null) return [''];
  if (Array.isArray(value)) return value.length ? value.map(String) : [];
  if (typeof value === 'object') return ['[object Object]'];
  return [String(value)];
}
const wellFormed = (s: string) => (s as unknown as { isWellFormed(): boolean }).isWellFormed();
// a lone surrogate cannot be percent-encoded: send the bytes UTF-8 would give it (not valid UTF-8)
const encode = (s: string) => (wellFormed(s) ? encodeURIComponent(s) : [...s].map((c) => (wellFormed(c) ? encodeURIComponent(c) : '%ED%A0%80')).join(''));

function probes(op: Operation): { base: Shape; list: Probe[] } {
  const base: Shape = { path: {}, query: [], headers: {}, body: null };
  for (const p of op.params) {
    if (p.in === 'path') base.path[p.name] = encode(String(sample(p.schema, p.name)));
    else if (p.in === 'query' && p.required) base.query.push([p.name, encode(String(sample(p.schema, p.name)))]);
  }
  const baseBody = op.body ? sample(op.body) : null;
  if (op.body) base.body = bodyText(baseBody);
  const out: Probe[] = [];
  const add = (label: string, change: (s: Shape) => void, forced: boolean, unknownId = false, field: string | null = null) => {
    const shape: Shape = { path: { ...base.path }, query: [...base.query], headers: { ...base.headers }, body: base.body };
    change(shape);
    out.push({ label, shape, forced, unknownId, field });
  };

  for (const p of op.params) {
    for (const [label, value, forced] of VALUES) {
      if (p.in === 'path') {
        const texts = asText(value);
        if (texts.length === 0 && !Array.isArray(value)) continue;
        const text = texts.join(',');
        // a lone surrogate travels as bytes that are not UTF-8: the URL is refused before it is routed, so before any field is named
        const routed = !/surrogate/.test(label);
        add(
          `path ${p.name} = ${label}`,
          (s) => void (s.path[p.name] = encode(text)),
          forced,
          typeof value === 'number' && value > 2 ** 31 - 1,
          routed ? p.name : null,
        );
        if (label === 'lone high surrogate') add(`path ${p.name} = invalid UTF-8`, (s) => void (s.path[p.name] = '%FF%FE'), true);
      } else if (p.in === 'query') {
        if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Raw)) {
          add(`query ${p.name} = ${label}`, (s) => void (s.query = [...s.query.filter(([k]) => k !== p.name), [`${p.name}[a]`, '1']]), true, false, p.name);
          continue;
        }
        const texts = asText(value);
        if (value instanceof Raw && texts.length === 0) continue;
        add(
          `query ${p.name} = ${label}`,
          (s) => void (s.query = [...s.query.filter(([k]) => k !== p.name), ...texts.map((t): [string, string] => [p.name, encode(t)])]),
          forced,
          false,
          p.name,
        );
      } else if (p.in === 'header') {
        if (typeof value !== 'string' && typeof value !== 'number') continue;
        add(`header ${p.name} = ${label}`, (s) => void (s.headers[p.name] = value === MEGA ? URL_LONG : String(value)), forced, false, p.name);
      }
    }
  }
  add('query: unknown key', (s) => void s.query.push(['hostileUnknown', '1']), false);
  add('query: __proto__ key', (s) => void s.query.push(['__proto__', '1']), false);
  add('query: constructor key', (s) => void s.query.push(['constructor', '1']), false);
  add('query: key with NUL', (s) => void s.query.push(['a%00b', '1']), true);

  if (op.body) {
    for (const f of bodyFields(op.body)) {
      for (const [label, value, forced] of VALUES) {
        const body = structuredClone(baseBody) as Record<string, unknown>;
        setAt(body, f.at, value);
        add(
          `body.${f.at.join('.')} = ${label}`,
          (s) => void (s.body = bodyText(body)),
          forced,
          false,
          String(f.at.filter((k) => typeof k === 'string').at(-1)),
        );
      }
    }
    const obj = baseBody && typeof baseBody === 'object' && !Array.isArray(baseBody) ? (baseBody as Record<string, unknown>) : {};
    const rest = JSON.stringify(obj).slice(1);
    const splice = (prefix: string) => `{${prefix}${rest === '}' ? '}' : `,${rest}`}`;
    add('body: unknown key', (s) => void (s.body = bodyText({ ...obj, hostileUnknown: 1 })), false);
    add('body: __proto__ key', (s) => void (s.body = splice('"__proto__":{"polluted":true}')), true);
    add('body: __proto__ key (empty object)', (s) => void (s.body = splice('"__proto__":{}')), true);
    add('body: constructor.prototype key', (s) => void (s.body = splice('"constructor":{"prototype":{"polluted":true}}')), true);
    add('body: key with NUL', (s) => void (s.body = splice('"a\\u0000b":1')), true);
    add('body: key with lone surrogate', (s) => void (s.body = splice('"a\\ud800":1')), true);
    add('body: not valid UTF-8', (s) => void (s.body = Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')])), true);
    add('body: not JSON', (s) => void (s.body = '{"a":'), true);
    add('body: empty', (s) => void (s.body = ''), true);
    for (const [label, v] of [
      ['null', 'null'],
      ['array', '[]'],
      ['string', '"x"'],
      ['number', '1'],
      ['deep array', `${'['.repeat(DEEP)}${']'.repeat(DEEP)}`],
    ] as const) {
      add(`body: top-level ${label}`, (s) => void (s.body = v), false);
    }
    add('body: over the body limit (1.1 MB)', (s) => void (s.body = bodyText({ ...obj, hostileUnknown: 'a'.repeat(1_100_000) })), false);
  }
  return { base, list: out };
}

function urlOf(op: Operation, shape: Shape): string {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => shape.path[name] ?? '');
  return shape.query.length ? `${path}?${shape.query.map(([k, v]) => `${k}=${v}`).join('&')}` : path;
}

// ---------------------------------------------------------------------------------------------------

async function snapshot(): Promise<Map<string, string>> {
  const tables = (
    await db.pool.query<{ t: string }>(`
    SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`)
  ).rows.map((r) => r.t);
  const out = new Map<string, string>();
  for (const t of tables) {
    const r = await db.pool.query<{ n: string; h: string | null }>(`SELECT count(*) AS n, sum(hashtext(t::text)) AS h FROM "${t}" t`);
    out.set(t, `${r.rows[0]!.n}:${r.rows[0]!.h}`);
  }
  return out;
}

describe(`a hostile client walking the OpenAPI document (${inject('databaseMode')} database)`, () => {
  let doc: Schema;
  beforeAll(async () => {
    doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
  });

  it('every input in the document is bounded: strings have a maxLength, numbers a maximum', () => {
    const loose: string[] = [];
    const walk = (s: Schema | undefined, where: string) => {
      if (!s || typeof s !== 'object') return;
      const types = [s.type].flat();
      if (types.includes('string') && s.maxLength === undefined && s.enum === undefined && s.const === undefined)
        loose.push(`${where}: string without maxLength`);
      if ((types.includes('integer') || types.includes('number')) && s.maximum === undefined && s.exclusiveMaximum === undefined && s.enum === undefined)
        loose.push(`${where}: number without maximum`);
      for (const k of ['anyOf', 'oneOf', 'allOf']) (s[k] ?? []).forEach((x: Schema) => walk(x, where));
      for (const [k, v] of Object.entries<Schema>(s.properties ?? {})) walk(v, `${where}.${k}`);
      if (s.items) walk(s.items, `${where}[]`);
    };
    for (const op of operations(doc)) {
      for (const p of op.params) walk(p.schema, `${op.name} ${p.in} ${p.name}`);
      walk(op.body ?? undefined, `${op.name} body`);
    }
    expect(loose).toEqual([]);
  });

  it('answers every corrupted request with a 4xx that says what is wrong, never a 5xx, and changes nothing', { timeout: 240_000 }, async () => {
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThan(40);
    const before = await snapshot();
    const byStatus = { role: new Map<number, number>(), anonymous: new Map<number, number>() };
    const failures: string[] = [];
    let tried = 0;
    let skipped = 0;
    const started = performance.now();
    for (const op of ops) {
      let sent = 0;
      const { base, list } = probes(op);
      // the request every probe corrupts must itself pass the schema, so each probe tests one thing
      if (schemaValid(op, base) !== true) failures.push(`${op.name}: the walker's base request is not valid: ${JSON.stringify(base).slice(0, 300)}`);
      for (const probe of list) {
        const valid = probe.forced ? false : schemaValid(op, probe.shape);
        // a corruption the schema still accepts is a valid request: only reads (and unknown ids) are sent
        if (valid === true && op.method !== 'GET' && !probe.unknownId) {
          skipped++;
          continue;
        }
        // anonymously: every probe where no login is needed; elsewhere the ones that must be refused whatever the schema
        for (const as of op.open || probe.forced ? [op.role, null] : [op.role]) {
          const session = as ? sessions.get(as)! : null;
          const headers: Record<string, string> = { ...probe.shape.headers };
          if (session) headers.authorization = `Bearer ${session.token}`;
          if (probe.shape.body !== null) headers['content-type'] = 'application/json';
          const res = await app.inject({ method: op.method as 'GET', url: urlOf(op, probe.shape), headers, payload: probe.shape.body ?? undefined });
          tried++;
          sent++;
          const counts = as ? byStatus.role : byStatus.anonymous;
          counts.set(res.statusCode, (counts.get(res.statusCode) ?? 0) + 1);
          const who = as ?? 'anonymous';
          let message: unknown;
          try {
            message = res.json().message;
          } catch {
            message = undefined;
          }
          if (res.statusCode >= 500) failures.push(`${op.name} [${probe.label}] as ${who}: ${res.statusCode} ${res.body.slice(0, 200)}`);
          else if (res.statusCode >= 400 && (typeof message !== 'string' || message.length === 0))
            failures.push(`${op.name} [${probe.label}] as ${who}: ${res.statusCode} without a JSON message: ${res.body.slice(0, 200)}`);
          else if (res.statusCode === 400 && probe.field && !String(message).includes(probe.field))
            failures.push(`${op.name} [${probe.label}] as ${who}: the 400 does not name ${probe.field}: ${String(message).slice(0, 200)}`);
          else if (res.statusCode < 400 && valid !== true)
            failures.push(`${op.name} [${probe.label}] as ${who}: accepted (${res.statusCode}) although invalid`);
          else if (res.statusCode < 400 && op.method !== 'GET' && !probe.unknownId)
            failures.push(`${op.name} [${probe.label}] as ${who}: a write accepted (${res.statusCode})`);
        }
      }
      if (sent === 0) failures.push(`${op.name}: no request sent`);
    }
    const after = await snapshot();
    const changed = [...before.keys()].filter((t) => before.get(t) !== after.get(t));
    const statuses = (m: Map<number, number>) =>
      [...m.entries()]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(', ');
    console.log(
      `[hostile] ${inject('databaseMode')}: ${tried} requests over ${ops.length} operations in ${((performance.now() - started) / 1000).toFixed(1)} s ` +
        `(${skipped} corruptions still valid for a write were not sent); answers by status, as a role allowed to call the route: ${statuses(byStatus.role)}; ` +
        `anonymous: ${statuses(byStatus.anonymous)}; 5xx: ${failures.filter((f) => / 5\d\d /.test(f)).length}; tables changed: ${changed.length ? changed.join(', ') : 'none'} of ${before.size}`,
    );
    expect(failures.slice(0, 40)).toEqual([]);
    expect(changed).toEqual([]);
  });

  it('says which field is wrong and what to do about it', async () => {
    const as = (role: string | null) => (role ? { authorization: `Bearer ${sessions.get(role)!.token}` } : {});
    const send = async (role: string | null, method: 'GET' | 'POST', url: string, body?: string) => {
      const res = await app.inject({
        method,
        url,
        headers: { ...as(role), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        payload: body,
      });
      return { status: res.statusCode, message: String(res.json().message) };
    };
    const intake = { category: '0102', source: 'dispatcher', description: '敌对客户端', lon: 104.0817, lat: 30.6571 };
    const cases: [string | null, 'GET' | 'POST', string, string | undefined, number, RegExp][] = [
      // reachable without logging in
      [
        null,
        'POST',
        '/api/auth/login',
        JSON.stringify({ login: 'admin\u0000', password: 'x' }),
        400,
        /^body\.login contains a NUL character \(\\u0000\); remove it$/,
      ],
      [null, 'POST', '/api/auth/login', '{"login":"\\ud800x","password":"x"}', 400, /^body\.login contains an unpaired UTF-16 surrogate/],
      [
        null,
        'POST',
        '/api/auth/login',
        '{"__proto__":{"admin":true},"login":"admin","password":"x"}',
        400,
        /key "__proto__": keys "__proto__" and "constructor" are not allowed in a JSON body; remove it/,
      ],
      ['admin', 'POST', '/api/incidents', JSON.stringify({ ...intake, lon: null }), 400, /^body\.lon must be number$/],
      ['admin', 'POST', '/api/incidents', JSON.stringify({ ...intake, lat: '30.6571' }), 400, /^body\.lat must be number$/],
      [
        'admin',
        'POST',
        '/api/incidents',
        JSON.stringify({ ...intake, description: 'x\udc00' }),
        400,
        /^body\.description contains an unpaired UTF-16 surrogate/,
      ],
      [
        'admin',
        'POST',
        '/api/incidents',
        JSON.stringify({ ...intake, description: 'x'.repeat(1_000_000) }),
        400,
        /^body\.description must NOT have more than 2000 characters$/,
      ],
      ['admin', 'POST', '/api/incidents/1/merge', JSON.stringify({ intoId: 2 ** 63 }), 400, /^body\.intoId must be <= 9007199254740991$/],
      ['admin', 'POST', '/api/incidents/1/dispatch', JSON.stringify({ officerIds: [2 ** 31] }), 400, /^body\.officerIds\.0 must be <= 2147483647$/],
      ['officer', 'POST', '/api/incidents/1/handle', JSON.stringify({ evidenceIds: [1e20] }), 400, /^body\.evidenceIds\.0 must be <= 9007199254740991$/],
      [
        'admin',
        'POST',
        '/api/users',
        JSON.stringify({ login: 'hostile', password: 'long enough password 1', displayName: 'x', role: 'officer', officerId: 1e308 }),
        400,
        /^body\.officerId must be <= 2147483647/,
      ],
      ['admin', 'GET', '/api/incidents/9223372036854775808', undefined, 400, /^params\.id must be <= 9007199254740991$/],
      ['admin', 'GET', '/api/incidents/2147483648', undefined, 404, /no case 2147483648/],
      ['admin', 'GET', '/api/evidence/1e20', undefined, 400, /^params\.id must be <= 9007199254740991$/],
      ['admin', 'GET', '/api/incidents?afterId=1e308', undefined, 400, /^querystring\.afterId must be <= 9007199254740991$/],
      ['admin', 'GET', '/api/events?after=1e400', undefined, 400, /^querystring\.after must be a finite number/],
      ['admin', 'GET', '/api/events?after=0&since=1', undefined, 400, /^querystring: unknown field "since"; remove it$/],
      ['admin', 'GET', '/api/squads/board?x=1', undefined, 400, /^querystring: unknown field "x"; remove it$/],
      ['admin', 'GET', '/api/grid-cells?bbox=104%00', undefined, 400, /^querystring\.bbox contains a NUL character/],
    ];
    for (const [role, method, url, body, status, message] of cases) {
      const r = await send(role, method, url, body);
      expect({ url, body: body?.slice(0, 80), ...r }).toMatchObject({ status, message: expect.stringMatching(message) });
    }
  });

  it('stores every text it accepts byte-exact, in text and in jsonb', async () => {
    const admin = sessions.get('admin')!;
    const tricky = 'A😀 e\u0301 \ufeffBOM \u2028\u2029 \ufffd \u{10FFFF} \u0001\t\r\n 汉字 \\u0000 "quoted" \'\'';
    const res = await app.inject({
      method: 'POST',
      url: '/api/incidents',
      headers: { authorization: `Bearer ${admin.token}` },
      payload: { category: '0102', source: 'dispatcher', description: tricky, address: tricky.slice(0, 200), lon: 104.0817, lat: 30.6571 },
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().incident.id as number;
    expect(res.json().incident.description).toBe(tricky);
    const esc = await app.inject({
      method: 'POST',
      url: `/api/incidents/${id}/escalate`,
      headers: { authorization: `Bearer ${admin.token}` },
      payload: { reason: tricky.slice(0, 120) },
    });
    expect(esc.statusCode, esc.body).toBe(200);
    const row = (
      await db.pool.query<{ d: string; a: string; hex: string; reason: string }>(
        `
      SELECT i.description AS d, i.address AS a, encode(convert_to(i.description, 'UTF8'), 'hex') AS hex,
             (SELECT e.payload->>'reason' FROM incident_events e WHERE e.incident_id = i.id AND e.type = 'incident.escalated' ORDER BY seq DESC LIMIT 1) AS reason
      FROM incidents i WHERE i.id = $1`,
        [id],
      )
    ).rows[0]!;
    expect(row.d).toBe(tricky);
    expect(row.hex).toBe(Buffer.from(tricky, 'utf8').toString('hex'));
    expect(row.a).toBe(tricky.slice(0, 200));
    expect(row.reason).toBe(tricky.slice(0, 120));
  });
});

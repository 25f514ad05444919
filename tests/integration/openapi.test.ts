// The served API document as a client generator reads it: OpenAPI 3.1, every operation named (unique
// operationId), its security as the auth plugin really checks it, a success answer and the shared
// ErrorResponse for its errors. (Spectral and Redocly hold it to their rules: `npm run lint:api`.)
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EVENT_TYPES } from '#shared/cases/events.ts';
import { asyncApiDocument } from '../../server/docs/asyncapi.ts';
import { operationId } from '../../server/docs/operation-id.ts';
import { testApp } from '../support/app.ts';
import { testDatabase } from '../support/database.ts';

type Op = {
  operationId?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  responses: Record<string, { description: string; content?: Record<string, { schema: Record<string, unknown> }> }>;
  'x-access'?: { public: boolean; permission: string | null };
};
type Doc = {
  openapi: string;
  info: { contact?: unknown; description?: string };
  servers?: unknown[];
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, Op>>;
  components: Record<string, any>;
};

const db = testDatabase();
let app: FastifyInstance;
let doc: Doc;
let ops: { method: string; path: string; op: Op }[];

beforeAll(async () => {
  app = await testApp(db);
  doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
  ops = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const errorRef = '#/components/schemas/ErrorResponse';
const refOf = (r: Op['responses'][string]) => r.content?.['application/json']?.schema?.$ref;

/** The operation at `method` (lower case) `path`, as the document names them; the test fails if it is missing. */
function operation(method: string, path: string): Op {
  const op = doc.paths[path]?.[method];
  expect(op, `${method.toUpperCase()} ${path}`).toBeDefined();
  return op!;
}
/** The media types of an answer of an operation. */
const mediaTypes = (method: string, path: string, status = '200') => Object.keys(operation(method, path).responses[status]?.content ?? {});
/** Runs `check` on every operation, with `METHOD /path` to name it in failure messages. */
const eachOperation = (check: (where: string, op: Op) => void) => {
  for (const { method, path, op } of ops) check(`${method} ${path}`, op);
};

describe(`the API document (${inject('databaseMode')} database)`, () => {
  it('is OpenAPI 3.1 with a server and described tags', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers?.length).toBeGreaterThan(0);
    const used = new Set(ops.flatMap((o) => o.op.tags ?? []));
    for (const tag of used) expect(doc.tags.find((t) => t.name === tag)?.description, `tag ${tag}`).toBeTruthy();
  });

  it('names every operation once, readably', () => {
    expect(ops.length).toBeGreaterThan(40);
    const ids = ops.map((o) => o.op.operationId);
    for (const [i, id] of ids.entries()) expect(id, `${ops[i]!.method} ${ops[i]!.path}`).toMatch(/^[a-z][A-Za-z]+$/);
    expect(new Set(ids).size).toBe(ids.length);
    const named: [method: string, path: string, id: string][] = [
      ['get', '/api/incidents', 'listIncidents'],
      ['post', '/api/incidents', 'createIncident'],
      ['get', '/api/incidents/{id}', 'getIncident'],
      ['post', '/api/incidents/{id}/dispatch', 'dispatchIncident'],
      ['get', '/api/incidents/{id}/events', 'listIncidentEvents'],
      ['patch', '/api/users/{id}', 'updateUser'],
    ];
    for (const [method, path, id] of named) expect(operation(method, path).operationId).toBe(id);
  });

  it("derives a new route's name by the same rule", () => {
    const derived: [method: string, url: string, id: string][] = [
      ['GET', '/api/categories', 'listCategories'],
      ['POST', '/api/categories', 'createCategory'],
      ['DELETE', '/api/categories/:id', 'deleteCategory'],
      ['POST', '/api/illegal-buildings/:id/demolish', 'demolishIllegalBuilding'],
      ['GET', '/api/squads/:id/officers', 'listSquadOfficers'],
    ];
    for (const [method, url, id] of derived) expect(operationId(method, url)).toBe(id);
  });

  it('declares the security each route checks: bearer or cookie, none on public routes, optional where a login only narrows', () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearer', 'cookie']);
    expect(doc.components.securitySchemes.cookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'zhihui_token' });
    eachOperation((where, op) => {
      expect(op.security, where).toBeDefined();
      if (!op['x-access']?.public) expect(op.security, where).toEqual([{ bearer: [] }, { cookie: [] }]);
      else expect(op.security!.length === 0 || op.security!.some((s) => Object.keys(s).length === 0), where).toBe(true);
    });
    expect(operation('post', '/api/auth/login').security).toEqual([]);
    expect(operation('get', '/api/health').security).toEqual([]);
  });

  it('documents a success answer and the shared ErrorResponse for the errors of every operation', () => {
    eachOperation((where, op) => {
      const statuses = Object.keys(op.responses);
      expect(
        statuses.some((s) => s.startsWith('2')),
        `${where}: no success answer`,
      ).toBe(true);
      for (const s of ['400', '429', '500', '503']) expect(statuses, where).toContain(s);
      if (op.security?.length && !op.security.some((x) => Object.keys(x).length === 0)) expect(statuses, where).toEqual(expect.arrayContaining(['401', '403']));
      for (const s of statuses.filter((x) => x.startsWith('4'))) expect(refOf(op.responses[s]!), `${where} ${s}`).toBe(errorRef);
      for (const [s, r] of Object.entries(op.responses)) expect(r.description, `${where} ${s}`).not.toBe('Default Response');
    });
    expect(mediaTypes('get', '/api/evidence/{id}')).toContain('image/jpeg');
    expect(mediaTypes('get', '/api/indicators/export')).toEqual(expect.arrayContaining(['text/csv']));
  });

  it('describes every operation, and says whom to contact', () => {
    eachOperation((where, op) => expect(op.description?.trim(), where).toBeTruthy());
    expect(doc.info.contact).toBeDefined();
  });

  it('documents every event type with its own payload where events are answered', () => {
    for (const path of ['/api/events', '/api/incidents/{id}/events']) {
      const schema = operation('get', path).responses['200']!.content!['application/json']!.schema as any;
      const members = (path === '/api/events' ? schema.properties.events.items : schema.items).anyOf as any[];
      // the document writes a TypeBox literal as a one-value enum
      const typeOf = (m: any) => m.properties.type.const ?? m.properties.type.enum?.[0];
      expect(members.map(typeOf).sort(), path).toEqual([...EVENT_TYPES].sort());
      for (const m of members) expect(m.properties.payload.type ?? m.properties.payload.anyOf, `${path} ${typeOf(m)}`).toBeDefined();
    }
  });

  it('describes ErrorResponse with its codes and the steps allowed', () => {
    const schema = doc.components.schemas.ErrorResponse;
    expect(schema.required).toEqual(expect.arrayContaining(['statusCode', 'error', 'code', 'message']));
    expect(schema.properties.code.enum).toEqual(expect.arrayContaining(['VALIDATION_FAILED', 'UNAUTHENTICATED', 'STEP_NOT_ALLOWED', 'DATABASE_UNAVAILABLE']));
    expect(schema.properties.allowed.items.enum).toContain('dispatch');
  });

  it('speaks JSON Schema 2020-12: tuples as arrays of n items, no draft-07 array forms', () => {
    const text = JSON.stringify(doc);
    expect(text).not.toContain('"additionalItems"');
    const center = (operation('get', '/api/config').responses['200']!.content!['application/json']!.schema as any).properties.center;
    expect(center).toMatchObject({ type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 });
  });

  it('serves the AsyncAPI document of the live feed without a login, and points to it', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/asyncapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(asyncApiDocument());
    expect(doc.info.description).toContain('/docs/asyncapi.json');
  });
});

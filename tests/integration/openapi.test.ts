// The served API document as a client generator reads it: OpenAPI 3.1, every operation named (unique
// operationId), its security as the auth plugin really checks it, a success answer and the shared
// ErrorResponse for its errors. (Spectral and Redocly hold it to their rules: `npm run lint:api`.)
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { asyncApiDocument } from '../../server/docs/asyncapi.ts';
import { operationId } from '../../server/docs/operation-id.ts';
import { testApp } from '../support/app.ts';
import { testDatabase } from '../support/database.ts';

type Op = {
  operationId?: string; tags?: string[]; security?: Record<string, string[]>[];
  responses: Record<string, { description: string; content?: Record<string, { schema: Record<string, unknown> }> }>;
  'x-access'?: { public: boolean; permission: string | null };
};
type Doc = { openapi: string; servers?: unknown[]; tags: { name: string; description?: string }[]; paths: Record<string, Record<string, Op>>; components: Record<string, any> };

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
    const id = (method: string, path: string) => doc.paths[path]?.[method]?.operationId;
    expect(id('get', '/api/incidents')).toBe('listIncidents');
    expect(id('post', '/api/incidents')).toBe('createIncident');
    expect(id('get', '/api/incidents/{id}')).toBe('getIncident');
    expect(id('post', '/api/incidents/{id}/dispatch')).toBe('dispatchIncident');
    expect(id('get', '/api/incidents/{id}/events')).toBe('listIncidentEvents');
    expect(id('patch', '/api/users/{id}')).toBe('updateUser');
  });

  it('derives a new route\'s name by the same rule', () => {
    expect(operationId('GET', '/api/categories')).toBe('listCategories');
    expect(operationId('POST', '/api/categories')).toBe('createCategory');
    expect(operationId('DELETE', '/api/categories/:id')).toBe('deleteCategory');
    expect(operationId('POST', '/api/illegal-buildings/:id/demolish')).toBe('demolishIllegalBuilding');
    expect(operationId('GET', '/api/squads/:id/officers')).toBe('listSquadOfficers');
  });

  it('declares the security each route checks: bearer or cookie, none on public routes, optional where a login only narrows', () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearer', 'cookie']);
    expect(doc.components.securitySchemes.cookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'zhihui_token' });
    for (const { method, path, op } of ops) {
      const where = `${method} ${path}`;
      expect(op.security, where).toBeDefined();
      if (!op['x-access']?.public) expect(op.security, where).toEqual([{ bearer: [] }, { cookie: [] }]);
      else expect(op.security!.length === 0 || op.security!.some((s) => Object.keys(s).length === 0), where).toBe(true);
    }
    expect(doc.paths['/api/auth/login']!.post!.security).toEqual([]);
    expect(doc.paths['/api/health']!.get!.security).toEqual([]);
  });

  it('documents a success answer and the shared ErrorResponse for the errors of every operation', () => {
    for (const { method, path, op } of ops) {
      const where = `${method} ${path}`;
      const statuses = Object.keys(op.responses);
      expect(statuses.some((s) => s.startsWith('2')), `${where}: no success answer`).toBe(true);
      for (const s of ['400', '429', '500', '503']) expect(statuses, where).toContain(s);
      if (op.security?.length && !op.security.some((x) => Object.keys(x).length === 0)) expect(statuses, where).toEqual(expect.arrayContaining(['401', '403']));
      for (const s of statuses.filter((x) => x.startsWith('4'))) expect(refOf(op.responses[s]!), `${where} ${s}`).toBe(errorRef);
      for (const [s, r] of Object.entries(op.responses)) expect(r.description, `${where} ${s}`).not.toBe('Default Response');
    }
    expect(Object.keys(doc.paths['/api/evidence/{id}']!.get!.responses['200']!.content!)).toContain('image/jpeg');
    expect(Object.keys(doc.paths['/api/indicators/export']!.get!.responses['200']!.content!)).toEqual(expect.arrayContaining(['text/csv']));
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
    const center = (doc.paths['/api/config']!.get!.responses['200']!.content!['application/json']!.schema as any).properties.center;
    expect(center).toMatchObject({ type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 });
  });

  it('serves the AsyncAPI document of the live feed without a login, and points to it', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/asyncapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(asyncApiDocument());
    expect((doc as any).info.description).toContain('/docs/asyncapi.json');
  });
});

// Every error body carries a stable machine-readable `code` beside the message, and a refused step of a
// case says which steps are allowed now. The app here reaches the database through a TCP relay the test
// can cut, for a real 503.
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Database, embeddedPool } from '../../server/db/database.ts';
import { ERROR_CODES } from '../../server/http/error-codes.ts';
import { testApp } from '../support/app.ts';
import { call, login, type Session } from '../support/clients.ts';
import { testDatabaseUrl } from '../support/database.ts';
import { dialectFor } from '../../server/db/dialect.ts';

/** A relay to PostgreSQL on a port of its own; `cut()` drops every connection and refuses new ones. */
async function relay(target: URL) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    cut: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

let app: FastifyInstance;
let db: Database;
let cut: () => Promise<void>;
let dispatcher: Session, leader: Session;

beforeAll(async () => {
  const link = await relay(new URL(testDatabaseUrl()));
  cut = link.cut;
  // the embedded server takes one connection at a time: this file's only pool goes through the relay
  const pool =
    inject('databaseMode') === 'embedded' ? embeddedPool(link.url) : new pg.Pool({ connectionString: link.url, max: 4, connectionTimeoutMillis: 2_000 });
  pool.on('error', () => {});
  db = { pool, mode: inject('databaseMode'), dialect: dialectFor(inject('databaseMode')), url: link.url, close: () => pool.end() };
  app = await testApp(db);
  [dispatcher, leader] = (await Promise.all(['dispatcher', 'leader'].map((l) => login(app, l)))) as [Session, Session];
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const codeOf = (r: { json: { code?: unknown } }) => r.json?.code;

describe(`error bodies carry a stable code (${inject('databaseMode')} database)`, () => {
  it("400: VALIDATION_FAILED for a field the schema refuses or text with NUL, MALFORMED_REQUEST for a body that is not JSON, BAD_REQUEST for a route's own check", async () => {
    const wrongType = await call(app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0102', source: 'dispatcher', description: 'x', lon: 'east', lat: 30.6 },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED', message: expect.stringMatching(/body\.lon/) });

    const unknownQuery = await call(app, dispatcher, { url: '/api/incidents?colour=red' });
    expect([unknownQuery.status, codeOf(unknownQuery)]).toEqual([400, 'VALIDATION_FAILED']);

    const nul = await call(app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0102', source: 'dispatcher', description: 'a\u0000b', lon: 104.08, lat: 30.65 },
    });
    expect([nul.status, codeOf(nul)]).toEqual([400, 'VALIDATION_FAILED']);

    const notJson = await app.inject({
      method: 'POST',
      url: '/api/incidents',
      headers: { authorization: `Bearer ${dispatcher.token}`, 'content-type': 'application/json' },
      payload: '{"category":',
    });
    expect([notJson.statusCode, notJson.json().code]).toEqual([400, 'MALFORMED_REQUEST']);

    const backwards = await call(app, leader, { url: '/api/indicators?from=2025-03-02T00:00:00%2B08:00&to=2025-03-01T00:00:00%2B08:00' });
    expect(backwards.status, backwards.body).toBe(400);
    expect(codeOf(backwards)).toBe('BAD_REQUEST');
  });

  it('401 UNAUTHENTICATED, 403 FORBIDDEN, 404 NOT_FOUND and ROUTE_NOT_FOUND', async () => {
    const anonymous = await call(app, null, { url: '/api/incidents' });
    expect(anonymous.json).toMatchObject({ statusCode: 401, error: 'Unauthorized', code: 'UNAUTHENTICATED' });
    const badToken = await call(app, { token: 'not.a.token', user: dispatcher.user }, { url: '/api/incidents' });
    expect([badToken.status, codeOf(badToken)]).toEqual([401, 'UNAUTHENTICATED']);

    const leaderAddsUser = await call(app, leader, { url: '/api/users', body: { login: 'nobody', password: 'x', displayName: 'x', role: 'admin' } });
    expect(leaderAddsUser.json).toMatchObject({ statusCode: 403, error: 'Forbidden', code: 'FORBIDDEN' });

    const noCase = await call(app, dispatcher, { url: '/api/incidents/2000000000' });
    expect(noCase.json).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    const noRoute = await call(app, dispatcher, { url: '/api/no-such-thing' });
    expect(noRoute.json).toMatchObject({ statusCode: 404, code: 'ROUTE_NOT_FOUND' });
  });

  it('409 STEP_NOT_ALLOWED with the steps allowed now, the same the case itself lists', async () => {
    const made = await call(app, dispatcher, {
      url: '/api/incidents',
      body: { category: '0102', source: 'dispatcher', description: '错误码测试', lon: 104.0835, lat: 30.6545 },
    });
    expect(made.status, made.body).toBe(201);
    const id = made.json.incident.id as number;
    // reported, not registered (立案): nobody can be sent yet
    const send = await call(app, dispatcher, { url: `/api/incidents/${id}/dispatch`, body: {} });
    expect(send.status, send.body).toBe(409);
    expect(send.json).toMatchObject({ statusCode: 409, error: 'Conflict', code: 'STEP_NOT_ALLOWED' });
    const view = await call(app, dispatcher, { url: `/api/incidents/${id}` });
    expect(send.json.allowed).toEqual(view.json.allowedSteps);
    expect(send.json.allowed).toEqual(expect.arrayContaining(['register', 'void']));
    await call(app, dispatcher, { url: `/api/incidents/${id}/void`, body: { reason: '测试结束' } });
  });

  it('every code answered is one the document lists', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.components.schemas.ErrorResponse.properties.code.enum).toEqual(Object.keys(ERROR_CODES));
  });

  // last: it cuts this file's connection to the database for good
  it('503 DATABASE_UNAVAILABLE with Retry-After while the database cannot be reached', async () => {
    await cut();
    const during = await call(app, dispatcher, { url: '/api/incidents?limit=1' });
    expect(during.status, during.body).toBe(503);
    expect(during.json).toMatchObject({ statusCode: 503, error: 'Service Unavailable', code: 'DATABASE_UNAVAILABLE' });
    expect(
      (await app.inject({ method: 'GET', url: '/api/incidents?limit=1', headers: { authorization: `Bearer ${dispatcher.token}` } })).headers['retry-after'],
    ).toBe('2');
  });
});

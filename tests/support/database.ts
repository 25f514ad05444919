import http from 'node:http';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, embeddedPool } from '../../server/db/database.ts';
import type { CloneAnswer } from '../setup/clone-broker.ts';
import { dialectFor } from '../../server/db/dialect.ts';

/** This file's database, set by tests/setup/file-database.ts before the file runs. */
let own: CloneAnswer | null = null;

function broker(method: 'POST' | 'DELETE', path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // node:http rather than fetch: the first file may wait minutes while the template is seeded
    const req = http.request(`${inject('databaseBroker')}${path}`, { method }, (res) => {
      let body = '';
      res
        .setEncoding('utf8')
        .on('data', (c: string) => (body += c))
        .on('end', () => {
          if ((res.statusCode ?? 500) >= 300) reject(new Error(`database broker: ${method} ${path} → ${res.statusCode} ${body}`));
          else resolve(body);
        });
    });
    req.on('error', reject).end();
  });
}

/** Gets this file a database of its own, cloned from the run's template; returns what drops it. */
export async function claimFileDatabase(): Promise<() => Promise<void>> {
  const clone = JSON.parse(await broker('POST', '/clones')) as CloneAnswer;
  own = clone;
  return async () => {
    own = null;
    await broker('DELETE', `/clones/${encodeURIComponent(clone.id)}`);
  };
}

function fileDatabase(): CloneAnswer {
  if (!own) throw new Error('no database for this file: only the integration, faults and e2e projects get one (tests/setup/file-database.ts)');
  return own;
}

/** The connection string of this file's own database (for server processes and second pools). */
export function testDatabaseUrl(): string {
  return fileDatabase().url;
}

/** What the seed reported when it made the template this file's database was cloned from. */
export function seedCounts(): Record<string, number> {
  return fileDatabase().seeded.counts;
}

/**
 * This file's own database, cloned from the run's migrated and seeded template, so nothing another
 * file does is in it. The embedded server serves one connection at a time, so a file holds at most
 * one pool at a time and ends it in afterAll.
 */
export function testDatabase(): Database {
  const url = testDatabaseUrl();
  const mode = inject('databaseMode');
  const pool = mode === 'embedded' ? embeddedPool(url) : new pg.Pool({ connectionString: url, max: 8 });
  return { pool, mode, dialect: dialectFor(mode), url, close: () => pool.end() };
}

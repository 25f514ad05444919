import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testApp } from '../support/app.ts';
import { call, login } from '../support/clients.ts';
import { testDatabase } from '../support/database.ts';

const db = testDatabase();
const mode = inject('databaseMode');
let app: FastifyInstance;

beforeAll(async () => {
  app = await testApp(db);
});
afterAll(async () => {
  await app.close();
  await db.close();
});

interface Catalogue {
  version: string | null;
  name: string | null;
  effectiveFrom: string | null;
  classes: { major: string; zh: string; en: string; entries: { minor: string; zh: string; enforcement: boolean; timeLimit: number; timeType: string }[] }[];
}

/** One current version at a time (a partial unique index): the old one steps down first. */
async function makeCurrent(version: string): Promise<void> {
  await db.pool.query(`UPDATE category_catalogs SET is_current = false WHERE is_current`);
  await db.pool.query(`UPDATE category_catalogs SET is_current = true WHERE version = $1`, [version]);
}

describe(`GET /api/categories: the catalogue in force (${mode} database)`, () => {
  it('needs a login', async () => {
    expect((await call(app, null, { url: '/api/categories' })).status).toBe(401);
  });

  it('answers the current version from the database, by class, to every role', async () => {
    const current = (
      await db.pool.query<{ version: string; n: number }>(`
      SELECT v.version, (SELECT count(*)::int FROM categories c WHERE c.catalog_version = v.version) AS n
      FROM category_catalogs v WHERE v.is_current`)
    ).rows[0]!;
    for (const role of ['officer', 'leader', 'dispatcher']) {
      const res = await call(app, await login(app, role), { url: '/api/categories' });
      expect(res.status, res.body).toBe(200);
      const cat = res.json as Catalogue;
      expect(cat.version).toBe(current.version);
      expect(cat.effectiveFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(cat.classes.flatMap((c) => c.entries)).toHaveLength(current.n);
      for (const c of cat.classes) for (const e of c.entries) expect(e.minor.slice(0, 2)).toBe(c.major);
      const street = cat.classes.flatMap((c) => c.entries).find((e) => e.minor === '0501');
      expect(street).toMatchObject({ enforcement: true });
    }
  });

  it('follows the catalogue version made current', async () => {
    const before = (await db.pool.query<{ version: string }>(`SELECT version FROM category_catalogs WHERE is_current`)).rows[0]!.version;
    try {
      await db.pool.query(`INSERT INTO category_catalogs (version, name, effective_from) VALUES ('test-v2', '测试目录', '2026-01-01')`);
      await db.pool.query(`
        INSERT INTO categories (catalog_version, major_code, minor_code, major_name_zh, major_name_en, name_zh, name_en, time_limit, time_type, involves_enforcement, base_priority)
        VALUES ('test-v2', '09', '0901', '测试大类', 'Test class', '测试小类', 'Test category', 2, 'natural_days', false, 10)`);
      await makeCurrent('test-v2');
      const fresh = await testApp(db);
      try {
        const cat = (await call(fresh, await login(fresh, 'dispatcher'), { url: '/api/categories' })).json as Catalogue;
        expect(cat).toMatchObject({ version: 'test-v2', name: '测试目录', effectiveFrom: '2026-01-01' });
        expect(cat.classes).toEqual([
          {
            major: '09',
            zh: '测试大类',
            en: 'Test class',
            entries: [{ minor: '0901', zh: '测试小类', en: 'Test category', timeLimit: 2, timeType: 'natural_days', enforcement: false, basePriority: 10 }],
          },
        ]);
      } finally {
        await fresh.close();
      }
    } finally {
      await makeCurrent(before);
      await db.pool.query(`DELETE FROM categories WHERE catalog_version = 'test-v2'`);
      await db.pool.query(`DELETE FROM category_catalogs WHERE version = 'test-v2'`);
    }
  });
});

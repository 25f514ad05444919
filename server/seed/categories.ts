import type pg from 'pg';
import { withTransaction } from '../db/transaction.ts';
import { DEMO_CATALOGUE, DEMO_CATALOGUE_VERSION } from '#shared/categories/catalogue-demo.ts';

/** The shipped catalogue as the current version; nothing when that version is already there. */
export async function insertCategoryCatalogue(client: pg.PoolClient): Promise<number> {
  const made = await client.query(
    `INSERT INTO category_catalogs (version, name, effective_from, is_current)
     SELECT $1, $2, '2026-01-01', NOT EXISTS (SELECT 1 FROM category_catalogs WHERE is_current)
     ON CONFLICT (version) DO NOTHING`,
    [DEMO_CATALOGUE_VERSION, '城市管理部件事件分类（CJ/T 214 编号，演示版）'],
  );
  if (made.rowCount === 0) return 0;
  let n = 0;
  for (const cls of DEMO_CATALOGUE) {
    for (const e of cls.entries) {
      await client.query(
        `INSERT INTO categories (catalog_version, major_code, minor_code, major_name_zh, major_name_en, name_zh, name_en,
                                 time_limit, time_type, involves_enforcement, base_priority, construction)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          DEMO_CATALOGUE_VERSION,
          cls.major,
          e.minor,
          cls.zh,
          cls.en,
          e.zh,
          e.en,
          e.timeLimit,
          e.timeType,
          e.enforcement,
          e.basePriority,
          e.construction ?? false,
        ],
      );
      n++;
    }
  }
  return n;
}

/**
 * A city started without the demo (SEED_DEMO=false) still needs a category catalogue before its first
 * case: the shipped one goes in when the database has none at all. A bureau's own version replaces it.
 */
export function ensureCategoryCatalogue(pool: pg.Pool): Promise<number> {
  return withTransaction(pool, async (client) => {
    // two instances starting at once: one inserts, the other finds it there
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('zhihui-category-catalogue'))`);
    const any = await client.query(`SELECT 1 FROM category_catalogs LIMIT 1`);
    return any.rowCount ? 0 : insertCategoryCatalogue(client);
  });
}

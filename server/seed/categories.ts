import type pg from 'pg';
import { DEMO_CATALOGUE, DEMO_CATALOGUE_VERSION } from '#shared/categories/catalogue-demo.ts';

export async function insertCategoryCatalogue(client: pg.PoolClient): Promise<number> {
  await client.query(`INSERT INTO category_catalogs (version, name, effective_from, is_current) VALUES ($1, $2, '2026-01-01', true)`, [
    DEMO_CATALOGUE_VERSION,
    '城市管理部件事件分类（CJ/T 214 编号，演示版）',
  ]);
  let n = 0;
  for (const cls of DEMO_CATALOGUE) {
    for (const e of cls.entries) {
      await client.query(
        `INSERT INTO categories (catalog_version, major_code, minor_code, major_name_zh, major_name_en, name_zh, name_en,
                                 time_limit, time_type, involves_enforcement, base_priority)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [DEMO_CATALOGUE_VERSION, cls.major, e.minor, cls.zh, cls.en, e.zh, e.en, e.timeLimit, e.timeType, e.enforcement, e.basePriority],
      );
      n++;
    }
  }
  return n;
}

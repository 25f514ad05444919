import type { TimeType } from '#shared/categories/time-types.ts';
import type { Queryable } from '../db/transaction.ts';

/** A category (案件类别) with what intake and the steps need: its time limit, enforcement, priority. */
export interface CategoryRow {
  id: number;
  minorCode: string;
  nameZh: string;
  nameEn: string;
  timeLimit: number;
  timeType: TimeType;
  enforcement: boolean;
  basePriority: number;
  catalogVersion: string;
}

/** A category of the current catalogue with its class (大类). */
export interface CatalogueRow extends CategoryRow {
  majorCode: string;
  majorNameZh: string;
  majorNameEn: string;
}

export interface CatalogueVersion {
  version: string;
  name: string;
  effectiveFrom: string;
}

const COLUMNS = `c.id, c.minor_code AS "minorCode", c.name_zh AS "nameZh", c.name_en AS "nameEn", c.time_limit AS "timeLimit",
  c.time_type AS "timeType", c.involves_enforcement AS enforcement, c.base_priority AS "basePriority", c.catalog_version AS "catalogVersion"`;

/** The catalogue version in force (one is current; none before the seed). */
export async function currentVersion(db: Queryable): Promise<CatalogueVersion | null> {
  const res = await db.query<CatalogueVersion>(`
    SELECT version, name, effective_from AS "effectiveFrom" FROM category_catalogs WHERE is_current`);
  return res.rows[0] ?? null;
}

/** Every category of the current catalogue version, in code order. */
export async function currentCategories(db: Queryable): Promise<CatalogueRow[]> {
  const res = await db.query<CatalogueRow>(`
    SELECT ${COLUMNS}, c.major_code AS "majorCode", c.major_name_zh AS "majorNameZh", c.major_name_en AS "majorNameEn"
    FROM categories c JOIN category_catalogs v ON v.version = c.catalog_version AND v.is_current
    ORDER BY c.minor_code`);
  return res.rows;
}

/** A category by id, of whatever version: a case keeps the category it was reported under. */
export async function categoryById(db: Queryable, id: number): Promise<CategoryRow | null> {
  const res = await db.query<CategoryRow>(`SELECT ${COLUMNS} FROM categories c WHERE c.id = $1`, [id]);
  return res.rows[0] ?? null;
}

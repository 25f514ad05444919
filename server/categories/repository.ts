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
  /** its cases concern a building (违法建设): intake joins them to the register */
  construction: boolean;
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
  c.time_type AS "timeType", c.involves_enforcement AS enforcement, c.base_priority AS "basePriority", c.catalog_version AS "catalogVersion",
  c.construction`;

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

// ---------------------------------------------------------------------------------------------------
// Versions, as the administrator keeps them.

export interface VersionRow {
  version: string;
  name: string;
  effectiveFrom: string;
  isCurrent: boolean;
  categories: number;
  cases: number;
}

/** Every version, newest effective date first, with its categories and the cases created under it. */
export async function listVersions(db: Queryable): Promise<VersionRow[]> {
  const res = await db.query<VersionRow>(`
    SELECT v.version, v.name, to_char(v.effective_from, 'YYYY-MM-DD') AS "effectiveFrom", v.is_current AS "isCurrent",
           (SELECT count(*)::int FROM categories c WHERE c.catalog_version = v.version) AS categories,
           COALESCE(n.cases, 0)::int AS cases
    FROM category_catalogs v
    LEFT JOIN (SELECT c.catalog_version, count(*) AS cases FROM incidents i JOIN categories c ON c.id = i.category_id GROUP BY 1) n
      ON n.catalog_version = v.version
    ORDER BY v.effective_from DESC, v.version`);
  return res.rows;
}

/** One version, or null. */
export async function versionById(db: Queryable, version: string): Promise<Omit<VersionRow, 'categories' | 'cases'> | null> {
  const res = await db.query<Omit<VersionRow, 'categories' | 'cases'>>(
    `SELECT version, name, to_char(effective_from, 'YYYY-MM-DD') AS "effectiveFrom", is_current AS "isCurrent"
     FROM category_catalogs WHERE version = $1`,
    [version],
  );
  return res.rows[0] ?? null;
}

/** The categories of one version, in code order. */
export async function versionCategories(db: Queryable, version: string): Promise<CatalogueRow[]> {
  const res = await db.query<CatalogueRow>(
    `SELECT ${COLUMNS}, c.major_code AS "majorCode", c.major_name_zh AS "majorNameZh", c.major_name_en AS "majorNameEn"
     FROM categories c WHERE c.catalog_version = $1 ORDER BY c.minor_code`,
    [version],
  );
  return res.rows;
}

export interface NewVersionRow {
  version: string;
  name: string;
  effectiveFrom: string;
  entries: {
    major: string;
    majorZh: string;
    majorEn: string;
    minor: string;
    zh: string;
    en: string;
    timeLimit: number;
    timeType: TimeType;
    enforcement: boolean;
    basePriority: number;
    construction?: boolean;
  }[];
}

/** Inserts a version (not current) with its categories; false when the id is taken. */
export async function insertVersion(db: Queryable, v: NewVersionRow): Promise<boolean> {
  const made = await db.query(
    `INSERT INTO category_catalogs (version, name, effective_from, is_current) VALUES ($1, $2, $3, false) ON CONFLICT (version) DO NOTHING`,
    [v.version, v.name, v.effectiveFrom],
  );
  if (made.rowCount === 0) return false;
  await db.query(
    `INSERT INTO categories (catalog_version, major_code, minor_code, major_name_zh, major_name_en, name_zh, name_en,
                             time_limit, time_type, involves_enforcement, base_priority, construction)
     SELECT $1, e.major, e.minor, e.major_zh, e.major_en, e.zh, e.en, e.time_limit, e.time_type, e.enforcement, e.base_priority,
            coalesce(e.construction, false)
     FROM jsonb_to_recordset($2::jsonb) AS e(major text, minor text, major_zh text, major_en text, zh text, en text,
                                             time_limit numeric, time_type text, enforcement boolean, base_priority integer, construction boolean)`,
    [
      v.version,
      JSON.stringify(
        v.entries.map((e) => ({
          major: e.major,
          minor: e.minor,
          major_zh: e.majorZh,
          major_en: e.majorEn,
          zh: e.zh,
          en: e.en,
          time_limit: e.timeLimit,
          time_type: e.timeType,
          enforcement: e.enforcement,
          base_priority: e.basePriority,
          construction: e.construction ?? false,
        })),
      ),
    ],
  );
  return true;
}

/** Locks the catalogue versions against a concurrent activation, and answers the current one's id. */
export async function lockCurrent(db: Queryable): Promise<string | null> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('zhihui-category-catalogue'))`);
  const res = await db.query<{ version: string }>(`SELECT version FROM category_catalogs WHERE is_current`);
  return res.rows[0]?.version ?? null;
}

/** Makes `version` the current one: the old one steps down first (one current, a partial unique index). */
export async function makeCurrent(db: Queryable, version: string): Promise<void> {
  await db.query(`UPDATE category_catalogs SET is_current = false WHERE is_current AND version <> $1`, [version]);
  await db.query(`UPDATE category_catalogs SET is_current = true WHERE version = $1`, [version]);
}

import type pg from 'pg';
import type { CategoryCatalogue } from '#shared/categories/catalogue.ts';
import { type CatalogueRow, type CatalogueVersion, type CategoryRow, currentCategories, currentVersion } from './repository.ts';

/** How long the current catalogue is kept in memory: intake needs a category on every case. */
const CACHE_MS = 30_000;

/** The versioned category catalogue (案件分类) as intake and the console's pickers use it. */
export class CategoryService {
  private loaded = 0;
  private version: CatalogueVersion | null = null;
  private rows: CatalogueRow[] = [];
  private byCode = new Map<string, CatalogueRow>();

  constructor(private readonly pool: pg.Pool) {}

  private async load(): Promise<void> {
    if (Date.now() - this.loaded <= CACHE_MS) return;
    const [version, rows] = await Promise.all([currentVersion(this.pool), currentCategories(this.pool)]);
    this.version = version;
    this.rows = rows;
    this.byCode = new Map(rows.map((r) => [r.minorCode, r]));
    this.loaded = Date.now();
  }

  /** The category of the current catalogue with this minor code, or null. */
  async get(minorCode: string): Promise<CategoryRow | null> {
    await this.load();
    return this.byCode.get(minorCode) ?? null;
  }

  /** The minor codes of the current catalogue, for messages naming what may be used. */
  async codes(): Promise<string[]> {
    await this.load();
    return this.rows.map((r) => r.minorCode);
  }

  /** The current catalogue by class (大类), as GET /api/categories answers it. */
  async catalogue(): Promise<CategoryCatalogue> {
    await this.load();
    const classes: CategoryCatalogue['classes'] = [];
    for (const r of this.rows) {
      let cls = classes.at(-1);
      if (cls?.major !== r.majorCode) classes.push((cls = { major: r.majorCode, zh: r.majorNameZh, en: r.majorNameEn, entries: [] }));
      cls.entries.push({
        minor: r.minorCode,
        zh: r.nameZh,
        en: r.nameEn,
        timeLimit: r.timeLimit,
        timeType: r.timeType,
        enforcement: r.enforcement,
        basePriority: r.basePriority,
      });
    }
    return { version: this.version?.version ?? null, name: this.version?.name ?? null, effectiveFrom: this.version?.effectiveFrom ?? null, classes };
  }
}

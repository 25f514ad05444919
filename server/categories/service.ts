import type pg from 'pg';
import type { CatalogueVersionDetail, CatalogueVersionSummary } from '#shared/categories/admin-schemas.ts';
import { MAX_ENTRIES, VERSION_PATTERN } from '#shared/categories/admin-schemas.ts';
import type { CategoryCatalogue } from '#shared/categories/catalogue.ts';
import { TIME_TYPE_NAMES, TIME_TYPES, type TimeType } from '#shared/categories/time-types.ts';
import { appendAudit } from '../audit/repository.ts';
import type { AuthUser } from '../auth/user.ts';
import { withTransaction } from '../db/transaction.ts';
import { Problem } from '../http/problem.ts';
import {
  type CatalogueRow,
  type CatalogueVersion,
  type CategoryRow,
  currentCategories,
  currentVersion,
  insertVersion,
  listVersions,
  lockCurrent,
  makeCurrent,
  type NewVersionRow,
  versionById,
  versionCategories,
} from './repository.ts';

/** How long the current catalogue is kept in memory: intake needs a category on every case. */
const CACHE_MS = 30_000;

/**
 * Bumped when a version is made current in this process: every CategoryService here (intake's own
 * among them) reloads on its next use. Other instances sharing the database follow within CACHE_MS.
 */
let generation = 0;
export function catalogueChanged(): void {
  generation++;
}

/** The versioned category catalogue (案件分类) as intake and the console's pickers use it. */
export class CategoryService {
  private loaded = 0;
  private generation = -1;
  private version: CatalogueVersion | null = null;
  private rows: CatalogueRow[] = [];
  private byCode = new Map<string, CatalogueRow>();

  constructor(private readonly pool: pg.Pool) {}

  private async load(): Promise<void> {
    if (this.generation === generation && Date.now() - this.loaded <= CACHE_MS) return;
    const seen = generation;
    const [version, rows] = await Promise.all([currentVersion(this.pool), currentCategories(this.pool)]);
    this.version = version;
    this.rows = rows;
    this.byCode = new Map(rows.map((r) => [r.minorCode, r]));
    this.loaded = Date.now();
    this.generation = seen;
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
    return {
      version: this.version?.version ?? null,
      name: this.version?.name ?? null,
      effectiveFrom: this.version?.effectiveFrom ?? null,
      classes: byClass(this.rows),
    };
  }
}

/** Categories in code order, grouped by class (大类). */
export function byClass(rows: readonly CatalogueRow[]): CategoryCatalogue['classes'] {
  const classes: CategoryCatalogue['classes'] = [];
  for (const r of rows) {
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
      // said only when true: a catalogue without construction classes reads as before
      ...(r.construction ? { construction: true } : {}),
    });
  }
  return classes;
}

// ---------------------------------------------------------------------------------------------------
// Versions (目录版本) as the administrator keeps them: checked, created whole, made current.

/**
 * The longest sensible time limit per time type: beyond it the limit was written in the wrong unit
 * (domain.md §5: 1 working hour to dispatch … 20 working days for a demolition).
 */
export const MAX_TIME_LIMIT: Record<TimeType, number> = { emergency_hours: 72, working_hours: 80, working_days: 60, natural_days: 365 };
/** At most this many problems in one answer: enough to fix a file, short enough to read. */
const MAX_PROBLEMS = 8;

/** An entry as given, with where it came from (CSV line or JSON index) for the messages. */
export type EntryInput = Omit<NewVersionRow['entries'][number], 'timeType' | 'timeLimit' | 'enforcement' | 'basePriority'> & {
  timeLimit: number;
  timeType: string;
  enforcement: boolean;
  basePriority: number;
  where: string;
};
export interface VersionInput {
  version: string;
  name: string;
  effectiveFrom: string;
  entries: EntryInput[];
}

function isDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
}

const TYPE_LIST = TIME_TYPES.map((t) => `${t} (${TIME_TYPE_NAMES[t].zh})`).join(', ');

/** What is wrong with a new version, each saying what to fix; empty when it may be stored. */
export function versionProblems(v: VersionInput): string[] {
  const problems: string[] = [];
  if (!new RegExp(VERSION_PATTERN).test(v.version)) {
    problems.push(`version "${v.version}": use 1–32 letters, digits, dot, underscore or hyphen (e.g. 2027-local)`);
  }
  if (!v.name.trim()) problems.push('name: empty: name the version (e.g. 本市城市管理案件分类 2027 版)');
  if (!isDay(v.effectiveFrom)) problems.push(`effectiveFrom "${v.effectiveFrom}" is not a date: write YYYY-MM-DD`);
  if (v.entries.length === 0) problems.push('entries: none given: a catalogue needs at least one minor class (小类)');
  if (v.entries.length > MAX_ENTRIES) problems.push(`entries: ${v.entries.length} is more than ${MAX_ENTRIES}`);
  const minors = new Map<string, string>();
  const majors = new Map<string, { zh: string; en: string; where: string }>();
  for (const e of v.entries) {
    const at = `${e.where}`;
    const zeros = /^\d+$/.test(e.major) || /^\d+$/.test(e.minor) ? ' (a spreadsheet drops leading zeros: format the column as text)' : '';
    if (!/^\d{2}$/.test(e.major)) problems.push(`${at}: class code (大类代码) "${e.major}" is not 2 digits, e.g. 05${zeros}`);
    if (!/^\d{4}$/.test(e.minor)) problems.push(`${at}: minor code (小类代码) "${e.minor}" is not 4 digits, e.g. 0501${zeros}`);
    else if (/^\d{2}$/.test(e.major) && !e.minor.startsWith(e.major)) {
      problems.push(
        `${at}: minor code ${e.minor} does not start with its class code ${e.major}: use ${e.major}${e.minor.slice(2)} or class ${e.minor.slice(0, 2)}`,
      );
    }
    const first = minors.get(e.minor);
    if (first !== undefined) problems.push(`${at}: minor code ${e.minor} is already used at ${first}: each minor class once`);
    else minors.set(e.minor, at);
    if (!e.zh.trim()) problems.push(`${at}: minor name (小类名称) is empty`);
    if (!e.majorZh.trim()) problems.push(`${at}: class name (大类名称) is empty`);
    const cls = majors.get(e.major);
    if (!cls) majors.set(e.major, { zh: e.majorZh.trim(), en: e.majorEn.trim(), where: at });
    else if (cls.zh !== e.majorZh.trim() || cls.en !== e.majorEn.trim()) {
      problems.push(`${at}: class ${e.major} is named "${e.majorZh}" here but "${cls.zh}" at ${cls.where}: one name per class`);
    }
    if (!(TIME_TYPES as readonly string[]).includes(e.timeType)) {
      problems.push(`${at}: time type (时限类型) "${e.timeType}" is not known: use one of ${TYPE_LIST}`);
    } else {
      const type = e.timeType as TimeType;
      const max = MAX_TIME_LIMIT[type];
      const unit = `${TIME_TYPE_NAMES[type].en} (${TIME_TYPE_NAMES[type].zh})`;
      if (!Number.isFinite(e.timeLimit) || e.timeLimit <= 0) problems.push(`${at}: time limit (处置时限) must be more than 0 ${unit}`);
      else if (e.timeLimit > max) problems.push(`${at}: time limit ${e.timeLimit} ${unit} is more than ${max}: check the number or write it in a longer unit`);
      else if (Math.abs(Math.round(e.timeLimit * 100) - e.timeLimit * 100) > 1e-6) problems.push(`${at}: time limit ${e.timeLimit}: at most 2 decimals`);
    }
    if (!Number.isInteger(e.basePriority) || e.basePriority < 0 || e.basePriority > 100) {
      problems.push(`${at}: base priority (基础优先级) ${e.basePriority} must be a whole number 0–100`);
    }
  }
  return problems;
}

const HEADERS: Record<keyof Omit<EntryInput, 'where'>, { names: string[]; required: boolean }> = {
  major: { names: ['大类代码', 'major'], required: true },
  majorZh: { names: ['大类名称', 'majorzh'], required: true },
  majorEn: { names: ['大类英文名称', 'majoren'], required: false },
  minor: { names: ['小类代码', 'minor'], required: true },
  zh: { names: ['小类名称', 'zh'], required: true },
  en: { names: ['小类英文名称', 'en'], required: false },
  timeLimit: { names: ['处置时限', 'timelimit'], required: true },
  timeType: { names: ['时限类型', 'timetype'], required: true },
  enforcement: { names: ['是否执法', 'enforcement'], required: false },
  basePriority: { names: ['基础优先级', 'basepriority'], required: false },
  construction: { names: ['是否违建', 'construction'], required: false },
};
/** 时限类型 as written in local rules, and the English names, to the stored time type. */
const TIME_TYPE_WORDS: Record<string, TimeType> = {
  紧急工时: 'emergency_hours',
  紧急工作时: 'emergency_hours',
  工作时: 'working_hours',
  工作日: 'working_days',
  自然日: 'natural_days',
};
for (const t of TIME_TYPES) {
  TIME_TYPE_WORDS[t] = t;
  TIME_TYPE_WORDS[TIME_TYPE_NAMES[t].en] = t;
}
const YES = new Set(['是', 'y', 'yes', 'true', '1']);
const NO = new Set(['否', 'n', 'no', 'false', '0', '']);

/** Splits CSV text into rows of fields: commas, double-quoted fields ("" for a quote), CRLF or LF. */
function csvRows(text: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      if (fields.some((f) => f.trim())) rows.push({ line: start, fields });
      fields = [];
      field = '';
      start = ++line;
    } else field += c;
  }
  fields.push(field);
  if (fields.some((f) => f.trim())) rows.push({ line: start, fields });
  return rows;
}

/**
 * A catalogue's entries from CSV text (UTF-8, a BOM allowed): a header row naming the columns in
 * Chinese (大类代码, 大类名称, 小类代码, 小类名称, 处置时限, 时限类型, 是否执法; optional 大类英文名称,
 * 小类英文名称, 基础优先级) or as the JSON fields, then one row per minor class.
 */
export function parseCatalogueCsv(text: string): EntryInput[] {
  const rows = csvRows(text.replace(/^\uFEFF/, ''));
  const header = rows.shift();
  if (!header)
    throw new Problem(400, 'the CSV is empty: send a header row (大类代码,大类名称,小类代码,小类名称,处置时限,时限类型,是否执法) and one row per minor class');
  const column = new Map<keyof typeof HEADERS, number>();
  const unknown: string[] = [];
  header.fields.forEach((raw, i) => {
    const name = raw.trim();
    const key = (Object.keys(HEADERS) as (keyof typeof HEADERS)[]).find(
      (k) => HEADERS[k].names.includes(name) || HEADERS[k].names.includes(name.toLowerCase()),
    );
    if (!key) unknown.push(name || `(column ${i + 1} empty)`);
    else column.set(key, i);
  });
  const missing = (Object.keys(HEADERS) as (keyof typeof HEADERS)[]).filter((k) => HEADERS[k].required && !column.has(k)).map((k) => HEADERS[k].names[0]);
  if (unknown.length || missing.length) {
    const parts = [
      ...(unknown.length ? [`unknown columns ${unknown.map((u) => `"${u}"`).join(', ')}`] : []),
      ...(missing.length ? [`missing columns ${missing.join(', ')}`] : []),
    ];
    const known = Object.values(HEADERS)
      .map((h) => h.names[0] + (h.required ? '' : '（可选）'))
      .join(',');
    throw new Problem(400, `the CSV header row was not read: ${parts.join('; ')}. Columns: ${known}`);
  }
  const problems: string[] = [];
  const entries = rows.map(({ line, fields }) => {
    const get = (k: keyof typeof HEADERS) => {
      const i = column.get(k);
      return i === undefined ? '' : (fields[i] ?? '').trim();
    };
    const where = `line ${line}`;
    if (fields.length > header.fields.length)
      problems.push(`${where}: ${fields.length} fields for ${header.fields.length} columns: quote a field holding a comma`);
    const limitText = get('timeLimit');
    const timeLimit = /^\d+(\.\d+)?$/.test(limitText) ? Number(limitText) : NaN;
    if (Number.isNaN(timeLimit)) problems.push(`${where}: time limit (处置时限) "${limitText}" is not a number`);
    const typeText = get('timeType');
    const timeType = TIME_TYPE_WORDS[typeText] ?? TIME_TYPE_WORDS[typeText.toLowerCase()] ?? typeText;
    const enfText = get('enforcement').toLowerCase();
    if (!YES.has(enfText) && !NO.has(enfText)) problems.push(`${where}: 是否执法 "${get('enforcement')}": write 是 or 否`);
    const prioText = get('basePriority');
    const basePriority = prioText === '' ? 0 : /^\d+$/.test(prioText) ? Number(prioText) : NaN;
    if (Number.isNaN(basePriority)) problems.push(`${where}: base priority (基础优先级) "${prioText}" is not a whole number 0–100`);
    const conText = get('construction').toLowerCase();
    if (conText !== '' && !YES.has(conText) && !NO.has(conText)) problems.push(`${where}: 是否违建 "${get('construction')}": write 是 or 否`);
    return {
      where,
      major: get('major'),
      majorZh: get('majorZh'),
      majorEn: get('majorEn'),
      minor: get('minor'),
      zh: get('zh'),
      en: get('en'),
      timeLimit: Number.isNaN(timeLimit) ? 1 : timeLimit,
      timeType,
      enforcement: YES.has(enfText),
      basePriority: Number.isNaN(basePriority) ? 0 : basePriority,
      ...(conText !== '' ? { construction: YES.has(conText) } : {}),
    };
  });
  if (problems.length) throw new Problem(400, `the CSV was not read: ${listed(problems)}`);
  return entries;
}

function listed(problems: readonly string[]): string {
  const more = problems.length > MAX_PROBLEMS ? ` (and ${problems.length - MAX_PROBLEMS} more)` : '';
  return problems.slice(0, MAX_PROBLEMS).join('; ') + more;
}

/** The catalogue versions: listed, read, created whole (nothing stored on any error), made current. */
export class CategoryVersionService {
  constructor(private readonly pool: pg.Pool) {}

  async list(): Promise<CatalogueVersionSummary[]> {
    return listVersions(this.pool);
  }

  async detail(version: string): Promise<CatalogueVersionDetail> {
    const v = await versionById(this.pool, version);
    if (!v) throw new Problem(404, `no catalogue version "${version}"; GET /api/admin/categories/versions lists them`);
    return { ...v, classes: byClass(await versionCategories(this.pool, version)) };
  }

  /** Checks and stores a new version (not current yet), audited in the same transaction. */
  async create(actor: AuthUser, input: VersionInput): Promise<CatalogueVersionDetail> {
    const problems = versionProblems(input);
    if (problems.length) throw new Problem(400, `catalogue version "${input.version}" was not saved: ${listed(problems)}`);
    // A file that does not say which classes are construction (违法建设) keeps what the catalogue in force
    // says of the same minor code: a new version of the time limits must not unjoin 私搭乱建 from the register.
    const inForce = new Map((await currentCategories(this.pool)).map((c) => [c.minorCode, c.construction]));
    const row: NewVersionRow = {
      version: input.version,
      name: input.name.trim(),
      effectiveFrom: input.effectiveFrom,
      entries: input.entries.map((e) => ({
        major: e.major,
        majorZh: e.majorZh.trim(),
        majorEn: e.majorEn.trim(),
        minor: e.minor,
        zh: e.zh.trim(),
        en: e.en.trim(),
        timeLimit: e.timeLimit,
        timeType: e.timeType as TimeType,
        enforcement: e.enforcement,
        basePriority: e.basePriority,
        construction: e.construction ?? inForce.get(e.minor) ?? false,
      })),
    };
    await withTransaction(this.pool, async (db) => {
      if (!(await insertVersion(db, row))) {
        throw new Problem(409, `catalogue version "${row.version}" exists already: versions are kept as they were; give the new one another id`);
      }
      await appendAudit(db, {
        userId: actor.id,
        action: 'category.version_create',
        target: `category_catalogs/${row.version}`,
        before: null,
        after: { name: row.name, effectiveFrom: row.effectiveFrom, categories: row.entries.length, minors: row.entries.map((e) => e.minor) },
      });
    });
    return this.detail(row.version);
  }

  /** Makes `version` current; the old one steps down in the same transaction. Cases keep the version they have. */
  async activate(actor: AuthUser, version: string): Promise<CatalogueVersionSummary> {
    await withTransaction(this.pool, async (db) => {
      const before = await lockCurrent(db);
      if (!(await versionById(db, version))) {
        throw new Problem(404, `no catalogue version "${version}"; GET /api/admin/categories/versions lists them`);
      }
      if (before === version) return; // current already: nothing to change or audit
      await makeCurrent(db, version);
      await appendAudit(db, {
        userId: actor.id,
        action: 'category.version_activate',
        target: `category_catalogs/${version}`,
        before: { current: before },
        after: { current: version },
      });
    });
    catalogueChanged();
    return (await listVersions(this.pool)).find((v) => v.version === version)!;
  }
}

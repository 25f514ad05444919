// The category catalogue as an administrator keeps it: versions (目录版本), each a whole catalogue.
import { type Static, Type } from 'typebox';
import { CatalogueClass } from './catalogue.ts';
import { TIME_TYPES } from './time-types.ts';

/** A version id, as the table's CHECK has it (category_catalogs.version). */
export const VERSION_PATTERN = '^[A-Za-z0-9._-]{1,32}$';
/** A catalogue holds a few dozen minor classes; more than this is a paste gone wrong. */
export const MAX_ENTRIES = 500;

export const VersionId = Type.String({
  pattern: VERSION_PATTERN,
  maxLength: 32,
  examples: ['2027-local'],
  description: 'version id: 1–32 letters, digits, dot, underscore or hyphen',
});

export const CatalogueVersionSummary = Type.Object({
  version: Type.String(),
  name: Type.String(),
  effectiveFrom: Type.String({ format: 'date' }),
  isCurrent: Type.Boolean({ description: 'the version intake uses for new cases (exactly one)' }),
  categories: Type.Integer({ description: 'minor classes (小类) in the version' }),
  cases: Type.Integer({ description: 'cases created under the version (they keep it)' }),
});
export type CatalogueVersionSummary = Static<typeof CatalogueVersionSummary>;

export const CatalogueVersionDetail = Type.Object({
  version: Type.String(),
  name: Type.String(),
  effectiveFrom: Type.String({ format: 'date' }),
  isCurrent: Type.Boolean(),
  classes: Type.Array(CatalogueClass),
});
export type CatalogueVersionDetail = Static<typeof CatalogueVersionDetail>;

export const NewCatalogueEntry = Type.Object(
  {
    major: Type.String({ maxLength: 2, examples: ['05'], description: 'class code (大类代码), 2 digits' }),
    majorZh: Type.String({ maxLength: 100, examples: ['街面秩序'], description: 'class name (大类名称)' }),
    majorEn: Type.String({ maxLength: 200, examples: ['Street order'] }),
    minor: Type.String({ maxLength: 4, examples: ['0501'], description: 'minor code (小类代码): 4 digits starting with the class code' }),
    zh: Type.String({ maxLength: 100, examples: ['无照经营游商'], description: 'minor name (小类名称)' }),
    en: Type.String({ maxLength: 200, examples: ['Unlicensed vendors'] }),
    timeLimit: Type.Number({ exclusiveMinimum: 0, maximum: 1000, examples: [2], description: 'time to handle (处置时限), in `timeType` units' }),
    timeType: Type.Unsafe<(typeof TIME_TYPES)[number]>({ type: 'string', enum: [...TIME_TYPES], description: '时限类型' }),
    enforcement: Type.Boolean({ description: 'handling may need enforcement (是否执法): a certified officer must be sent' }),
    basePriority: Type.Integer({ minimum: 0, maximum: 100, examples: [20] }),
    construction: Type.Optional(
      Type.Boolean({ description: 'cases of this class concern a building (违法建设, e.g. 私搭乱建): intake joins them to the register; default false' }),
    ),
  },
  { additionalProperties: false },
);
export type NewCatalogueEntry = Static<typeof NewCatalogueEntry>;

export const NewCatalogueVersion = Type.Object(
  {
    version: VersionId,
    name: Type.String({ maxLength: 200, examples: ['本市城市管理案件分类 2027 版'], description: 'what the version is (shown to administrators)' }),
    effectiveFrom: Type.String({ format: 'date', maxLength: 10, description: 'YYYY-MM-DD' }),
    entries: Type.Array(NewCatalogueEntry, { maxItems: MAX_ENTRIES, description: `the minor classes, at least one, at most ${MAX_ENTRIES}` }),
  },
  { additionalProperties: false },
);
export type NewCatalogueVersion = Static<typeof NewCatalogueVersion>;

// The category catalogue (案件分类) as GET /api/categories serves it: the version in force, by class.
import { type Static, Type } from 'typebox';
import { TIME_TYPES } from './time-types.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const CatalogueEntry = Type.Object({
  minor: Type.String({ description: 'minor category code (小类), e.g. 0501: what intake takes as `category`' }),
  zh: Type.String(),
  en: Type.String(),
  timeLimit: Type.Number({ description: 'time to handle, in `timeType` units' }),
  timeType: Type.Unsafe<(typeof TIME_TYPES)[number]>({ type: 'string', enum: [...TIME_TYPES] }),
  enforcement: Type.Boolean({ description: 'handling may need enforcement: a certified officer must be sent' }),
  basePriority: Type.Integer({ minimum: 0, maximum: 100 }),
  construction: Type.Optional(Type.Boolean({ description: 'cases of this class concern a building (违法建设): intake joins them to the register' })),
});
export type CatalogueEntry = Static<typeof CatalogueEntry>;

export const CatalogueClass = Type.Object({
  major: Type.String({ description: 'class code (大类), e.g. 05' }),
  zh: Type.String(),
  en: Type.String(),
  entries: Type.Array(CatalogueEntry),
});
export type CatalogueClass = Static<typeof CatalogueClass>;

export const CategoryCatalogue = Type.Object({
  version: Nullable(Type.String({ description: 'catalogue version in force; null before one is loaded' })),
  name: Nullable(Type.String()),
  effectiveFrom: Nullable(Type.String({ format: 'date' })),
  classes: Type.Array(CatalogueClass),
});
export type CategoryCatalogue = Static<typeof CategoryCatalogue>;

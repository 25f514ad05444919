import { Type } from 'typebox';
import { EXPORT_FORMATS, INDICATOR_GROUPINGS } from './contract.ts';
import { PROGRESS_KEYS } from '../buildings/progress.ts';
import { COUNT_KEYS, INDICATOR_KEYS } from './definitions.ts';

const Enum = <const T extends readonly string[]>(values: T, opts: { description?: string; default?: T[number] } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
const Instant = (description: string) =>
  Type.String({
    maxLength: 40,
    description: `${description}: ISO 8601, e.g. 2025-03-01T00:00:00+08:00, or a date 2025-03-01 (= 00:00 Asia/Shanghai)`,
  });

export const IndicatorsQuery = Type.Object(
  {
    from: Instant('start of the period (included)'),
    to: Instant('end of the period (excluded); at most 400 days after `from`'),
    by: Type.Optional(Enum(INDICATOR_GROUPINGS, { description: 'one row per district or per squad (中队)', default: 'district' })),
  },
  { additionalProperties: false },
);

export const IndicatorsExportQuery = Type.Object(
  {
    from: Instant('start of the period (included)'),
    to: Instant('end of the period (excluded); at most 400 days after `from`'),
    by: Type.Optional(Enum(INDICATOR_GROUPINGS, { description: 'one row per district or per squad (中队)', default: 'district' })),
    format: Type.Optional(Enum(EXPORT_FORMATS, { description: 'csv (UTF-8 with BOM) or xlsx', default: 'csv' })),
  },
  { additionalProperties: false },
);

const Counts = Type.Object(
  Object.fromEntries(COUNT_KEYS.map((k) => [k, Type.Integer({ minimum: 0 })])) as Record<(typeof COUNT_KEYS)[number], ReturnType<typeof Type.Integer>>,
);
const Values = Type.Object(
  Object.fromEntries(INDICATOR_KEYS.map((k) => [k, NullableNumber])) as Record<(typeof INDICATOR_KEYS)[number], typeof NullableNumber>,
);
const Bilingual = Type.Object({ zh: Type.String(), en: Type.String() });

const Row = Type.Object({
  key: Type.Union([Type.String(), Type.Null()], { description: 'district adcode or squad id; null: no district / never dispatched' }),
  name: Type.String(),
  districtAdcode: Type.Union([Type.String(), Type.Null()]),
  counts: Counts,
  indicators: Values,
});

export const IndicatorsReport = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  asOf: Type.String({ format: 'date-time', description: 'the earlier of `to` and now: what the figures are measured at' }),
  by: Enum(INDICATOR_GROUPINGS),
  scopeDistrict: Type.Union([Type.String(), Type.Null()]),
  rows: Type.Array(Row),
  total: Row,
  definitions: Type.Object({
    dispatchLimitMinutes: Type.Integer(),
    rules: Type.Array(Bilingual),
    counts: Type.Array(Type.Object({ key: Enum(COUNT_KEYS), name: Bilingual, definition: Bilingual })),
    indicators: Type.Array(
      Type.Object({
        key: Enum(INDICATOR_KEYS),
        kind: Enum(['ratio', 'minutes'] as const),
        name: Bilingual,
        definition: Bilingual,
        numerator: Bilingual,
        denominator: Bilingual,
        formula: Type.String(),
      }),
    ),
    buildings: Type.Object({
      rules: Type.Array(Bilingual),
      figures: Type.Array(Type.Object({ key: Enum(PROGRESS_KEYS), unit: Enum(['m2', 'count'] as const), name: Bilingual, definition: Bilingual })),
    }),
  }),
});

// TypeBox schemas that validate and document the leader routes; the shapes are in contract.ts.
import { Type } from 'typebox';
import { CASE_STATES, SOURCES } from '../cases/states.ts';

const Enum = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Instant = () => Type.String({ format: 'date-time' });

const From = Type.String({
  maxLength: 40,
  description:
    'start of the period (included): ISO 8601 with a zone, e.g. 2025-04-01T00:00:00+08:00, or a day 2025-04-01 (00:00 Asia/Shanghai). Default: 30 days before `to`',
});
const To = Type.String({ maxLength: 40, description: 'end of the period (excluded), same forms. Default: now. At most 400 days after `from`' });

export const PeriodQuery = Type.Object({ from: Type.Optional(From), to: Type.Optional(To) }, { additionalProperties: false });

export const HeatmapQuery = Type.Object(
  {
    from: Type.Optional(From),
    to: Type.Optional(To),
    category: Type.Optional(Type.String({ pattern: '^[0-9]{4}$', maxLength: 4, description: 'minor category code, e.g. 0501' })),
    source: Type.Optional(Enum(SOURCES, 'discovery channel (发现渠道)')),
  },
  { additionalProperties: false },
);

export const Heatmap = Type.Object({
  from: Instant(),
  to: Instant(),
  total: Type.Integer({ description: 'cases in the period that lie in a grid cell' }),
  unlocated: Type.Integer({ description: 'cases in the period outside every grid cell' }),
  max: Type.Integer({ description: 'largest cell count' }),
  cells: Type.Object(
    {
      type: Type.Literal('FeatureCollection'),
      features: Type.Array(
        Type.Object({
          type: Type.Literal('Feature'),
          geometry: Type.Object({ type: Type.Literal('Point'), coordinates: Type.Array(Type.Number(), { minItems: 2, maxItems: 2 }) }),
          properties: Type.Object({ code: Type.String(), count: Type.Integer() }),
        }),
      ),
    },
    { description: "one Point per grid cell with cases, at a point on the cell's surface" },
  ),
});

const TrendPoint = Type.Object({ start: Type.String({ format: 'date' }), count: Type.Integer() });

export const KeyAreaBoard = Type.Object({
  from: Instant(),
  to: Instant(),
  days: Type.Number({ description: 'period length in days' }),
  bucket: Enum(['day', 'week'] as const, 'trend bucket: day up to 60 days, week beyond'),
  target: Type.Number(),
  minExpected: Type.Number({ description: 'an area expecting fewer complaints in the period is not judged (样本不足)' }),
  areas: Type.Array(
    Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      level: Enum(['city', 'district'] as const),
      districtAdcodes: Type.Array(Type.String()),
      baseline: Type.Number({ description: 'complaints per 30 days (常量)' }),
      expected: Type.Number({ description: 'baseline × period days / 30' }),
      complaints: Type.Integer({ description: 'public complaints reported in the period in the area' }),
      change: Type.Union([Type.Number(), Type.Null()], { description: 'complaints / expected − 1; null when expected is 0' }),
      target: Type.Number(),
      judged: Type.Boolean({ description: 'expected ≥ minExpected: the change is judged against the target' }),
      met: Type.Boolean({ description: 'judged and change ≤ target' }),
      open: Type.Integer(),
      overdue: Type.Integer(),
      trend: Type.Array(TrendPoint),
    }),
  ),
});

export const EscalationsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 200 })),
  },
  { additionalProperties: false },
);

export const Escalations = Type.Object({
  total: Type.Integer(),
  cases: Type.Array(
    Type.Object({
      id: Type.Integer(),
      code: Type.String(),
      category: Type.Object({ code: Type.String(), nameZh: Type.String(), nameEn: Type.String() }),
      districtAdcode: Nullable(Type.String()),
      districtName: Nullable(Type.String()),
      state: Enum(CASE_STATES),
      priority: Type.Integer(),
      deadline: Nullable(Instant()),
      overdueSince: Nullable(Instant()),
      escalatedAt: Nullable(Instant()),
      manual: Type.Boolean(),
      reason: Nullable(Type.String()),
      keyAreas: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() })),
    }),
  ),
});

export const StatsTrend = Type.Object({
  from: Instant(),
  to: Instant(),
  days: Type.Array(Type.Object({ date: Type.String({ format: 'date' }), reported: Type.Integer(), closed: Type.Integer(), overdue: Type.Integer() })),
});

export const StatsCategories = Type.Object({
  from: Instant(),
  to: Instant(),
  total: Type.Integer(),
  categories: Type.Array(Type.Object({ code: Type.String(), nameZh: Type.String(), nameEn: Type.String(), count: Type.Integer() })),
});
